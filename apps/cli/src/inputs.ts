/**
 * The local files `generate` sends: read whole before anything is started or uploaded, so a missing or
 * unreadable file is exit 3 at once. Their content is checked by the server (with --server) or by the same
 * upload checks in process (generate-local.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GenerateOptions } from './args.js';
import { CliError, ExitCode } from './exit-codes.js';
import { codeOf, messageOf } from './values.js';

export interface InputFile {
  path: string;
  /** File name sent with the upload. */
  name: string;
  bytes: Buffer;
}

export interface GenerateInputs {
  prompt: string;
  voiceText?: string;
  image?: InputFile;
  voice?: InputFile;
}

function reason(error: unknown): string {
  const code = codeOf(error);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return messageOf(error);
}

async function readInput(what: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(
      ExitCode.INPUT_REJECTED,
      'INPUT_MISSING',
      `cannot read the ${what} '${path}': ${reason(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

async function inputFile(what: string, path: string): Promise<InputFile> {
  const bytes = await readInput(what, path);
  if (bytes.length === 0)
    throw new CliError(ExitCode.INPUT_REJECTED, 'INPUT_MISSING', `the ${what} '${path}' is empty`);
  return { path, name: basename(path), bytes };
}

/** Reads the prompt file ('-' = standard input), the portrait and the voice sample. */
export async function readInputs(options: GenerateOptions): Promise<GenerateInputs> {
  let prompt = options.prompt ?? '';
  if (options.promptFile !== undefined) {
    const bytes =
      options.promptFile === '-' ? await readStdin() : await readInput('prompt file', options.promptFile);
    prompt = bytes.toString('utf8');
    if (prompt.trim() === '')
      throw new CliError(
        ExitCode.INPUT_REJECTED,
        'INPUT_MISSING',
        `the prompt file '${options.promptFile}' is empty`,
      );
  }
  const out: GenerateInputs = { prompt: prompt.trim() };
  if (options.voiceText !== undefined) out.voiceText = options.voiceText;
  if (options.image !== undefined) out.image = await inputFile('image', options.image);
  if (options.voice !== undefined) out.voice = await inputFile('voice sample', options.voice);
  return out;
}
