/**
 * The process-wide eSpeak NG instance (WASM build from npm, loaded lazily, once).
 *
 * Rules this module keeps:
 * - One module per process: the first use loads it (about 0.5 s, 24 MB of voice data read from the
 *   package); a failed load is not cached, so a later call tries again.
 * - One user at a time: eSpeak keeps global state (voice, parameters, callback), so withEspeak() runs its
 *   callers strictly one after another.
 * - Same input, same output: eSpeak carries generator state from one utterance to the next (pitch flutter
 *   phase, echo buffer, gain control, random seed), so every session starts from a snapshot of the module's
 *   memory taken right after initialisation. Strings are passed as pointers we allocate in that memory,
 *   never through the binding's own string cache, so no JavaScript-side pointer outlives a restore.
 */
import type {
  EspeakModule,
  EspeakNGWorker,
  EspeakRawEvent,
  EspeakVoiceListing,
} from '@echogarden/espeak-ng-emscripten';
import { MySpinBotError } from '@myspinbot/contracts';
import { cancelledError } from './abort.js';

export type EspeakEventType = EspeakRawEvent['type'];

/** An eSpeak event with its time in ms from the start of that synthesis call. */
export interface EspeakEvent {
  type: EspeakEventType;
  audioPositionMs: number;
  /** Mark name or IPA phoneme (string), word/sentence number, or null. */
  id: string | number | null;
}

/** Voice and prosody for a session. */
export interface EspeakSettings {
  /** eSpeak voice name, e.g. "en-us" or "en-us+f4". */
  voice: string;
  /** Words per minute, 80-450. */
  rate: number;
  /** 0-100 (50 = the voice's own pitch). */
  pitch: number;
  /** 0-100 (50 = the voice's own intonation range). */
  range: number;
}

export interface EspeakChunk {
  samples: Int16Array;
  events: EspeakEvent[];
}

/** Exclusive access to the engine for the duration of one withEspeak() callback. */
export interface EspeakSession {
  readonly sampleRate: number;
  /** Selects voice and prosody; returns false when eSpeak has no such voice. */
  configure(settings: EspeakSettings): boolean;
  /** Synthesises one SSML text synchronously. */
  synthesize(ssml: string): EspeakChunk;
  /** The voices eSpeak has. */
  listVoices(): EspeakVoiceListing[];
}

interface Loaded {
  module: EspeakModule;
  worker: EspeakNGWorker;
  /** The module's memory right after initialisation. */
  pristine: Uint8Array;
}

let loading: Promise<Loaded> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Control characters and replacement characters appear when a phoneme name fills its 8-byte slot. */
const PHONEME_NOISE = /[\p{Cc}\ufffd]/gu;

async function load(): Promise<Loaded> {
  try {
    const { default: initialize } = await import('@echogarden/espeak-ng-emscripten');
    const module = await initialize();
    const worker = new module.eSpeakNGWorker();
    // Selecting a voice once makes the binding allocate its internal buffers before the snapshot.
    const name = writeCString(module, 'en-us');
    if (worker.set_voice(name) !== 0) throw new Error('the bundled en-us voice did not load');
    return { module, worker, pristine: module.HEAPU8.slice() };
  } catch (error) {
    throw new MySpinBotError('ENGINE_UNAVAILABLE', `eSpeak NG could not be loaded: ${String(error)}`, {
      retryable: false,
      cause: error,
    });
  }
}

/** Loads the module if needed. A rejected load is forgotten so a later call retries. */
function instance(): Promise<Loaded> {
  if (loading === undefined) {
    const attempt = load();
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

function writeCString(module: EspeakModule, text: string): { ptr: number } {
  const bytes = new TextEncoder().encode(text);
  const pointer = module._malloc(bytes.length + 1);
  if (pointer === 0) throw new MySpinBotError('ENGINE_UNAVAILABLE', 'eSpeak NG ran out of memory');
  module.HEAPU8.set(bytes, pointer);
  module.HEAPU8[pointer + bytes.length] = 0;
  return { ptr: pointer };
}

function restore(loaded: Loaded): void {
  const heap = loaded.module.HEAPU8;
  heap.set(loaded.pristine);
  if (heap.length > loaded.pristine.length) heap.fill(0, loaded.pristine.length);
}

function toEvent(raw: EspeakRawEvent): EspeakEvent {
  let id: string | number | null = raw.id ?? null;
  if (typeof id === 'string' && raw.type === 'phoneme') id = id.replace(PHONEME_NOISE, '');
  return { type: raw.type, audioPositionMs: raw.audio_position, id };
}

function session(loaded: Loaded, isOpen: () => boolean): EspeakSession {
  const { module, worker } = loaded;
  const guard = (): void => {
    if (!isOpen()) throw new MySpinBotError('SERVICE_FAILED', 'eSpeak session used after it ended');
  };
  return {
    sampleRate: worker.samplerate,
    configure(settings: EspeakSettings): boolean {
      guard();
      if (worker.set_voice(writeCString(module, settings.voice)) !== 0) return false;
      worker.rate = Math.round(settings.rate);
      worker.pitch = Math.round(settings.pitch);
      worker.range = Math.round(settings.range);
      worker.volume = 100;
      return true;
    },
    synthesize(ssml: string): EspeakChunk {
      guard();
      const pieces: Int16Array[] = [];
      const events: EspeakEvent[] = [];
      const text = writeCString(module, ssml);
      worker.synthesize(text, (samples, raw) => {
        if (samples.length > 0) pieces.push(samples);
        for (const event of raw) events.push(toEvent(event));
        return false;
      });
      module._free(text.ptr);
      let total = 0;
      for (const piece of pieces) total += piece.length;
      const samples = new Int16Array(total);
      let offset = 0;
      for (const piece of pieces) {
        samples.set(piece, offset);
        offset += piece.length;
      }
      return { samples, events };
    },
    listVoices(): EspeakVoiceListing[] {
      guard();
      return worker.list_voices();
    },
  };
}

/**
 * Runs `work` with exclusive use of the engine, starting from the pristine state. Calls queue up in order;
 * a failing call does not block the ones after it. With a signal, a call still waiting for its turn
 * rejects as soon as the signal aborts (and its work never runs); a running call is left to notice the
 * signal itself.
 */
export function withEspeak<T>(
  work: (session: EspeakSession) => Promise<T> | T,
  signal?: AbortSignal,
): Promise<T> {
  const turn = queue.then(async () => {
    if (signal?.aborted === true) throw cancelledError(signal);
    const loaded = await instance();
    restore(loaded);
    let open = true;
    try {
      return await work(session(loaded, () => open));
    } finally {
      open = false;
    }
  });
  queue = turn.catch(() => undefined);
  if (signal === undefined) return turn;
  if (signal.aborted) {
    turn.catch(() => undefined);
    return Promise.reject(cancelledError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      turn.catch(() => undefined);
      reject(cancelledError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    turn.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Voices eSpeak offers (identifier such as "gmw/en-US", display name, languages). */
export function listEspeakVoices(): Promise<
  Array<{ identifier: string; name: string; languages: string[] }>
> {
  return withEspeak((session) =>
    session.listVoices().map((voice) => ({
      identifier: voice.identifier,
      name: voice.name,
      languages: voice.languages.map((language) => language.name),
    })),
  );
}
