/**
 * `myspinbot serve | api | worker`: the server roles, composed exactly as the apps' entry points do
 * (startControlProcess / startWorkerProcess over loadConfig of the role) and run by the shared lifecycle:
 * graceful stop on SIGINT/SIGTERM, exit 78 on a configuration error, 1 on any other start-up failure.
 */
import { loadConfig, type ProcessRole } from '@myspinbot/config';
import { runProcess } from '@myspinbot/http';
import { startControlProcess, startWorkerProcess } from '@myspinbot/server';
import { parseRoleArgs } from './args.js';
import { ExitCode } from './exit-codes.js';
import { ROLE_HELP } from './help.js';
import { stdoutLine } from './output.js';

export type RoleCommand = 'serve' | 'api' | 'worker';

const ROLES: Record<RoleCommand, { role: ProcessRole; name: string }> = {
  serve: { role: 'embedded', name: 'myspinbot' },
  api: { role: 'api', name: 'api' },
  worker: { role: 'worker', name: 'worker' },
};

/** 'serving': the role runs until a signal stops it (the lifecycle then exits the process). */
export async function roleCommand(
  command: RoleCommand,
  args: readonly string[],
): Promise<number | 'serving'> {
  const options = parseRoleArgs(args);
  if (options.help) {
    await stdoutLine(ROLE_HELP);
    return ExitCode.OK;
  }
  const { role, name } = ROLES[command];
  const server: Record<string, unknown> = {};
  if (options.host !== undefined) server.host = options.host;
  if (options.port !== undefined) server.port = options.port;
  await runProcess(name, async () => {
    // Loaded inside start-up, so a bad configuration takes the lifecycle's exit 78 path.
    const config = loadConfig({
      role,
      ...(options.config !== undefined ? { file: options.config } : {}),
      ...(Object.keys(server).length > 0 ? { overrides: { server } } : {}),
    });
    if (role === 'worker') return startWorkerProcess(config);
    return startControlProcess(config, { withDataPlane: role === 'embedded', role });
  });
  return 'serving';
}
