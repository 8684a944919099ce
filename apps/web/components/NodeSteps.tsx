import { formatDuration, formatPercent } from '../lib/format';
import { NODE_STATUS_LABEL } from '../lib/job-view';
import type { NodeState, NodeStatus } from '../lib/types';
import { ProgressBar } from './ProgressBar';

const ICON: Record<NodeStatus, string> = {
  pending: '○',
  ready: '○',
  running: '◐',
  completed: '✓',
  failed: '✕',
  skipped: '–',
  cancelled: '⊘',
};

function detail(node: NodeState): string {
  if (node.status === 'running') return formatPercent(node.progress);
  if (node.timings?.durationMs !== undefined && (node.status === 'completed' || node.status === 'failed'))
    return formatDuration(node.timings.durationMs);
  return '';
}

/** The steps (graph nodes) of a job in order, each with its status and progress. */
export function NodeSteps({ nodes }: { nodes: readonly NodeState[] }) {
  if (nodes.length === 0) return <p className="muted">The steps appear when the job starts.</p>;
  return (
    <ol className="steps">
      {nodes.map((node) => {
        const extra = detail(node);
        return (
          <li
            key={node.id}
            className={`step step--${node.status}`}
            aria-current={node.status === 'running' ? 'step' : undefined}
            data-node-id={node.id}
          >
            <span className="step__icon" aria-hidden="true">
              {ICON[node.status]}
            </span>
            <span className="step__name">{node.name}</span>
            <span className="step__status">
              {NODE_STATUS_LABEL[node.status]}
              {extra ? ` · ${extra}` : ''}
            </span>
            {node.status === 'running' ? (
              <ProgressBar value={node.progress} label={`${node.name}: progress`} size="small" />
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
