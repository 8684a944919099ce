/**
 * Types for the parts of @echogarden/espeak-ng-emscripten (an Emscripten/wasm2js build of eSpeak NG with a
 * WebIDL binding) that espeak-wasm.ts uses. The package ships no types of its own.
 */
declare module '@echogarden/espeak-ng-emscripten' {
  /** An event as the binding's synthesize() reports it; audio_position is in ms from the call's start. */
  export interface EspeakRawEvent {
    type:
      | 'list_terminated'
      | 'word'
      | 'sentence'
      | 'mark'
      | 'play'
      | 'end'
      | 'msg_terminated'
      | 'phoneme'
      | 'samplerate';
    text_position: number;
    word_length: number;
    audio_position: number;
    /** Mark name or phoneme (IPA) for mark/play/phoneme events, a number for word/sentence events. */
    id?: string | number;
  }

  export interface EspeakVoiceListing {
    name: string;
    identifier: string;
    languages: Array<{ priority: number; name: string }>;
  }

  /** A C string already in the module's memory: the binding passes `ptr` through untouched. */
  export interface EspeakPointer {
    ptr: number;
  }

  export interface EspeakNGWorker {
    readonly samplerate: number;
    /** Words per minute (espeak's espeakRATE, 80-450). */
    rate: number;
    /** 0-100, 50 is the voice's own pitch. */
    pitch: number;
    /** 0-100, 50 is the voice's own intonation range. */
    range: number;
    /** 0-200, 100 is normal. */
    volume: number;
    /** Returns espeak's status code (0 when the voice was found). */
    set_voice(name: string | EspeakPointer): number;
    /**
     * Synthesises SSML (espeakSSML | espeakPHONEMES | UTF-8) synchronously; the callback gets each audio
     * chunk (22.05 kHz mono int16) with its events and returns true to stop early.
     */
    synthesize(
      text: string | EspeakPointer,
      callback: (samples: Int16Array, events: EspeakRawEvent[]) => boolean,
    ): void;
    list_voices(): EspeakVoiceListing[];
  }

  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakNGWorker;
    HEAPU8: Uint8Array;
    _malloc(size: number): number;
    _free(pointer: number): void;
  }

  const initialize: (moduleArg?: Record<string, unknown>) => Promise<EspeakModule>;
  export default initialize;
}
