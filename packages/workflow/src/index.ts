/**
 * Pure workflow-graph logic: validation, order, scheduling, input resolution, node and job updates,
 * progress and job state. No I/O; every update returns a new graph and leaves its argument untouched.
 * Every function but validateGraph expects a graph that passed validateGraph; those that need an order
 * throw GRAPH_CYCLE on a cyclic one, and those that take a node id throw NODE_INPUT_INVALID for an unknown one.
 */

export { failureOf } from './failure.js';
export { getNode } from './graph-index.js';
export { resolveInput } from './input.js';
export { type JobTimes, jobStateOf } from './job-state.js';
export { isTerminal, jobStatusOf } from './job-status.js';
export { cancelGraph, finalizeGraph, prepareRetry } from './job-updates.js';
export { applyNodeResult, type NodeResult, reportNodeProgress, startNode } from './node-updates.js';
export { topologicalOrder } from './order.js';
export { jobProgress } from './progress.js';
export { nextPlane, readyNodes } from './ready.js';
export { refreshReady } from './refresh.js';
export {
  assertValidGraph,
  type GraphProblem,
  type GraphProblemCode,
  type KnownServices,
  type ValidateOptions,
  validateGraph,
} from './validate.js';
