/**
 * The bus primitive a cross-plane handoff is: a job bounces between the planes, one consumer per plane
 * blocked in bus.read. The clock starts when bus.handoff is called (persist the record, XADD to the next
 * plane, XACK, publish: one Lua script on Redis) and stops when the other plane's consumer holds the entry
 * and the handoff call has answered. The per-node checkpoint (one script) is timed on the way.
 */
import type { Bus, Delivery, RecordUpdate } from '@myspinbot/bus';
import { statusEvent } from '@myspinbot/bus';
import type { Plane, WorkflowGraph } from '@myspinbot/contracts';
import { boundedLoop, type LoopBounds } from '../stats.js';
import { otherPlane } from './graphs.js';

export interface HandoffSamples {
  handoff: number[];
  checkpoint: number[];
}

const consumerOf = (plane: Plane): string => `bench-${plane}`;

function updateOf(graph: WorkflowGraph): RecordUpdate {
  return {
    graph,
    status: 'running',
    progress: 0.5,
    error: null,
    event: statusEvent(graph.workflowId, 'running', 0.5),
  };
}

async function readOne(bus: Bus, plane: Plane): Promise<Delivery> {
  const [delivery] = await bus.read(plane, consumerOf(plane), 1, 5000);
  if (!delivery) throw new Error(`bus handoff: nothing arrived on plane ${plane}`);
  return delivery;
}

export async function busHandoffs(
  bus: Bus,
  graph: WorkflowGraph,
  bounds: LoopBounds,
  warmup: number,
): Promise<HandoffSamples> {
  const samples: HandoffSamples = { handoff: [], checkpoint: [] };
  const update = updateOf(graph);
  if (!(await bus.submit(graph, 'node'))) throw new Error('bus handoff: job exists');
  let delivery = await readOne(bus, 'node');
  const once = async (record: boolean): Promise<void> => {
    const checkpointStart = performance.now();
    const saved = await bus.checkpoint(delivery, update);
    const checkpointMs = performance.now() - checkpointStart;
    const next = otherPlane(delivery.plane);
    const read = readOne(bus, next);
    read.catch(() => undefined);
    // One round trip on the command connection: the blocking read is at Redis before the clock starts.
    await bus.ping();
    const start = performance.now();
    const outcome = await bus.handoff(delivery, next, update);
    delivery = await read;
    const handoffMs = performance.now() - start;
    if (saved !== 'ok' || outcome !== 'ok') throw new Error(`bus handoff: ${saved} / ${outcome}`);
    if (record) {
      samples.handoff.push(handoffMs);
      samples.checkpoint.push(checkpointMs);
    }
  };
  for (let i = 0; i < warmup; i++) await once(false);
  await boundedLoop(bounds, () => once(true));
  return samples;
}
