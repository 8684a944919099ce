/**
 * The workflow rules a schema cannot express. validateGraph reports every problem it finds, in this order:
 * id mismatch, duplicate nodes, dangling edges, cycles, duplicate inputs, unknown services.
 * Schema validation is not done here (see graphValidator in @myspinbot/contracts).
 */
import { type GraphEdge, MySpinBotError, type Plane, type WorkflowGraph } from '@myspinbot/contracts';
import { findCycles, formatCycle } from './cycles.js';
import { edgeKind, indexGraph, inputSlot } from './graph-index.js';

/** Services a plane advertises: plane -> service names. A plane missing from the map is not checked. */
export type KnownServices = Partial<Record<Plane, Iterable<string>>>;

export type GraphProblemCode =
  | 'GRAPH_DUPLICATE_NODE'
  | 'GRAPH_DANGLING_EDGE'
  | 'GRAPH_CYCLE'
  | 'GRAPH_DUPLICATE_INPUT'
  | 'GRAPH_UNKNOWN_SERVICE'
  | 'GRAPH_ID_MISMATCH';

export interface GraphProblem {
  code: GraphProblemCode;
  message: string;
  nodeId?: string;
  edge?: GraphEdge;
  /** GRAPH_CYCLE only: the cycle as a closed path, e.g. ['a', 'b', 'a']. */
  cycle?: string[];
}

export interface ValidateOptions {
  services?: KnownServices;
  /** The job the graph travels under; its workflowId must equal it. */
  jobId?: string;
}

export function validateGraph(graph: WorkflowGraph, options: ValidateOptions = {}): GraphProblem[] {
  return [
    ...idMismatch(graph, options.jobId),
    ...structuralProblems(graph),
    ...unknownServices(graph, options.services),
  ];
}

/**
 * Structures (node ids and edges) found free of problems, most recent last. A job's graph keeps its
 * structure from hop to hop while its statuses and outputs change, so each executor checks it once.
 */
const soundStructures = new Set<string>();
const MAX_SOUND_STRUCTURES = 1_000;

/** Everything the structural checks read: the node ids in order and each edge's endpoints, kind and slot. */
function structureKey(graph: WorkflowGraph): string {
  return JSON.stringify([
    graph.nodes.map((node) => node.id),
    graph.edges.map((edge) => [edge.from, edge.to, edge.kind ?? null, edge.as ?? null]),
  ]);
}

function structuralProblems(graph: WorkflowGraph): GraphProblem[] {
  const key = structureKey(graph);
  if (soundStructures.has(key)) return [];
  const problems = [
    ...duplicateNodes(graph),
    ...danglingEdges(graph),
    ...cycles(graph),
    ...duplicateInputs(graph),
  ];
  if (problems.length === 0) {
    soundStructures.add(key);
    if (soundStructures.size > MAX_SOUND_STRUCTURES) {
      const oldest = soundStructures.values().next();
      if (oldest.done !== true) soundStructures.delete(oldest.value);
    }
  }
  return problems;
}

/** Throws MySpinBotError with the first problem's code and message, and every problem in details. */
export function assertValidGraph(graph: WorkflowGraph, options: ValidateOptions = {}): void {
  const problems = validateGraph(graph, options);
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  throw new MySpinBotError(first.code, `${first.message}${more}`, { details: { problems } });
}

function idMismatch(graph: WorkflowGraph, jobId: string | undefined): GraphProblem[] {
  if (jobId === undefined || jobId === graph.workflowId) return [];
  return [
    {
      code: 'GRAPH_ID_MISMATCH',
      message: `graph workflowId "${graph.workflowId}" differs from its job id "${jobId}"`,
    },
  ];
}

function duplicateNodes(graph: WorkflowGraph): GraphProblem[] {
  const seen = new Set<string>();
  const problems: GraphProblem[] = [];
  graph.nodes.forEach((node, i) => {
    if (seen.has(node.id)) {
      problems.push({
        code: 'GRAPH_DUPLICATE_NODE',
        message: `node id "${node.id}" is used again by nodes[${i}]`,
        nodeId: node.id,
      });
    }
    seen.add(node.id);
  });
  return problems;
}

function danglingEdges(graph: WorkflowGraph): GraphProblem[] {
  const ids = new Set(graph.nodes.map((node) => node.id));
  return graph.edges.flatMap((edge): GraphProblem[] => {
    const missing = [edge.from, edge.to].filter((id) => !ids.has(id));
    if (missing.length === 0) return [];
    const names = [...new Set(missing)].map((id) => `"${id}"`).join(' and ');
    return [
      {
        code: 'GRAPH_DANGLING_EDGE',
        message: `edge ${edge.from} -> ${edge.to} names missing node ${names}`,
        edge,
        ...(ids.has(edge.to) ? { nodeId: edge.to } : ids.has(edge.from) ? { nodeId: edge.from } : {}),
      },
    ];
  });
}

function cycles(graph: WorkflowGraph): GraphProblem[] {
  return findCycles(graph).map(({ path, edge }): GraphProblem => {
    const nodeId = path[0] ?? '';
    const message =
      edge === undefined
        ? `graph has a cycle through node "${nodeId}": ${formatCycle(path)}`
        : `node "${nodeId}" depends on itself: ${formatCycle(path)}`;
    return { code: 'GRAPH_CYCLE', message, nodeId, cycle: path, ...(edge === undefined ? {} : { edge }) };
  });
}

function duplicateInputs(graph: WorkflowGraph): GraphProblem[] {
  const index = indexGraph(graph);
  const problems: GraphProblem[] = [];
  for (const [nodeId, edges] of index.incoming) {
    const filledBy = new Map<string, GraphEdge>();
    for (const edge of edges) {
      if (edgeKind(edge) !== 'data') continue;
      const slot = inputSlot(edge);
      const earlier = filledBy.get(slot);
      if (earlier === undefined) {
        filledBy.set(slot, edge);
        continue;
      }
      problems.push({
        code: 'GRAPH_DUPLICATE_INPUT',
        message: `node "${nodeId}" gets input slot "${slot}" from both "${earlier.from}" and "${edge.from}"`,
        nodeId,
        edge,
      });
    }
  }
  return problems;
}

function unknownServices(graph: WorkflowGraph, services: KnownServices | undefined): GraphProblem[] {
  if (services === undefined) return [];
  const known = new Map<Plane, ReadonlySet<string>>();
  const advertised = (plane: Plane): ReadonlySet<string> | undefined => {
    const names = services[plane];
    if (names === undefined) return undefined;
    const set = known.get(plane) ?? new Set(names);
    known.set(plane, set);
    return set;
  };
  return graph.nodes.flatMap((node): GraphProblem[] => {
    const names = advertised(node.plane);
    if (names === undefined || names.has(node.service)) return [];
    return [
      {
        code: 'GRAPH_UNKNOWN_SERVICE',
        message: `node "${node.id}" uses service "${node.service}", which plane "${node.plane}" does not advertise`,
        nodeId: node.id,
      },
    ];
  });
}
