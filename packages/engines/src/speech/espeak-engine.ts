/**
 * The built-in speech engine: eSpeak NG compiled to WebAssembly, shipped in npm, offline, on any CPU.
 * Returns 22.05 kHz mono audio with word timings (from SSML marks, see espeak-timing.ts) and IPA phoneme
 * timings (from eSpeak's phoneme events). The voice is shaped from a VoiceProfile (see espeak-voice.ts).
 * Output is deterministic: the same text, language and profile give the same samples.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import { concatAudio, int16ToFloat32 } from '../audio/pcm.js';
import type { PhonemeTiming, SpeechResult, WordTiming } from '../types.js';
import { throwIfAborted, yieldToEventLoop } from './abort.js';
import { splitIntoChunks } from './chunks.js';
import { type ChunkWord, timingsFromEvents } from './espeak-timing.js';
import { prosodyFor } from './espeak-voice.js';
import { withEspeak } from './espeak-wasm.js';
import { escapeSsml, tokenizeWords, wordWeight } from './text.js';
import type { SpeechEngine, SpeechEngineDescription, SpeechSynthesisOptions } from './types.js';

export const ESPEAK_ENGINE_NAME = 'espeak-ng';

const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/;

export interface EspeakSpeechEngineOptions {
  /** Language when a call names none (BCP-47). Default "en" (American English voice). */
  defaultLanguage?: string;
}

/** eSpeak voice names to try for a language tag, best first. */
export function espeakVoicesFor(language: string): string[] {
  const tag = language.trim().toLowerCase().replaceAll('_', '-');
  if (!LANGUAGE_TAG.test(tag)) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `"${language}" is not a language tag (like "en" or "en-GB")`,
    );
  }
  const primary = tag.split('-')[0] ?? tag;
  const names = primary === 'en' && tag === 'en' ? ['en-us'] : [tag, primary === 'en' ? 'en-us' : primary];
  return [...new Set(names)];
}

function chunkSsml(words: ReadonlyArray<{ raw: string; index: number | null }>): string {
  return words
    .map(({ raw, index }) => {
      // "[[" would switch eSpeak to phoneme-mnemonic input.
      const body = escapeSsml(raw.replaceAll('[[', '[ ['));
      return index === null ? body : `<mark name="w${index}"/>${body}`;
    })
    .join(' ');
}

export class EspeakSpeechEngine implements SpeechEngine {
  private readonly defaultLanguage: string;

  constructor(options: EspeakSpeechEngineOptions = {}) {
    this.defaultLanguage = options.defaultLanguage ?? 'en';
  }

  describe(): SpeechEngineDescription {
    return { name: ESPEAK_ENGINE_NAME, builtIn: true };
  }

  async synthesize(text: string, options: SpeechSynthesisOptions = {}): Promise<SpeechResult> {
    const { signal, onProgress } = options;
    if (text.trim() === '')
      throw new MySpinBotError('NODE_INPUT_INVALID', 'Nothing to say: the text is empty');
    const totalWords = tokenizeWords(text).length;
    if (totalWords === 0) {
      throw new MySpinBotError(
        'NODE_INPUT_INVALID',
        'Nothing to say: the text has no words, only punctuation',
      );
    }
    const language = options.language ?? this.defaultLanguage;
    const voices = espeakVoicesFor(language);
    const prosody = prosodyFor(options.voice);
    const chunks = splitIntoChunks(text);
    throwIfAborted(signal);
    onProgress?.(0, 'Waiting for eSpeak NG');

    return withEspeak(async (session) => {
      throwIfAborted(signal);
      const configured = voices.some((voice) =>
        session.configure({
          voice: prosody.variant === null ? voice : `${voice}+${prosody.variant}`,
          pitch: prosody.pitch,
          range: prosody.range,
          rate: prosody.rate,
        }),
      );
      if (!configured) {
        throw new MySpinBotError('NODE_INPUT_INVALID', `eSpeak NG has no voice for language "${language}"`);
      }
      const sampleRate = session.sampleRate;
      const pieces: Int16Array[] = [];
      const words: WordTiming[] = [];
      const phonemes: PhonemeTiming[] = [];
      let totalSamples = 0;
      let nextIndex = 0;
      for (const chunk of chunks) {
        throwIfAborted(signal);
        const tokens = chunk.tokens.map((token) => ({
          raw: token.raw,
          index: token.word === '' ? null : nextIndex++,
        }));
        const chunkWords: ChunkWord[] = [];
        for (let k = 0; k < tokens.length; k++) {
          const token = chunk.tokens[k];
          const index = tokens[k]?.index;
          if (token === undefined || index === null || index === undefined) continue;
          chunkWords.push({ index, text: token.word, weight: wordWeight(token.word) });
        }
        const output = session.synthesize(chunkSsml(tokens));
        const offsetMs = (totalSamples * 1000) / sampleRate;
        const chunkMs = (output.samples.length * 1000) / sampleRate;
        const timings = timingsFromEvents(chunkWords, output.events, chunkMs);
        for (const word of timings.words) {
          words.push({ text: word.text, startMs: word.startMs + offsetMs, endMs: word.endMs + offsetMs });
        }
        for (const phoneme of timings.phonemes) {
          phonemes.push({
            phoneme: phoneme.phoneme,
            startMs: phoneme.startMs + offsetMs,
            endMs: phoneme.endMs + offsetMs,
          });
        }
        pieces.push(output.samples);
        totalSamples += output.samples.length;
        onProgress?.((0.98 * nextIndex) / totalWords, `Spoke ${nextIndex} of ${totalWords} words`);
        // Let abort signals and other work in.
        await yieldToEventLoop();
      }
      throwIfAborted(signal);

      const audio = concatAudio(sampleRate, pieces.map(int16ToFloat32));
      const durationMs = (totalSamples * 1000) / sampleRate;
      // Times stay ordered, non-overlapping and inside the audio whatever the events said.
      let floor = 0;
      for (const word of words) {
        word.startMs = Math.min(durationMs, Math.max(floor, word.startMs));
        word.endMs = Math.min(durationMs, Math.max(word.startMs, word.endMs));
        floor = word.endMs;
      }
      let phonemeFloor = 0;
      const orderedPhonemes: PhonemeTiming[] = [];
      for (const phoneme of phonemes) {
        const startMs = Math.max(phonemeFloor, phoneme.startMs);
        const endMs = Math.min(durationMs, phoneme.endMs);
        if (endMs <= startMs) continue;
        orderedPhonemes.push({ phoneme: phoneme.phoneme, startMs, endMs });
        phonemeFloor = endMs;
      }
      onProgress?.(1, 'Speech ready');
      return {
        audio,
        durationMs,
        words,
        phonemes: orderedPhonemes,
        engine: ESPEAK_ENGINE_NAME,
      };
    }, signal);
  }
}
