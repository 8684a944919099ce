/**
 * What the CLI writes. Rules: results go to stdout (a path, or one JSON line with --json); everything for
 * people (progress, notes, errors) goes to stderr; every stderr line starts with `myspinbot: ` and is one
 * line, whatever the server's message held.
 */
import type { CliError } from './exit-codes.js';

export const PREFIX = 'myspinbot: ';

/** Collapses newlines and runs of white space, so a message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Writes and resolves once the bytes are handed to the OS (so a following process.exit loses nothing). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

export function stdoutLine(text: string): Promise<void> {
  return write(process.stdout, `${text}\n`);
}

export function stderrLine(text: string): Promise<void> {
  return write(process.stderr, `${PREFIX}${oneLine(text)}\n`);
}

/** `myspinbot: CODE: message` (usage errors add the pointer to --help instead of a code). */
export function errorLine(error: CliError): string {
  if (error.code === 'USAGE') return `${oneLine(error.message)} (see myspinbot --help)`;
  return `${error.code}: ${oneLine(error.message)}`;
}
