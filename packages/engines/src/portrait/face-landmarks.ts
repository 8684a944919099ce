/**
 * Face + mouth landmarks from @vladmandic/human on the tfjs WASM backend, with every model read from the
 * npm package on disk. Rules kept here:
 * - the library is loaded once per process (lazy singleton) from `dist/human.node-wasm.js` by resolved file
 *   path (its `exports` map is broken), and nothing is fetched from the network: `file://` model URLs are
 *   served by an IO router that reads with fs, and the WASM binaries come from the local tfjs-backend-wasm;
 * - images are decoded with sharp to raw RGB and handed over as an int32 tensor;
 * - the process-wide `uncaughtException`/`unhandledRejection` handlers the WASM runtime installs (they
 *   rethrow, turning any stray rejection into a crash) are removed again once the backend is up;
 * - nothing is cached between calls, so the same photo always gives the same landmarks;
 * - the most prominent face (box area x confidence) wins; no face is NO_FACE_FOUND, an undecodable image is
 *   MEDIA_INVALID.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MySpinBotError } from '@myspinbot/contracts';
import sharp from 'sharp';

/** A 2-D point in image pixels. */
export interface Point2 {
  x: number;
  y: number;
}

/** A face found in a photo, in the photo's pixel coordinates. */
export interface FaceLandmarks {
  /** Face box [x, y, width, height] in pixels. */
  box: [number, number, number, number];
  /** Detection confidence 0..1. */
  confidence: number;
  /** The 468-point face mesh (478 with irises), MediaPipe topology, in pixels. */
  mesh: Point2[];
  imageWidth: number;
  imageHeight: number;
}

interface TensorLike {
  dispose(): void;
}

interface HumanFace {
  score: number;
  boxScore: number;
  box: [number, number, number, number];
  mesh: [number, number, number?][];
}

interface HumanLike {
  tf: {
    io: {
      registerLoadRouter(
        router: (url: string | string[]) => { load(): Promise<ModelArtifacts> } | null,
      ): void;
    };
    tensor(values: Int32Array, shape: number[], dtype: 'int32'): TensorLike;
  };
  load(): Promise<void>;
  detect(input: TensorLike): Promise<{ face: HumanFace[]; error: string | null }>;
}

interface ModelArtifacts {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
}

interface ModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
}

type HumanConstructor = new (config: Record<string, unknown>) => HumanLike;

const requireFromHere = createRequire(import.meta.url);

/** Reads a tfjs graph model (model.json + weight shards) from a `file://` URL. */
async function loadModelFromFile(url: string): Promise<ModelArtifacts> {
  const jsonPath = fileURLToPath(url);
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  const weightSpecs: unknown[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) shards.push(await readFile(join(dirname(jsonPath), shard)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const artifacts: ModelArtifacts = { modelTopology: json.modelTopology, weightSpecs, weightData };
  if (json.format !== undefined) artifacts.format = json.format;
  if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
  if (json.convertedBy !== undefined) artifacts.convertedBy = json.convertedBy;
  if (json.signature !== undefined) artifacts.signature = json.signature;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.modelInitializer !== undefined) artifacts.modelInitializer = json.modelInitializer;
  return artifacts;
}

/** Runs `start` and removes the process-level error handlers it added. */
async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const exceptions = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  try {
    return await start();
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!exceptions.has(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!rejections.has(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

async function createHuman(): Promise<HumanLike> {
  // Both packages resolve (through their `node` entry) to a file inside their own dist/ folder.
  const humanDist = dirname(requireFromHere.resolve('@vladmandic/human'));
  const humanDir = dirname(humanDist);
  const wasmDist = dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm'));
  const module = requireFromHere(join(humanDist, 'human.node-wasm.js')) as { Human: HumanConstructor };
  const human = new module.Human({
    backend: 'wasm',
    wasmPath: `${wasmDist}/`,
    modelBasePath: `${pathToFileURL(join(humanDir, 'models')).href}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    // Every call is a new still photo: no result caching between calls (it is meant for video streams and
    // would make a second detection of the same photo differ from the first).
    cacheSensitivity: 0,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: {
        rotation: true,
        maxDetected: 5,
        minConfidence: 0.3,
        return: false,
        skipFrames: 0,
        skipTime: 0,
      },
      mesh: { enabled: true },
      iris: { enabled: true, skipFrames: 0, skipTime: 0 },
      attention: { enabled: false },
      description: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
  });
  human.tf.io.registerLoadRouter((url) =>
    typeof url === 'string' && url.startsWith('file://') ? { load: () => loadModelFromFile(url) } : null,
  );
  await withoutAddedProcessHandlers(() => human.load());
  return human;
}

let humanPromise: Promise<HumanLike> | undefined;

/** The process-wide detector, created on first use. A failed start is forgotten so a later call retries. */
function getHuman(): Promise<HumanLike> {
  if (humanPromise === undefined) {
    humanPromise = createHuman().catch((error: unknown) => {
      humanPromise = undefined;
      throw error;
    });
  }
  return humanPromise;
}

/** Decodes any image sharp reads into raw 3-channel RGB (EXIF orientation applied). */
export async function decodeRgb(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  try {
    const { data, info } = await sharp(image)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { data, width: info.width, height: info.height };
  } catch (cause) {
    throw new MySpinBotError('MEDIA_INVALID', 'The portrait image could not be decoded', { cause });
  }
}

/** Ranks faces by prominence: box area times confidence. */
export function pickMostProminentFace<T extends { box: [number, number, number, number]; score: number }>(
  faces: readonly T[],
): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const face of faces) {
    const prominence = Math.max(0, face.box[2]) * Math.max(0, face.box[3]) * face.score;
    if (prominence > bestScore) {
      best = face;
      bestScore = prominence;
    }
  }
  return best;
}

/** Finds the most prominent face in decoded RGB pixels. */
export async function detectFaceInRgb(rgb: {
  data: Buffer;
  width: number;
  height: number;
}): Promise<FaceLandmarks> {
  const human = await getHuman();
  const tensor = human.tf.tensor(Int32Array.from(rgb.data), [1, rgb.height, rgb.width, 3], 'int32');
  let faces: HumanFace[];
  try {
    const result = await human.detect(tensor);
    if (result.error !== null && result.error !== '') {
      throw new MySpinBotError('MEDIA_INVALID', `Face detection failed: ${result.error}`);
    }
    faces = result.face.filter((face) => face.mesh.length >= 468);
  } finally {
    tensor.dispose();
  }
  const face = pickMostProminentFace(faces.map((f) => ({ ...f, score: f.boxScore || f.score })));
  if (face === undefined) {
    throw new MySpinBotError('NO_FACE_FOUND', 'No face was found in the portrait', {
      details: { width: rgb.width, height: rgb.height },
    });
  }
  return {
    box: [face.box[0], face.box[1], face.box[2], face.box[3]],
    confidence: face.score,
    mesh: face.mesh.map((p) => ({ x: p[0], y: p[1] })),
    imageWidth: rgb.width,
    imageHeight: rgb.height,
  };
}

/** Decodes a photo and finds its most prominent face. */
export async function detectFace(image: Buffer): Promise<FaceLandmarks> {
  return detectFaceInRgb(await decodeRgb(image));
}
