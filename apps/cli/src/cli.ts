/**
 * The command dispatcher: the first argument names the command; every error any command throws ends here
 * as one `myspinbot: ` line on stderr and its exit code.
 */
import { ExitCode, toCliError, usageError } from './exit-codes.js';
import { generateCommand } from './generate.js';
import { cliVersion, MAIN_HELP } from './help.js';
import { errorLine, stderrLine, stdoutLine, write } from './output.js';
import { statusCommand } from './status.js';

/** An exit code, or 'serving' for a server role that keeps the process alive. */
export type Outcome = number | 'serving';

async function dispatch(argv: readonly string[]): Promise<Outcome> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      await write(process.stderr, `${MAIN_HELP}\n`);
      return ExitCode.USAGE;
    case 'help':
    case '--help':
    case '-h':
      await stdoutLine(MAIN_HELP);
      return ExitCode.OK;
    case 'version':
    case '--version':
    case '-V':
      await stdoutLine(cliVersion());
      return ExitCode.OK;
    case 'generate':
      return generateCommand(rest);
    case 'status':
      return statusCommand(rest);
    case 'serve':
    case 'api':
    case 'worker': {
      // Loaded only for the server roles: the server's modules take seconds to load.
      const { roleCommand } = await import('./roles.js');
      return roleCommand(command, rest);
    }
    default:
      throw usageError(`unknown command '${command}'`);
  }
}

export async function runCli(argv: readonly string[]): Promise<Outcome> {
  try {
    return await dispatch(argv);
  } catch (error) {
    const failure = toCliError(error);
    await stderrLine(errorLine(failure));
    return failure.exitCode;
  }
}
