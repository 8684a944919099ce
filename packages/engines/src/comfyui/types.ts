/**
 * Shapes of ComfyUI's HTTP + WebSocket protocol (as served by ComfyUI's server.py) and of the injection
 * spec that says where MySpinBot's inputs go in a user-supplied workflow.
 */

/** One node of an API-format workflow ("Export (API)" in ComfyUI). */
export interface ComfyNode {
  class_type: string;
  /** Literal widget values, or links `[sourceNodeId, outputSlot]` (any array is a link to ComfyUI). */
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

/** An API-format workflow: node id -> node. */
export type ComfyWorkflow = Record<string, ComfyNode>;

/** Where one value goes: the literal input `input` of node `node`. */
export interface ComfyInjectionTarget {
  node: string;
  input: string;
}

/** The keys ComfyUI uses for files in a node's output (`/history` and `executed` messages). */
export const COMFY_OUTPUT_KINDS = ['videos', 'gifs', 'images', 'audio'] as const;
export type ComfyOutputKind = (typeof COMFY_OUTPUT_KINDS)[number];

/** Which node's output holds the result, and under which key. */
export interface ComfyOutputTarget {
  node: string;
  kind: ComfyOutputKind;
}

/** Where MySpinBot's values are written into the workflow, and where the result is read from. */
export interface ComfyInjectionSpec {
  image?: ComfyInjectionTarget;
  audio?: ComfyInjectionTarget;
  text?: ComfyInjectionTarget;
  seed?: ComfyInjectionTarget;
  output: ComfyOutputTarget;
}

/** The injectable value names, in the order they are checked and reported. */
export const COMFY_INJECTION_KEYS = ['image', 'audio', 'text', 'seed'] as const;
export type ComfyInjectionKey = (typeof COMFY_INJECTION_KEYS)[number];

/** The values injectWorkflow writes: uploaded file names (as ComfyUI's loaders take them), text, seed. */
export interface ComfyInjectionValues {
  image?: string;
  audio?: string;
  text?: string;
  seed?: number;
}

/** A file on the ComfyUI machine: what `/upload/image` answers and what outputs list. */
export interface ComfyFileRef {
  filename: string;
  subfolder: string;
  /** ComfyUI's folder type: "input", "output" or "temp". */
  type: string;
}

/** What kind of media an upload is; all go through `/upload/image`, the one generic upload route. */
export type ComfyUploadKind = 'image' | 'audio' | 'video';

/** A validation problem ComfyUI reports for one node when it rejects a workflow. */
export interface ComfyNodeError {
  errors: Array<{ type?: string; message?: string; details?: string; extra_info?: Record<string, unknown> }>;
  dependent_outputs?: string[];
  class_type?: string;
}

/** The answer of `POST /prompt`. */
export interface ComfyQueuedPrompt {
  promptId: string;
  number: number;
  /** Nodes ComfyUI found invalid although other outputs could still run (empty when all is well). */
  nodeErrors: Record<string, ComfyNodeError>;
}

/** A finished prompt as `/history/<prompt_id>` describes it. */
export interface ComfyHistoryEntry {
  promptId: string;
  /** node id -> that node's UI output (file lists under `images`/`gifs`/`videos`/`audio`, plus other keys). */
  outputs: Record<string, Record<string, unknown>>;
  /** Absent on ComfyUI versions from before mid-2023. */
  status: ComfyHistoryStatus | null;
}

export interface ComfyHistoryStatus {
  /** "success" or "error". */
  statusStr: string;
  completed: boolean;
  /** The execution messages in order, as `[type, data]`. */
  messages: Array<[string, Record<string, unknown>]>;
}

/** A JSON message on the `/ws` socket. */
export interface ComfyMessage {
  type: string;
  data: Record<string, unknown>;
}

/** The parts of `/system_stats` the adapter reports. */
export interface ComfySystemStats {
  comfyuiVersion: string | null;
  devices: Array<{ name: string; type: string; vramTotal: number | null; vramFree: number | null }>;
}
