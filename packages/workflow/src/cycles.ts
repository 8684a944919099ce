/**
 * Cycle finding. A graph's cycles are reported one per self-loop and one per strongly connected component
 * of two or more nodes, each as a closed path that starts and ends on the component's first node (in
 * `graph.nodes` order), e.g. ['a', 'b', 'a'].
 */
import type { GraphEdge, WorkflowGraph } from '@myspinbot/contracts';
import { indexGraph } from './graph-index.js';

export interface Cycle {
  /** Closed path: first and last entries are the same node. */
  readonly path: string[];
  /** The self-loop edge, when the cycle is one. */
  readonly edge?: GraphEdge;
}

export function formatCycle(path: readonly string[]): string {
  return path.join(' -> ');
}

export function findCycles(graph: WorkflowGraph): Cycle[] {
  const index = indexGraph(graph);
  const ids = [...index.byId.keys()];
  const successors = new Map<string, string[]>();
  for (const id of ids) {
    const next = (index.outgoing.get(id) ?? []).map((e) => e.to).filter((to) => to !== id);
    successors.set(id, [...new Set(next)]);
  }
  const cycles: Cycle[] = [];
  for (const edge of graph.edges) {
    if (edge.from === edge.to && index.byId.has(edge.from))
      cycles.push({ path: [edge.from, edge.from], edge });
  }
  for (const component of stronglyConnected(ids, successors)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = ids.find((id) => members.has(id));
    if (start !== undefined) cycles.push({ path: pathBack(start, members, successors) });
  }
  return cycles;
}

/** Tarjan's algorithm, iterative; components in the order they close. */
function stronglyConnected(ids: readonly string[], successors: ReadonlyMap<string, string[]>): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const at = (map: ReadonlyMap<string, number>, id: string): number => map.get(id) ?? 0;
  const enter = (id: string): void => {
    order.set(id, order.size);
    low.set(id, order.size - 1);
    stack.push(id);
    onStack.add(id);
  };
  for (const root of ids) {
    if (order.has(root)) continue;
    enter(root);
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    for (let frame = work.at(-1); frame !== undefined; frame = work.at(-1)) {
      const target = successors.get(frame.id)?.[frame.next];
      if (target !== undefined) {
        frame.next += 1;
        if (!order.has(target)) {
          enter(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(at(low, frame.id), at(order, target)));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) low.set(parent.id, Math.min(at(low, parent.id), at(low, frame.id)));
      if (at(low, frame.id) === at(order, frame.id)) {
        const component: string[] = [];
        for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
          onStack.delete(id);
          component.push(id);
          if (id === frame.id) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}

/** Shortest path from `start` back to itself inside a strongly connected component (breadth first). */
function pathBack(
  start: string,
  members: ReadonlySet<string>,
  successors: ReadonlyMap<string, string[]>,
): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head];
    if (id === undefined) break;
    for (const next of successors.get(id) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) return unwind(id, start, parent);
      if (!parent.has(next)) {
        parent.set(next, id);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

function unwind(last: string, start: string, parent: ReadonlyMap<string, string>): string[] {
  const middle: string[] = [];
  for (let id: string | undefined = last; id !== undefined && id !== start; id = parent.get(id)) {
    middle.push(id);
  }
  return [start, ...middle.reverse(), start];
}
