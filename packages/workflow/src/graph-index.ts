/**
 * Lookups over a graph: nodes by id and edges by endpoint. Every function of this package that reads
 * dependencies goes through one index, so they all agree on what an edge means.
 */
import { type GraphEdge, type GraphNode, MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';

/** An edge without a kind carries data. */
export function edgeKind(edge: GraphEdge): 'data' | 'order' {
  return edge.kind ?? 'data';
}

/** The input slot a data edge fills: its `as`, else the upstream node id. */
export function inputSlot(edge: GraphEdge): string {
  return edge.as ?? edge.from;
}

export interface GraphIndex {
  /** The first node with each id; later duplicates are reported by validateGraph and ignored elsewhere. */
  readonly byId: ReadonlyMap<string, GraphNode>;
  /** Edges into each node, in edge order. Edges that name a missing node are left out. */
  readonly incoming: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Edges out of each node, in edge order. Edges that name a missing node are left out. */
  readonly outgoing: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Position of the first node with each id in `graph.nodes`. */
  readonly position: ReadonlyMap<string, number>;
}

/** The first node with each id (later duplicates are reported by validateGraph and ignored elsewhere). */
export function nodesById(graph: WorkflowGraph): Map<string, GraphNode> {
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  return byId;
}

export function indexGraph(graph: WorkflowGraph): GraphIndex {
  const byId = new Map<string, GraphNode>();
  const position = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (!byId.has(node.id)) {
      byId.set(node.id, node);
      position.set(node.id, i);
    }
  });
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    if (!byId.has(edge.from) || !byId.has(edge.to)) continue;
    push(incoming, edge.to, edge);
    push(outgoing, edge.from, edge);
  }
  return { byId, incoming, outgoing, position };
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Position of the node in `graph.nodes`; an unknown id throws NODE_INPUT_INVALID. */
export function nodePosition(graph: WorkflowGraph, nodeId: string): number {
  const i = graph.nodes.findIndex((node) => node.id === nodeId);
  if (i < 0) {
    throw new MySpinBotError('NODE_INPUT_INVALID', `workflow ${graph.workflowId} has no node "${nodeId}"`, {
      details: { workflowId: graph.workflowId, nodeId },
    });
  }
  return i;
}

/** The node with this id; an unknown id throws MySpinBotError NODE_INPUT_INVALID. */
export function getNode(graph: WorkflowGraph, nodeId: string): GraphNode {
  const node = graph.nodes[nodePosition(graph, nodeId)];
  if (node === undefined) throw new Error(`unreachable: node ${nodeId} vanished`);
  return node;
}
