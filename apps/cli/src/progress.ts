/**
 * Progress on stderr. On a terminal: one cli-progress bar (overall percent, current step, elapsed time),
 * redrawn in place. Otherwise (a pipe, a log file, CI): one line per step change, never a redraw. --quiet:
 * nothing at all. Notes (fallbacks, where the result went) follow the same rules as progress.
 */
import { Presets, SingleBar } from 'cli-progress';
import { type FollowedState, stepLabel } from './job-view.js';
import { oneLine, PREFIX } from './output.js';

export interface Reporter {
  /** A step outside the job (starting the engine, uploading, downloading). */
  phase(label: string): void;
  update(state: FollowedState): void;
  note(message: string): void;
  /** Leaves the terminal clean (the bar stays as last drawn); call once, before the final output. */
  stop(): void;
}

export interface ReporterOptions {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const silent: Reporter = { phase() {}, update() {}, note() {}, stop() {} };

/** One line per change of step: `myspinbot: [ 40%] Render the portrait (3.2 s)`. */
class LineReporter implements Reporter {
  private readonly started = Date.now();
  private lastStep = '';
  private percent = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  private line(text: string): void {
    this.stream.write(`${PREFIX}${oneLine(text)}\n`);
  }

  private step(label: string): void {
    if (label === this.lastStep) return;
    this.lastStep = label;
    this.line(`[${String(this.percent).padStart(3)}%] ${label} (${seconds(Date.now() - this.started)})`);
  }

  phase(label: string): void {
    this.step(label);
  }

  update(state: FollowedState): void {
    this.percent = Math.round(state.progress * 100);
    this.step(stepLabel(state));
  }

  note(message: string): void {
    this.line(message);
  }

  stop(): void {}
}

/** Elapsed time as m:ss. */
function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * The cli-progress bar, on one line that it redraws. The elapsed time is the run's (refreshed every second,
 * not only on updates). A note takes the bar off its line, prints itself and puts the bar back under it; at
 * the end the bar is cleared, leaving the summary or the error line in its place.
 */
class BarReporter implements Reporter {
  private readonly started = Date.now();
  private readonly bar: SingleBar;
  private ticker: NodeJS.Timeout | null = null;
  private step = '';
  private value = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bar = new SingleBar(
      {
        stream,
        format: '{bar} {percentage}% | {step} | {elapsed}',
        hideCursor: true,
        barsize: 30,
        clearOnComplete: true,
        gracefulExit: false,
      },
      Presets.shades_classic,
    );
  }

  private payload(): { step: string; elapsed: string } {
    return { step: this.step, elapsed: clock(Date.now() - this.started) };
  }

  private draw(): void {
    if (this.ticker === null) {
      this.bar.start(100, this.value, this.payload());
      this.ticker = setInterval(() => this.bar.update(this.value, this.payload()), 1000);
      this.ticker.unref();
      return;
    }
    this.bar.update(this.value, this.payload());
  }

  private hide(): boolean {
    if (this.ticker === null) return false;
    clearInterval(this.ticker);
    this.ticker = null;
    this.bar.stop();
    return true;
  }

  phase(label: string): void {
    this.step = label;
    this.draw();
  }

  update(state: FollowedState): void {
    this.value = Math.round(state.progress * 100);
    this.step = stepLabel(state);
    this.draw();
  }

  note(message: string): void {
    const shown = this.hide();
    this.stream.write(`${PREFIX}${oneLine(message)}\n`);
    if (shown) this.draw();
  }

  stop(): void {
    this.hide();
  }
}

export function createReporter(options: ReporterOptions): Reporter {
  if (options.quiet) return silent;
  const stream = options.stream ?? process.stderr;
  return stream.isTTY ? new BarReporter(stream) : new LineReporter(stream);
}
