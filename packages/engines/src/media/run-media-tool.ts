/**
 * The ONE place that starts ffmpeg/ffprobe. Rules it keeps:
 * - the binary comes from the installer packages and is spawned directly with an argument array (no shell);
 * - stdin is either closed or a pipe the caller streams into; `write()` resolves only once the chunk has been
 *   handed to the OS, so a caller that awaits it never holds more than one chunk in memory (backpressure);
 * - stderr is split into lines, harmless fontconfig noise is dropped, and the last lines are kept for errors;
 * - an AbortSignal kills the process (SIGKILL) and the run rejects with NODE_CANCELLED once it has exited;
 * - a non-zero exit (or death by a signal) rejects with MEDIA_TOOL_FAILED carrying the tail of stderr.
 */
import { spawn } from 'node:child_process';
import { MySpinBotError } from '@myspinbot/contracts';
import { isHarmlessStderrLine, LineSplitter, LineTail } from './stderr-lines.js';
import { type MediaTool, mediaToolPath } from './tool-paths.js';

export interface MediaToolOptions {
  signal?: AbortSignal;
  /** Open stdin as a pipe the caller writes to (e.g. rawvideo frames); otherwise stdin is closed. */
  stdin?: boolean;
  /** Working directory of the process. */
  cwd?: string;
  /** Called for every informative stderr line (harmless noise filtered out). */
  onStderrLine?: (line: string) => void;
  /** Called for every stdout line (e.g. `-progress pipe:1` key=value lines). */
  onStdoutLine?: (line: string) => void;
  /** Keep the stdout bytes for the result (e.g. ffprobe JSON). Default false. */
  collectStdout?: boolean;
  /** How many informative stderr lines to keep for error messages. Default 30. */
  stderrTailLines?: number;
}

export interface MediaToolResult {
  /** Collected stdout (empty unless `collectStdout`). */
  stdout: Buffer;
  /** The last informative stderr lines. */
  stderrTail: string[];
}

/** A running media tool. */
export interface MediaToolProcess {
  readonly pid: number | undefined;
  /** Writes a chunk to stdin; resolves once it was handed to the OS, rejects if the process is gone. */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes stdin (end of input). */
  end(): Promise<void>;
  /** Settles when the process has exited (and its output streams closed). */
  readonly done: Promise<MediaToolResult>;
}

const STDOUT_LIMIT_BYTES = 64 * 1024 * 1024;

function cancelledError(tool: MediaTool, reason: unknown): MySpinBotError {
  return new MySpinBotError('NODE_CANCELLED', `${tool} was cancelled`, { cause: reason });
}

/** Starts a media tool; see the module comment for the rules. */
export function startMediaTool(
  tool: MediaTool,
  args: readonly string[],
  options: MediaToolOptions = {},
): MediaToolProcess {
  const { signal } = options;
  if (signal?.aborted) {
    const error = cancelledError(tool, signal.reason);
    const done = Promise.reject(error);
    done.catch(() => undefined);
    return {
      pid: undefined,
      write: () => Promise.reject(error),
      end: () => Promise.resolve(),
      done,
    };
  }

  const binary = mediaToolPath(tool);
  const child = spawn(binary, [...args], {
    cwd: options.cwd,
    shell: false,
    windowsHide: true,
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });

  const tail = new LineTail(options.stderrTailLines ?? 30);
  const stderrSplitter = new LineSplitter();
  const stdoutSplitter = new LineSplitter();
  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  let aborted = false;
  let spawnError: Error | undefined;
  /** Set once stdin can no longer take data (process gone, pipe broken, or cancelled). */
  let stdinFailure: Error | undefined;

  const onStderrLine = (line: string): void => {
    if (isHarmlessStderrLine(line)) return;
    tail.push(line);
    options.onStderrLine?.(line);
  };
  const onStdoutLine = options.onStdoutLine;

  // stdout and stderr are always pipes (see `stdio` above).
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of stderrSplitter.push(chunk)) onStderrLine(line);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (options.collectStdout === true && stdoutBytes < STDOUT_LIMIT_BYTES) {
      stdoutChunks.push(chunk);
      stdoutBytes += chunk.length;
    }
    if (onStdoutLine !== undefined) {
      for (const line of stdoutSplitter.push(chunk.toString('utf8'))) onStdoutLine(line);
    }
  });
  // A broken pipe on stdin is reported through write(); the exit status tells the real story.
  child.stdin?.on('error', (error: Error) => {
    stdinFailure ??= error;
  });

  const onAbort = (): void => {
    aborted = true;
    stdinFailure ??= cancelledError(tool, signal?.reason);
    child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const done = new Promise<MediaToolResult>((resolve, reject) => {
    const startFailed = (error: Error): MySpinBotError =>
      new MySpinBotError('MEDIA_TOOL_FAILED', `${tool} could not be started: ${error.message}`, {
        cause: error,
        details: { tool, binary },
      });
    child.once('error', (error) => {
      spawnError = error;
      // A process that never started emits no 'close' to wait for.
      if (child.pid === undefined) {
        signal?.removeEventListener('abort', onAbort);
        stdinFailure ??= error;
        reject(startFailed(error));
      }
    });
    child.once('close', (code, killSignal) => {
      signal?.removeEventListener('abort', onAbort);
      stdinFailure ??= new Error(`${tool} has exited`);
      for (const line of stderrSplitter.flush()) onStderrLine(line);
      if (onStdoutLine !== undefined) for (const line of stdoutSplitter.flush()) onStdoutLine(line);
      if (aborted) {
        reject(cancelledError(tool, signal?.reason));
        return;
      }
      const stderrTail = tail.toArray();
      if (spawnError !== undefined) {
        reject(startFailed(spawnError));
        return;
      }
      if (code !== 0) {
        const how = killSignal !== null ? `was killed by ${killSignal}` : `exited with code ${code}`;
        const last = stderrTail.slice(-8).join('\n');
        reject(
          new MySpinBotError('MEDIA_TOOL_FAILED', `${tool} ${how}${last === '' ? '' : `:\n${last}`}`, {
            details: { tool, exitCode: code, signal: killSignal, stderrTail },
          }),
        );
        return;
      }
      resolve({ stdout: Buffer.concat(stdoutChunks), stderrTail });
    });
  });
  // The caller may only look at `done` after a failed write; never let it surface as unhandled meanwhile.
  done.catch(() => undefined);

  return {
    pid: child.pid,
    write(chunk: Uint8Array): Promise<void> {
      const stdin = child.stdin;
      if (stdin === null) return Promise.reject(new Error(`${tool} was started without a stdin pipe`));
      if (stdinFailure !== undefined) return Promise.reject(stdinFailure);
      return new Promise<void>((resolve, reject) => {
        stdin.write(chunk, (error) => {
          if (error !== null && error !== undefined) reject(stdinFailure ?? error);
          else resolve();
        });
      });
    },
    end(): Promise<void> {
      const stdin = child.stdin;
      if (stdin === null || stdin.writableEnded) return Promise.resolve();
      return new Promise<void>((resolve) => {
        stdin.end(() => resolve());
        // end()'s callback does not fire when the pipe is already broken.
        stdin.once('error', () => resolve());
        stdin.once('close', () => resolve());
      });
    },
    done,
  };
}

/** Runs a media tool to completion (stdin closed) and returns its output. */
export async function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  options: Omit<MediaToolOptions, 'stdin'> = {},
): Promise<MediaToolResult> {
  return startMediaTool(tool, args, { ...options, stdin: false }).done;
}
