/**
 * `generate --server` and `status` against real server processes (the embedded role, started as a child
 * process): the MP4 arrives at --output; live updates fall back to polling when the WebSocket is refused;
 * a server with API keys refuses a run without one (exit 7) and takes the key from MYSPINBOT_API_KEY; a
 * closed port is exit 6.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RoleProcess, startRole } from '../../../test/support/processes.js';
import { closedPort, jsonReport, PORTRAIT, PROMPT, runCli, topLevelBoxes } from './support/cli.js';

/** An HTTP proxy to `target` that refuses every WebSocket upgrade (503), as some proxies do. */
async function proxyWithoutUpgrades(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.on('upgrade', (_request, socket) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

describe('myspinbot generate --server', () => {
  let server: RoleProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'myspinbot-cli-test-'));
    server = await startRole('embedded', { WEB_DIR: '' });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the job on the server and writes the MP4 to --output', async () => {
    const output = join(dir, 'remote.mp4');
    const run = await runCli([
      'generate',
      '--server',
      server.url,
      '--image',
      PORTRAIT,
      '--prompt',
      PROMPT,
      '-o',
      output,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${output}\n`);
    expect(run.stderr).not.toContain('polling');
    const jobId = /job ([0-9a-f-]{36}) accepted/.exec(run.stderr)?.[1] ?? '';
    expect(jobId).not.toBe('');
    expect(statSync(output).size).toBeGreaterThan(10_000);
    const boxes = topLevelBoxes(output).map((b) => b.type);
    expect(boxes[0]).toBe('ftyp');
    expect(boxes).toContain('moov');
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);

    const status = await runCli(['status', jobId, '--server', server.url, '--json']);
    expect(status.code).toBe(0);
    expect(jsonReport(status)).toMatchObject({ jobId, status: 'completed', progress: 1 });
  }, 60_000);

  it('follows the job by polling when the WebSocket is refused', async () => {
    const proxy = await proxyWithoutUpgrades(server.url);
    try {
      const output = join(dir, 'polled.mp4');
      const run = await runCli([
        'generate',
        '--server',
        proxy.url,
        '--image',
        PORTRAIT,
        '--prompt',
        PROMPT,
        '-o',
        output,
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /live updates unavailable \(the upgrade was refused with HTTP 503\); polling/,
      );
      expect(jsonReport(run)).toMatchObject({ ok: true, output, bytes: statSync(output).size });
    } finally {
      proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  }, 60_000);

  it('exits 4 with the node and NO_FACE_FOUND when the job fails on the server', async () => {
    const grey = join(dir, 'grey.png');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toFile(grey);
    const run = await runCli(['generate', '--server', server.url, '--image', grey, '--prompt', PROMPT, '-q']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^myspinbot: NO_FACE_FOUND: job [0-9a-f-]{36} failed at node render/);
  }, 60_000);

  it('cancels the job on Ctrl-C and exits 130', async () => {
    let interrupted = false;
    const run = await runCli(
      ['generate', '--server', server.url, '--image', PORTRAIT, '--prompt', `${PROMPT} ${PROMPT} ${PROMPT}`],
      {
        onStderr: (stderr, signal) => {
          if (!interrupted && /job [0-9a-f-]{36} accepted/.test(stderr)) {
            interrupted = true;
            signal('SIGINT');
          }
        },
      },
    );
    expect(run.code).toBe(130);
    const jobId = /job ([0-9a-f-]{36}) accepted/.exec(run.stderr)?.[1] ?? '';
    expect(run.stderr).toContain(`myspinbot: INTERRUPTED: interrupted (SIGINT); job ${jobId} cancelled`);
    const status = await runCli(['status', jobId, '--server', server.url]);
    expect(status.stdout).toContain(`${jobId} talking-portrait cancelled`);
    expect(status.code).toBe(5);
  }, 60_000);

  it('cancels the job and exits 6 when --timeout passes', async () => {
    // A render that cannot finish within the timeout on any machine: long narration, 60 fps at 1080x1920
    // (several seconds of rendering even with the renderer at its fastest).
    const run = await runCli([
      'generate',
      '--server',
      server.url,
      '--image',
      PORTRAIT,
      '--prompt',
      `${PROMPT} ${PROMPT} ${PROMPT}`,
      '--option',
      'fps=60',
      '--option',
      'width=1080',
      '--option',
      'height=1920',
      '-o',
      join(dir, 'timeout.mp4'),
      '--timeout',
      '1.5',
      '--json',
    ]);
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(
      /^myspinbot: TIMEOUT: no result within --timeout 1\.5 s; job [0-9a-f-]{36} cancelled$/m,
    );
    const report = jsonReport(run);
    expect(report).toMatchObject({ ok: false, exitCode: 6, output: null, error: { code: 'TIMEOUT' } });
    const status = await runCli(['status', String(report.jobId), '--server', server.url]);
    expect(status.code).toBe(5);
  }, 60_000);

  it('exits 3 with the server error code for an unknown job', async () => {
    const run = await runCli(['status', 'no-such-job', '--server', server.url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('myspinbot: JOB_NOT_FOUND: no job with id no-such-job (HTTP 404)\n');
  });

  it('exits 6 when nothing listens at --server', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli([
      'generate',
      '--server',
      url,
      '--image',
      PORTRAIT,
      '--prompt',
      PROMPT,
      '--json',
    ]);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`myspinbot: SERVER_UNREACHABLE: cannot reach ${url}: connection refused`);
    expect(jsonReport(run)).toMatchObject({ ok: false, exitCode: 6, error: { code: 'SERVER_UNREACHABLE' } });
  });
});

describe('myspinbot against a server with API keys', () => {
  const API_KEY = 'cli-test-key-0123456789';

  let server: RoleProcess;

  beforeAll(async () => {
    server = await startRole('embedded', { WEB_DIR: '', API_KEYS: API_KEY });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('exits 7 without a key', async () => {
    const run = await runCli(['generate', '--server', server.url, '--image', PORTRAIT, '--prompt', PROMPT]);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/^myspinbot: UNAUTHORIZED: .*\(HTTP 401\)$/m);
  });

  it('exits 7 with a wrong key, and takes the right one from MYSPINBOT_API_KEY', async () => {
    const wrong = await runCli(['status', 'some-job', '--server', server.url, '--api-key', 'wrong']);
    expect(wrong.code).toBe(7);
    // Past authentication, the server answers for the job itself: 404 is exit 3.
    const right = await runCli(['status', 'some-job', '--server', server.url], {
      env: { MYSPINBOT_API_KEY: API_KEY },
    });
    expect(right.stderr).toContain('JOB_NOT_FOUND');
    expect(right.code).toBe(3);
  });
});
