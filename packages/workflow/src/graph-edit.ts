/**
 * Copy-on-write edits. A graph is never mutated: an edit returns a new graph with new node objects where
 * something changed and the same objects where nothing did, or the very same graph when nothing changed.
 */
import type { GraphNode, WorkflowGraph } from '@myspinbot/contracts';
import { nodePosition } from './graph-index.js';

/** `graph` with each node replaced by `edit(node)`; the same graph when every edit returned its node. */
export function mapNodes(graph: WorkflowGraph, edit: (node: GraphNode) => GraphNode): WorkflowGraph {
  const nodes = graph.nodes.map(edit);
  return nodes.every((node, i) => node === graph.nodes[i]) ? graph : { ...graph, nodes };
}

/** `graph` with the first node of this id replaced by `edit(node)`; an unknown id throws NODE_INPUT_INVALID. */
export function editNode(
  graph: WorkflowGraph,
  nodeId: string,
  edit: (node: GraphNode) => GraphNode,
): WorkflowGraph {
  const at = nodePosition(graph, nodeId);
  return mapNodes(graph, (node) => (node === graph.nodes[at] ? edit(node) : node));
}
