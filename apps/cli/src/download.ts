/**
 * Writing the video to --output atomically: the bytes go to a temporary file next to the target, which is
 * renamed over it only once complete (and, when the size is known, of that size). A failed or interrupted
 * download leaves the target as it was and no temporary file behind.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, ExitCode } from './exit-codes.js';
import { messageOf } from './values.js';

/** The temporary name used while `target` is being written (hidden, unique, same folder). */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomUUID().slice(0, 8)}.part`);
}

/**
 * Checked before the job starts, so a run does not end with nowhere to put its result: the output's
 * folder (the current one when --output is not given) must exist and be writable, and the output must not
 * be a folder.
 */
export async function checkOutputTarget(path: string | undefined): Promise<void> {
  const target = path === undefined ? undefined : resolve(path);
  const folder = target === undefined ? process.cwd() : dirname(target);
  const shown = path ?? folder;
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new Error('not a folder');
    await access(folder, constants.W_OK);
  } catch {
    throw new CliError(
      ExitCode.INPUT_REJECTED,
      'OUTPUT_UNWRITABLE',
      `cannot write '${shown}': the folder ${folder} does not exist or is not writable`,
    );
  }
  if (target === undefined) return;
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory())
    throw new CliError(
      ExitCode.INPUT_REJECTED,
      'OUTPUT_UNWRITABLE',
      `cannot write '${path}': it is a folder`,
    );
}

/** Runs `write(temporary)`, then renames the temporary file to `target`; removes it on any failure. */
export async function writeAtomically(
  target: string,
  write: (temporary: string) => Promise<void>,
): Promise<number> {
  const temporary = temporaryPath(target);
  try {
    await write(temporary);
    const { size } = await stat(temporary);
    await rename(temporary, target);
    return size;
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/** Streams an HTTP response body into `target` (atomically); `expectedSize` is checked when given. */
export async function saveResponse(
  response: Response,
  target: string,
  options: { expectedSize?: number; signal?: AbortSignal },
): Promise<number> {
  const body = response.body;
  if (body === null)
    throw new CliError(ExitCode.UNAVAILABLE, 'BAD_RESPONSE', 'the server sent the video without a body');
  return writeAtomically(target, async (temporary) => {
    try {
      await pipeline(Readable.fromWeb(body), createWriteStream(temporary), {
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new CliError(
        ExitCode.UNAVAILABLE,
        'DOWNLOAD_FAILED',
        `the video download broke off: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    const { size } = await stat(temporary);
    if (options.expectedSize !== undefined && size !== options.expectedSize) {
      throw new CliError(
        ExitCode.UNAVAILABLE,
        'DOWNLOAD_FAILED',
        `the video download is incomplete: ${size} of ${options.expectedSize} bytes`,
      );
    }
  });
}
