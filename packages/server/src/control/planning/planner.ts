/**
 * The planner: turns a request into a validated workflow graph from a catalog template. Nodes whose
 * `when` condition the request does not meet are marked skipped (the workflow treats them as done with no
 * output). The graph is checked against the schema, the workflow rules and the services the planes
 * advertise before anything is stored or enqueued.
 */
import {
  type ArtifactRef,
  type GraphNode,
  graphValidator,
  MySpinBotError,
  type PipelineTemplate,
  type TrainOptions,
  type WorkflowGraph,
} from '@myspinbot/contracts';
import { assertValidGraph, type KnownServices, refreshReady } from '@myspinbot/workflow';
import type { PipelineCatalogStore } from './catalog.js';

export interface PlanRequest {
  jobId: string;
  pipeline?: string;
  prompt: string;
  voiceText?: string;
  options: TrainOptions;
  inputs: Partial<Record<'image' | 'voice', ArtifactRef>>;
  createdAt: Date;
}

function conditionMet(node: PipelineTemplate['nodes'][number], request: PlanRequest): boolean {
  if (!node.when) return true;
  if (node.when.input !== undefined && request.inputs[node.when.input] === undefined) return false;
  if (node.when.option !== undefined) {
    const value = (request.options as Record<string, unknown>)[node.when.option];
    if (!value) return false;
  }
  return true;
}

export function planJob(
  catalog: PipelineCatalogStore,
  request: PlanRequest,
  services: KnownServices,
): WorkflowGraph {
  const name = request.pipeline ?? catalog.defaultName;
  const template = catalog.get(name);
  if (!template || template.public === false) {
    throw new MySpinBotError('PIPELINE_UNKNOWN', `no pipeline named '${name}'`, {
      details: { pipelines: catalog.publicPipelines().map((p) => p.name) },
    });
  }
  for (const input of template.inputs ?? []) {
    if (input === 'image' && request.inputs.image === undefined) {
      throw new MySpinBotError('INPUT_MISSING', `pipeline '${name}' needs a portrait image`);
    }
  }
  const nodes: GraphNode[] = template.nodes.map((t) => {
    const node: GraphNode = {
      id: t.id,
      name: t.name,
      service: t.service,
      plane: t.plane,
      status: 'pending',
      attempts: 0,
      progress: 0,
    };
    if (t.params !== undefined) node.params = structuredClone(t.params);
    if (t.progressWeight !== undefined) node.progressWeight = t.progressWeight;
    if (t.timeoutMs !== undefined) node.timeoutMs = t.timeoutMs;
    if (!conditionMet(t, request)) {
      node.status = 'skipped';
      node.output = null;
    }
    return node;
  });
  const [first, ...rest] = nodes;
  if (!first) throw new MySpinBotError('PIPELINE_UNKNOWN', `pipeline '${name}' has no nodes`);
  const context: Record<string, unknown> = {
    prompt: request.prompt,
    options: request.options,
    inputs: request.inputs,
  };
  if (request.voiceText !== undefined) context.voiceText = request.voiceText;
  const graph = refreshReady({
    schema: 'langgraph.v1',
    workflowId: request.jobId,
    context,
    metadata: { pipeline: name, createdAt: request.createdAt.toISOString(), version: '1' },
    nodes: [first, ...rest],
    edges: structuredClone(template.edges),
  });
  graphValidator.parse(graph);
  assertValidGraph(graph, { services, jobId: request.jobId });
  return graph;
}
