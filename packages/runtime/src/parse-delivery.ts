import type { Delivery } from '@myspinbot/bus';
import { graphValidator, MySpinBotError, type WorkflowGraph } from '@myspinbot/contracts';
import { assertValidGraph } from '@myspinbot/workflow';

/**
 * Validates an entry on the way in: fields present, graph JSON parses, matches the schema, is a valid DAG
 * and carries the entry's job id. Anything else is ENTRY_MALFORMED (dead-lettered, never retried).
 */
export function parseDelivery(delivery: Delivery): WorkflowGraph {
  const { jobId, graph: text } = delivery.fields;
  if (jobId === undefined || text === undefined) {
    throw new MySpinBotError('ENTRY_MALFORMED', 'stream entry lacks the jobId or graph field');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MySpinBotError('ENTRY_MALFORMED', `graph field is not JSON: ${(error as Error).message}`);
  }
  const graph = graphValidator.parse(parsed, 'ENTRY_MALFORMED');
  try {
    assertValidGraph(graph, { jobId });
  } catch (error) {
    const inner = error instanceof MySpinBotError ? `${error.code}: ${error.message}` : String(error);
    throw new MySpinBotError('ENTRY_MALFORMED', `graph is not a valid workflow: ${inner}`);
  }
  return graph;
}
