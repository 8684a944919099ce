/**
 * Services are plain async functions registered by name on one plane. The registry builds the plane's
 * capability manifest, so a plane advertises exactly what it can run.
 */
import type { GraphNode, Plane, PlaneManifest, ServiceDescriptor } from '@myspinbot/contracts';
import type { Logger } from './logger.js';

export interface ServiceContext<D = unknown> {
  readonly jobId: string;
  readonly nodeId: string;
  readonly node: Readonly<GraphNode>;
  /** Static parameters of the node (from the pipeline catalog). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Job-level inputs (graph.context). */
  readonly context: Readonly<Record<string, unknown>>;
  /** Aborted on cancellation, timeout, lost claim or shutdown; `signal.reason` is a MySpinBotError. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** What the entry point composed for services (engines, artifact store, ...). */
  readonly deps: D;
  /** Reports this node's progress (0..1); throttled before it reaches the bus. */
  progress(fraction: number, message?: string): void;
  /** Publishes a named value as a 'data' event (e.g. a partial result for the UI). */
  publish(key: string, value: unknown): void;
}

export interface ServiceDefinition<D = unknown> {
  readonly name: string;
  readonly plane: Plane;
  readonly description?: string;
  /** Default timeout for nodes of this service (a node's own timeoutMs wins). */
  readonly timeoutMs?: number;
  /** The engine behind the service, shown in the manifest. */
  readonly engine?: string;
  run(input: Record<string, unknown>, ctx: ServiceContext<D>): Promise<Record<string, unknown>>;
}

export class ServiceRegistry<D = unknown> {
  private readonly services = new Map<string, ServiceDefinition<D>>();

  constructor(readonly plane: Plane) {}

  register(...definitions: ServiceDefinition<D>[]): this {
    for (const definition of definitions) {
      if (definition.plane !== this.plane) {
        throw new Error(`service ${definition.name} belongs to plane ${definition.plane}, not ${this.plane}`);
      }
      if (this.services.has(definition.name))
        throw new Error(`service ${definition.name} is registered twice`);
      this.services.set(definition.name, definition);
    }
    return this;
  }

  get(name: string): ServiceDefinition<D> | undefined {
    return this.services.get(name);
  }

  names(): string[] {
    return [...this.services.keys()].sort();
  }

  manifest(executor?: PlaneManifest['executor']): PlaneManifest {
    const services: ServiceDescriptor[] = [...this.services.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => {
        const descriptor: ServiceDescriptor = { name: s.name };
        if (s.description !== undefined) descriptor.description = s.description;
        if (s.timeoutMs !== undefined) descriptor.timeoutMs = s.timeoutMs;
        if (s.engine !== undefined) descriptor.engine = s.engine;
        return descriptor;
      });
    const manifest: PlaneManifest = { plane: this.plane, services };
    if (executor !== undefined) manifest.executor = executor;
    return manifest;
  }
}
