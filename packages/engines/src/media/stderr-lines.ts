/**
 * Pure helpers for the text a media tool prints: split a byte stream into lines (ffmpeg ends its status
 * lines with `\r`), drop the known-harmless noise, and keep a bounded tail for error messages.
 */

/**
 * Lines the static ffmpeg build prints on every run that say nothing about the job: fontconfig complaining
 * about its own configuration (it still finds the system fonts).
 */
const HARMLESS_PATTERNS: readonly RegExp[] = [/^Fontconfig (warning|error):/i, /^\s*$/];

/** True for a stderr line that carries no information about the job (fontconfig noise, blank lines). */
export function isHarmlessStderrLine(line: string): boolean {
  return HARMLESS_PATTERNS.some((pattern) => pattern.test(line));
}

/**
 * Splits chunks of text into complete lines. `\n`, `\r\n` and a lone `\r` all end a line; a partial line is
 * held until the next chunk or `flush()`.
 */
export class LineSplitter {
  private pending = '';

  /** Adds a chunk and returns the lines it completed. */
  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const parts = text.split(/\r\n|\r|\n/);
    // A chunk ending in a lone `\r` may be the first half of `\r\n`; keeping it pending is harmless because
    // empty lines are never reported.
    this.pending = parts.pop() ?? '';
    return parts.filter((line) => line !== '');
  }

  /** Returns the held partial line, if any, and clears it. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** A ring of the last `capacity` lines. */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  toArray(): string[] {
    return [...this.lines];
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
