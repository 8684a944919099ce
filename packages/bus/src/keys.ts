import type { Plane } from '@myspinbot/contracts';

/** Every Redis key, stream and channel name of the bus, built in one place (see docs/plane-protocol.md). */
export class BusKeys {
  constructor(readonly prefix: string) {}

  /** Stream of a plane: control plane ('node') -> `<prefix>:stream:control`, data plane -> `<prefix>:stream:data`. */
  stream(plane: Plane): string {
    return `${this.prefix}:stream:${plane === 'node' ? 'control' : 'data'}`;
  }

  /** Consumer group on each plane stream. */
  readonly group = 'executors';

  job(jobId: string): string {
    return `${this.prefix}:job:${jobId}`;
  }

  /** Marker of a once-only claim (see Bus.claimOnce). */
  once(name: string): string {
    return `${this.prefix}:once:${name}`;
  }

  get deadLetters(): string {
    return `${this.prefix}:dead`;
  }

  /** Marker whose absence means the store lost the bus state. */
  get epoch(): string {
    return `${this.prefix}:epoch`;
  }

  get events(): string {
    return `${this.prefix}:events`;
  }

  get control(): string {
    return `${this.prefix}:control`;
  }
}

export const PLANES: readonly Plane[] = ['node', 'python'];
