/** Job states and artifacts shaped like the API's answers, for component and unit tests. */
import type { ArtifactLink, JobDetail, JobState, NodeState, PipelineList } from '../../lib/types';

export const JOB_ID = '6f1c2a4e-9b1d-4c5e-8f00-1234567890ab';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function node(id: string, name: string, patch: Partial<NodeState> = {}): NodeState {
  return {
    id,
    name,
    service: id,
    plane: ['speech', 'render', 'finalize'].includes(id) ? 'python' : 'node',
    status: 'pending',
    progress: 0,
    ...patch,
  };
}

const done = (start: number, end: number): Partial<NodeState> => ({
  status: 'completed',
  progress: 1,
  timings: { startedAt: at(start), finishedAt: at(end), durationMs: (end - start) * 1000 },
});

/** The talking-portrait pipeline half way: speech done, the renderer at 40%. */
export function runningState(patch: Partial<JobState> = {}): JobState {
  return {
    jobId: JOB_ID,
    status: 'running',
    progress: 0.5,
    pipeline: 'talking-portrait',
    currentPlane: 'python',
    currentNodeId: 'render',
    createdAt: at(0),
    updatedAt: at(10),
    nodes: [
      node('prepare', 'Check inputs', done(1, 1)),
      node('script', 'Write the script', done(1, 2)),
      node('speech', 'Synthesise speech', done(2, 5)),
      node('render', 'Render the talking portrait', {
        status: 'running',
        progress: 0.4,
        timings: { startedAt: at(5) },
      }),
      node('finalize', 'Finalise the video'),
    ],
    ...patch,
  };
}

export function failedState(): JobState {
  const base = runningState();
  return {
    ...base,
    status: 'failed',
    progress: 0.3,
    updatedAt: at(12),
    nodes: base.nodes.map((n) =>
      n.id === 'render'
        ? {
            ...n,
            status: 'failed',
            error: { code: 'NO_FACE_FOUND', message: 'no face was found in the portrait', retryable: false },
          }
        : n,
    ),
    error: {
      nodeId: 'render',
      code: 'NO_FACE_FOUND',
      message: 'no face was found in the portrait',
      retryable: false,
    },
  };
}

export function completedState(): JobState {
  const base = runningState();
  return {
    ...base,
    status: 'completed',
    progress: 1,
    updatedAt: at(20),
    nodes: base.nodes.map((n) =>
      n.status === 'completed'
        ? n
        : { ...n, ...done(n.id === 'render' ? 5 : 19, n.id === 'render' ? 19 : 20) },
    ),
  };
}

export function artifact(nodeId: string, name: string, contentType: string, size = 1000): ArtifactLink {
  return {
    key: `jobs/${JOB_ID}/${nodeId}/${name}`,
    jobId: JOB_ID,
    nodeId,
    name,
    contentType,
    size,
    url: `/api/jobs/${JOB_ID}/artifacts/${nodeId}/${name}`,
  };
}

export const COMPLETED_ARTIFACTS: ArtifactLink[] = [
  artifact('input', 'portrait.jpg', 'image/jpeg', 49_512),
  artifact('script', 'script.json', 'application/json', 240),
  artifact('post-script', 'narration.txt', 'text/plain; charset=utf-8', 51),
  artifact('speech', 'speech.wav', 'audio/wav', 118_398),
  artifact('render', 'video.mp4', 'video/mp4', 159_543),
  artifact('render', 'captions.vtt', 'text/vtt; charset=utf-8', 303),
  artifact('render', 'thumbnail.jpg', 'image/jpeg', 55_302),
];

export function detailOf(state: JobState, artifacts: ArtifactLink[] = []): JobDetail {
  return { ...state, input: { prompt: 'Hello, I am Carl. Dreams matter.', options: {} }, artifacts };
}

export const PIPELINES: PipelineList = {
  default: 'talking-portrait',
  pipelines: [
    {
      name: 'talking-portrait',
      description: 'Portrait + prompt -> talking portrait',
      inputs: ['image', 'voice'],
      services: [
        'node/artifacts.prepareAssets',
        'node/script.generateScript',
        'python/finalize_video',
        'python/render_video',
        'python/synthesize_speech',
        'python/train_lora',
      ],
      available: true,
      missing: [],
    },
    {
      name: 'talking-portrait-comfyui',
      description: 'Rendered by ComfyUI',
      inputs: ['image', 'voice'],
      services: ['python/render_video_comfyui'],
      available: false,
      missing: ['python/render_video_comfyui'],
    },
    {
      name: 'script-lora',
      description: 'Script and LoRA dataset',
      inputs: ['image'],
      services: ['node/script.generateScript', 'python/train_lora'],
      available: true,
      missing: [],
    },
  ],
};
