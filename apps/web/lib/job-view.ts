/** What the UI derives from a job's state: labels, the current step, timings, and its media artifacts. */
import type { ArtifactLink, JobState, JobStatus, NodeState, NodeStatus } from './types';

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const NODE_STATUS_LABEL: Record<NodeStatus, string> = {
  pending: 'Waiting',
  ready: 'Ready',
  running: 'Running',
  completed: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

const time = (iso: string | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/** When the first node started (the job left the queue), or null. */
export function runStartedAt(state: JobState): number | null {
  let first: number | null = null;
  for (const node of state.nodes) {
    const t = time(node.timings?.startedAt);
    if (t !== null && (first === null || t < first)) first = t;
  }
  return first;
}

/** Time since the job was created, up to its end when it has ended. */
export function elapsedMs(state: JobState, now: number): number | null {
  const start = time(state.createdAt) ?? runStartedAt(state);
  if (start === null) return null;
  const end = isTerminal(state.status) ? (time(state.updatedAt) ?? now) : now;
  return Math.max(0, end - start);
}

/**
 * A rough estimate of the time left while a job runs: the run time so far scaled by the weighted progress
 * still to go. Null while there is too little progress to say anything.
 */
export function remainingMs(state: JobState, now: number): number | null {
  if (state.status !== 'running') return null;
  const start = runStartedAt(state);
  const progress = state.progress;
  if (start === null || progress < 0.03 || progress >= 1) return null;
  const run = Math.max(0, now - start);
  return (run * (1 - progress)) / progress;
}

export function nodeById(state: JobState, nodeId: string | undefined): NodeState | undefined {
  return nodeId === undefined ? undefined : state.nodes.find((n) => n.id === nodeId);
}

/** The node that is running now, if any. */
export function runningNode(state: JobState): NodeState | undefined {
  const current = nodeById(state, state.currentNodeId);
  if (current?.status === 'running') return current;
  return state.nodes.find((n) => n.status === 'running');
}

/** The node a failure happened in (from the job's error, else the first failed node). */
export function failedNode(state: JobState): NodeState | undefined {
  return nodeById(state, state.error?.nodeId) ?? state.nodes.find((n) => n.status === 'failed');
}

/** One line on what the job is doing. */
export function currentStep(state: JobState): string {
  switch (state.status) {
    case 'queued':
      return state.queuePosition !== undefined
        ? `Waiting in the queue (position ${state.queuePosition + 1})`
        : 'Waiting in the queue';
    case 'running': {
      const node = runningNode(state);
      if (node) return node.name;
      return state.currentPlane === 'python' ? 'Waiting for a data-plane worker' : 'Starting the next step';
    }
    case 'completed':
      return 'Finished';
    case 'failed': {
      const node = failedNode(state);
      return node ? `Failed at “${node.name}”` : 'Failed';
    }
    case 'cancelled':
      return 'Cancelled';
  }
}

export interface JobMedia {
  video?: ArtifactLink;
  captions?: ArtifactLink;
  poster?: ArtifactLink;
  audio?: ArtifactLink;
  script?: ArtifactLink;
  narration?: ArtifactLink;
}

const isVtt = (a: ArtifactLink) => a.contentType.startsWith('text/vtt') || a.name.endsWith('.vtt');

/** The final video (the last one produced), its captions and poster, and the intermediate results. */
export function jobMedia(artifacts: readonly ArtifactLink[]): JobMedia {
  const produced = artifacts.filter((a) => a.nodeId !== 'input');
  const last = (match: (a: ArtifactLink) => boolean) => produced.filter(match).at(-1);
  const video = last((a) => a.contentType.startsWith('video/'));
  const captions = (video && last((a) => isVtt(a) && a.nodeId === video.nodeId)) ?? last(isVtt);
  const poster =
    (video && last((a) => a.contentType.startsWith('image/') && a.nodeId === video.nodeId)) ??
    last((a) => a.contentType.startsWith('image/') && a.name.startsWith('thumbnail'));
  const media: JobMedia = {};
  if (video) media.video = video;
  if (captions) media.captions = captions;
  if (poster) media.poster = poster;
  const audio = last((a) => a.contentType.startsWith('audio/'));
  if (audio) media.audio = audio;
  const script = last((a) => a.name === 'script.json');
  if (script) media.script = script;
  const narration = last((a) => a.name === 'narration.txt');
  if (narration) media.narration = narration;
  return media;
}
