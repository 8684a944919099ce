import { graphValidator, jobStateValidator, MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyNodeResult,
  cancelGraph,
  failureOf,
  finalizeGraph,
  isTerminal,
  jobProgress,
  jobStateOf,
  jobStatusOf,
  nextPlane,
  prepareRetry,
  readyNodes,
  refreshReady,
  reportNodeProgress,
  resolveInput,
  startNode,
  topologicalOrder,
  validateGraph,
} from '../src/index.js';
import { dagArb, deepFreeze, failure, nodesBetween, simulate, T0 } from './fixtures.js';

const numRuns = 200;
const updatedAt = new Date(T0).toISOString();

/** A random DAG with one of its nodes picked. */
const dagAndNode = dagArb.chain((dag) =>
  fc.record({ dag: fc.constant(dag), pick: fc.nat(dag.graph.nodes.length - 1) }),
);

const idAt = (graph: WorkflowGraph, i: number): string => graph.nodes[i]?.id ?? '';

const expectValidState = (graph: WorkflowGraph): void => {
  expect(graphValidator.problems(graph)).toEqual([]);
  expect(jobStateValidator.problems(jobStateOf(graph, { updatedAt }))).toEqual([]);
};

describe('random DAGs', () => {
  it('are schema-valid and break no workflow rule', () => {
    fc.assert(
      fc.property(dagArb, ({ graph }) => {
        expect(graphValidator.problems(graph)).toEqual([]);
        const services = {
          node: graph.nodes.map((n) => n.service),
          python: graph.nodes.map((n) => n.service),
        };
        expect(validateGraph(graph, { services, jobId: graph.workflowId })).toEqual([]);
      }),
      { numRuns },
    );
  });

  it('have a topological order that respects every edge and keeps an already sorted graph as it is', () => {
    fc.assert(
      fc.property(dagArb, ({ graph, rank }) => {
        const order = topologicalOrder(graph);
        expect([...order].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
        const at = new Map(order.map((id, i) => [id, i]));
        for (const edge of graph.edges) expect(at.get(edge.from)).toBeLessThan(at.get(edge.to) ?? -1);
        const sorted = [...graph.nodes].sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
        expect(topologicalOrder({ ...graph, nodes: sorted })).toEqual(sorted.map((n) => n.id));
      }),
      { numRuns },
    );
  });

  it('get a cycle, named on the path it closes, from a back edge along a path', () => {
    const withPath = dagAndNode.filter(({ dag, pick }) => dag.graph.edges.length > 0 && pick >= 0);
    fc.assert(
      fc.property(withPath, ({ dag, pick }) => {
        const edge = dag.graph.edges[pick % dag.graph.edges.length];
        if (edge === undefined) return;
        // Walk down from edge.to as far as edges lead, so the path is often longer than one edge.
        let end = edge.to;
        for (
          let next = dag.graph.edges.find((e) => e.from === end);
          next;
          next = dag.graph.edges.find((e) => e.from === end)
        ) {
          end = next.to;
        }
        const graph = {
          ...dag.graph,
          edges: [...dag.graph.edges, { from: end, to: edge.from, kind: 'order' as const }],
        };
        const problems = validateGraph(graph);
        expect(problems.map((p) => p.code)).toEqual(['GRAPH_CYCLE']);
        const [problem] = problems;
        const onPath = nodesBetween(dag.graph, edge.from, end);
        expect(onPath.has(problem?.nodeId ?? '')).toBe(true);
        const cycle = problem?.cycle ?? [];
        expect(cycle[0]).toBe(cycle.at(-1));
        expect(problem?.message).toContain(cycle.join(' -> '));
        for (let i = 1; i < cycle.length; i += 1) {
          expect(graph.edges.some((e) => e.from === cycle[i - 1] && e.to === cycle[i])).toBe(true);
        }
        expect(() => topologicalOrder(graph)).toThrowError(MySpinBotError);
        try {
          topologicalOrder(graph);
        } catch (error) {
          expect((error as MySpinBotError).code).toBe('GRAPH_CYCLE');
          expect(onPath.has(String((error as MySpinBotError).details?.nodeId))).toBe(true);
        }
      }),
      { numRuns },
    );
  });
});

describe('running a random DAG', () => {
  it('runs each node once, with non-decreasing progress, to completion', () => {
    fc.assert(
      fc.property(dagArb, ({ graph }) => {
        const run = simulate(graph);
        expect([...run.started].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
        expect(run.progress).toEqual([...run.progress].sort((a, b) => a - b));
        expect(jobStatusOf(run.graph)).toBe('completed');
        expect(isTerminal(run.graph)).toBe(true);
        expect(jobProgress(run.graph)).toBe(1);
        expect(failureOf(run.graph)).toBeUndefined();
        expectValidState(run.graph);
        // Every node's input holds exactly its static input and one slot per data edge.
        for (const { id, input } of run.graph.nodes) {
          const slots = run.graph.edges
            .filter((e) => e.to === id && e.kind !== 'order')
            .map((e) => e.as ?? e.from);
          expect(Object.keys(resolveInput(run.graph, id)).sort()).toEqual(
            [...new Set([...Object.keys(input ?? {}), ...slots])].sort(),
          );
        }
      }),
      { numRuns },
    );
  });

  it('fails when a node fails: nothing more is ready, and finalizing leaves nothing waiting', () => {
    fc.assert(
      fc.property(dagAndNode, ({ dag, pick }) => {
        const failNodeId = idAt(dag.graph, pick);
        const run = simulate(dag.graph, { failNodeId });
        expect(run.started).toContain(failNodeId);
        expect(jobStatusOf(run.graph)).toBe('failed');
        expect(readyNodes(run.graph)).toEqual([]);
        expect(nextPlane(run.graph)).toBeNull();
        expect(isTerminal(run.graph)).toBe(true);
        const final = finalizeGraph(run.graph);
        expect(final.nodes.filter((n) => n.status === 'pending' || n.status === 'ready')).toEqual([]);
        expect(failureOf(final)).toEqual({ nodeId: failNodeId, ...failure });
        expect(jobProgress(final)).toBeLessThanOrEqual(1);
        expectValidState(final);
      }),
      { numRuns },
    );
  });

  it('retries after a failure to completion without re-running completed nodes', () => {
    fc.assert(
      fc.property(dagAndNode, ({ dag, pick }) => {
        const failNodeId = idAt(dag.graph, pick);
        const first = finalizeGraph(simulate(dag.graph, { failNodeId }).graph);
        const done = first.nodes.filter((n) => n.status === 'completed').map((n) => n.id);
        const retry = prepareRetry(deepFreeze(first));
        expect(jobStatusOf(retry)).not.toBe('failed');
        const second = simulate(retry);
        expect(second.started.filter((id) => done.includes(id))).toEqual([]);
        expect([...second.started, ...done].sort()).toEqual(dag.graph.nodes.map((n) => n.id).sort());
        expect(jobStatusOf(second.graph)).toBe('completed');
        expect(second.graph.nodes.find((n) => n.id === failNodeId)?.attempts).toBe(2);
        expectValidState(second.graph);
      }),
      { numRuns },
    );
  });

  it('ignores results that arrive after a cancel', () => {
    const stopped = dagArb.chain((dag) =>
      fc.record({
        dag: fc.constant(dag),
        stopAfter: fc.integer({ min: 1, max: 2 * dag.graph.nodes.length }),
      }),
    );
    fc.assert(
      fc.property(stopped, ({ dag, stopAfter }) => {
        const run = simulate(dag.graph, { stopAfter });
        const wasDone = jobStatusOf(run.graph) === 'completed';
        const cancelled = deepFreeze(cancelGraph(run.graph, new Date(T0 + 1e6), 'stop'));
        expect(jobStatusOf(cancelled)).toBe(wasDone ? 'completed' : 'cancelled');
        expect(isTerminal(cancelled)).toBe(true);
        expect(readyNodes(cancelled)).toEqual([]);
        expect(finalizeGraph(cancelled)).toBe(cancelled);
        for (const { id } of cancelled.nodes) {
          expect(applyNodeResult(cancelled, id, { ok: true, output: { id } }, new Date(T0 + 2e6))).toBe(
            cancelled,
          );
          expect(applyNodeResult(cancelled, id, { ok: false, error: failure }, new Date(T0 + 2e6))).toBe(
            cancelled,
          );
          expect(reportNodeProgress(cancelled, id, 0.9)).toBe(cancelled);
          expect(startNode(cancelled, id, new Date(T0 + 2e6))).toBe(cancelled);
        }
        expectValidState(cancelled);
      }),
      { numRuns },
    );
  });

  it('never mutates its input graph', () => {
    const midRun = dagArb.chain((dag) =>
      fc.record({
        dag: fc.constant(dag),
        stopAfter: fc.integer({ min: 1, max: 2 * dag.graph.nodes.length }),
        pick: fc.nat(dag.graph.nodes.length - 1),
        progress: fc.double({ min: -1, max: 2, noNaN: false }),
      }),
    );
    fc.assert(
      fc.property(midRun, ({ dag, stopAfter, pick, progress }) => {
        const graph = simulate(dag.graph, { stopAfter, failNodeId: idAt(dag.graph, pick) }).graph;
        const before = structuredClone(graph);
        const id = idAt(graph, pick);
        const at = new Date(T0 + 5e6);
        const updates = [
          () => refreshReady(graph),
          () => startNode(graph, id, at),
          () => reportNodeProgress(graph, id, progress),
          () => applyNodeResult(graph, id, { ok: true, output: { id } }, at),
          () => applyNodeResult(graph, id, { ok: false, error: failure }, at),
          () => cancelGraph(graph, at),
          () => finalizeGraph(graph),
          () => prepareRetry(graph),
        ];
        for (const update of updates) {
          expectValidState(update());
          expect(graph).toStrictEqual(before);
        }
        resolveInput(graph, id);
        readyNodes(graph);
        jobStateOf(graph, { updatedAt });
        validateGraph(graph);
        expect(graph).toStrictEqual(before);
      }),
      { numRuns },
    );
  });
});
