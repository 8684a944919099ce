import { failedNode } from '../lib/job-view';
import type { JobState } from '../lib/types';

/** Why a job failed: the step (node), the error code and the message. */
export function FailureReason({ state }: { state: JobState }) {
  const node = failedNode(state);
  const error = state.error ?? node?.error;
  return (
    <div className="failure" role="alert">
      <p className="failure__title">
        {node ? (
          <>
            Failed at “{node.name}” <code className="failure__node">{node.id}</code>
          </>
        ) : (
          'The job failed'
        )}
      </p>
      {error ? (
        <p className="failure__message">
          <code className="failure__code">{error.code}</code> {error.message}
        </p>
      ) : (
        <p className="failure__message">The server gave no reason.</p>
      )}
    </div>
  );
}
