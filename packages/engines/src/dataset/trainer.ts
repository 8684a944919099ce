/**
 * The LoRA trainer adapter: a configured command (e.g. a kohya_ss or diffusers training script on a GPU
 * machine) run without a shell, with the dataset folder and the output weights file as its last two
 * arguments. It must exit 0 and leave a non-empty output file; its stderr tail explains failures.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { MySpinBotError } from '@myspinbot/contracts';
import type { EngineCallOptions } from '../types.js';

/** Splits a command line into arguments: whitespace separates, single and double quotes group. */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const ch of command) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new MySpinBotError('CONFIG_INVALID', 'the LoRA trainer command has an unclosed quote');
  if (started) args.push(current);
  return args;
}

export interface TrainerOptions extends EngineCallOptions {
  command: string;
  datasetDir: string;
  outputFile: string;
  timeoutMs: number;
}

export async function runLoraTrainer(
  options: TrainerOptions,
): Promise<{ outputFile: string; size: number; log: string[] }> {
  const [program, ...args] = splitCommand(options.command);
  if (!program) throw new MySpinBotError('CONFIG_INVALID', 'the LoRA trainer command is empty');
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
    : AbortSignal.timeout(options.timeoutMs);
  const tail: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(program, [...args, options.datasetDir, options.outputFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        const match = /progress[:=]\s*([0-9.]+)/i.exec(line);
        if (match) options.onProgress?.(Math.min(1, Number(match[1])), line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (error) => {
      if (signal.aborted) {
        const timedOut = !options.signal?.aborted;
        reject(
          timedOut
            ? new MySpinBotError('NODE_TIMEOUT', `the LoRA trainer ran past ${options.timeoutMs} ms`)
            : new MySpinBotError('NODE_CANCELLED', 'LoRA training was cancelled'),
        );
      } else {
        reject(
          new MySpinBotError(
            'ENGINE_UNAVAILABLE',
            `cannot run the LoRA trainer '${program}': ${error.message}`,
          ),
        );
      }
    });
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    throw new MySpinBotError(
      'SERVICE_FAILED',
      `the LoRA trainer exited with code ${code}: ${tail.slice(-5).join(' | ')}`,
      {
        details: { log: tail },
      },
    );
  }
  const info = await stat(options.outputFile).catch(() => null);
  if (!info || info.size === 0) {
    throw new MySpinBotError('SERVICE_FAILED', 'the LoRA trainer exited 0 but wrote no weights file');
  }
  return { outputFile: options.outputFile, size: info.size, log: tail };
}
