/**
 * The command line's contract without any engine: help and version, usage errors (exit 2) before anything
 * is read or started, and input files that cannot be read (exit 3), each with one `myspinbot: ` line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport, PORTRAIT, PROMPT, runCli } from './support/cli.js';

describe('myspinbot usage', () => {
  it('prints the help with the exit codes and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('myspinbot generate --image');
    for (const code of ['0 ', '2 ', '3 ', '4 ', '5 ', '6 ', '7 ', '130 '])
      expect(run.stdout).toContain(`\n  ${code}`);
    const generate = await runCli(['generate', '--help']);
    expect(generate.code).toBe(0);
    expect(generate.stdout).toContain('--option key=value');
    expect(generate.stdout).toContain('width (integer)');
  });

  it('prints its version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['no command', [], null],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    [
      'an unknown flag',
      ['generate', '--image', PORTRAIT, '--prompt', 'hi', '--bogus'],
      /Unknown option '--bogus'/,
    ],
    ['no prompt', ['generate', '--image', PORTRAIT], /--prompt <text> or --prompt-file <file> is required/],
    ['two prompts', ['generate', '--image', PORTRAIT, '--prompt', 'a', '--prompt-file', 'b.txt'], /not both/],
    ['no image', ['generate', '--prompt', PROMPT], /--image <file> is required/],
    [
      'a transcript without a voice',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--voice-text', 'b'],
      /needs --voice/,
    ],
    [
      'an option that is not key=value',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--option', 'width'],
      /key=value/,
    ],
    [
      'an unknown option key',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--option', 'colour=red'],
      /unknown --option 'colour'/,
    ],
    [
      'a number option with text',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--option', 'fps=fast'],
      /fps takes a number/,
    ],
    [
      'a boolean option with text',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--option', 'captions=maybe'],
      /captions takes true or false/,
    ],
    [
      'an option outside the schema',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--option', 'width=257'],
      /width: must be multiple of 2/,
    ],
    [
      'a bad server URL',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--server', 'ftp://x'],
      /--server must be an http\(s\) URL/,
    ],
    [
      'an API key without a server',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--api-key', 'k'],
      /only used with --server/,
    ],
    [
      'a negative timeout',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--timeout=-1'],
      /--timeout takes a number/,
    ],
    [
      'a flag without its value',
      ['generate', '--image', PORTRAIT, '--prompt', 'a', '--timeout', '-5'],
      /Option '--timeout' argument is ambiguous\. Did you forget/,
    ],
    ['status without a job id', ['status'], /status takes one job id/],
  ])('exits 2 on %s', async (_name, args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    if (message) {
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/^myspinbot: .*\(see myspinbot --help\)\n$/);
    } else {
      expect(run.stderr).toContain('Usage:');
    }
  });

  it('exits 3 when the image file is missing, with a JSON report on request', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'myspinbot-cli-test-')), 'missing.jpg');
    const run = await runCli(['generate', '--image', missing, '--prompt', PROMPT, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`myspinbot: INPUT_MISSING: cannot read the image '${missing}': no such file\n`);
    expect(jsonReport(run)).toMatchObject({
      ok: false,
      exitCode: 3,
      jobId: null,
      error: { code: 'INPUT_MISSING' },
    });
  });

  it('exits 3 when the output folder does not exist, before any job starts', async () => {
    const output = join(tmpdir(), 'myspinbot-no-such-folder', 'out.mp4');
    const run = await runCli(['generate', '--image', PORTRAIT, '--prompt', PROMPT, '-o', output]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^myspinbot: OUTPUT_UNWRITABLE: cannot write '.*out\.mp4'/);
  });

  it('exits 3 when the prompt file is missing', async () => {
    const run = await runCli(['generate', '--image', PORTRAIT, '--prompt-file', '/nonexistent/prompt.txt']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("cannot read the prompt file '/nonexistent/prompt.txt'");
  });
});
