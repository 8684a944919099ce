import { createHash } from 'node:crypto';
import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { rmsOf } from '../src/audio/envelope.js';
import { ESPEAK_ENGINE_NAME, EspeakSpeechEngine } from '../src/speech/espeak-engine.js';
import { listEspeakVoices } from '../src/speech/espeak-wasm.js';
import type { SpeechResult, VoiceProfile } from '../src/types.js';
import { measureVoice } from '../src/voice/measure.js';
import { expectValidTimings } from './speech-helpers.js';

const engine = new EspeakSpeechEngine();

const LONG_TEXT =
  'Welcome to the harbour town of Kellan Bay. Every morning, before the sun is fully up, the fishing boats ' +
  'slip out past the lighthouse and into the grey water. By noon the market is full: crates of mackerel, ' +
  'baskets of crab, and the loud voices of traders who have known each other for forty years. Visitors ' +
  'often ask why the town has stayed so small. The answer is simple. The road from the city is narrow, the ' +
  'winters are long, and the people like it that way. In the evening, the pub at the end of the pier fills ' +
  'with music. Someone always brings a fiddle; someone else always sings too loudly. If you stay long ' +
  'enough, you will learn the words. And if you are lucky, you will be invited back next summer, when the ' +
  'festival lights hang over every street and the whole bay seems to glow. That is Kellan Bay. Come and ' +
  'see it for yourself, before everyone else does.';

function digest(result: SpeechResult): string {
  return createHash('sha256')
    .update(
      new Uint8Array(
        result.audio.samples.buffer,
        result.audio.samples.byteOffset,
        result.audio.samples.byteLength,
      ),
    )
    .digest('hex');
}

function profile(pitchHz: number, wordsPerMinute: number): VoiceProfile {
  return {
    version: 1,
    pitchHz,
    pitchRangeSemitones: 2,
    wordsPerMinute,
    syllablesPerSecond: 4,
    loudnessDbfs: -20,
    voicedRatio: 0.5,
    sampleDurationS: 10,
    transcript: null,
  };
}

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

describe('EspeakSpeechEngine', () => {
  it('describes itself as the built-in engine', () => {
    expect(engine.describe()).toEqual({ name: 'espeak-ng', builtIn: true });
  });

  it('speaks a sentence with word timings matching the text and IPA phonemes', async () => {
    const text = 'Hello world, this is MySpinBot speaking.';
    const result = await engine.synthesize(text);
    expect(result.engine).toBe(ESPEAK_ENGINE_NAME);
    expect(result.audio.sampleRate).toBe(22050);
    expect(result.durationMs).toBeGreaterThan(1500);
    expect(result.durationMs).toBeLessThan(5000);
    expect(rmsOf(result.audio.samples)).toBeGreaterThan(0.02);
    expectValidTimings(result, text);
    for (const word of result.words) expect(word.endMs - word.startMs).toBeGreaterThan(40);
    const hello = result.phonemes.filter(
      (p) => p.startMs >= (result.words[0]?.startMs ?? 0) && p.endMs <= (result.words[0]?.endMs ?? 0),
    );
    expect(hello.map((p) => p.phoneme).join('')).toBe('həlˈoʊ');
    // The pause at the comma belongs to no word.
    expect((result.words[2]?.startMs ?? 0) - (result.words[1]?.endMs ?? 0)).toBeGreaterThan(50);
  });

  it('keeps one timing per word through merged words, dropped marks, symbols, numbers and SSML characters', async () => {
    const texts = [
      'I am here. I am sure I will do it, and this one too.',
      'Dr. Smith met Mr. Jones at 5 p.m. in the U.S. embassy. Use e.g. this one. The end.',
      'Tom & Jerry <3 cost $3.50 — about 50% of [[the]] price... "Really?" (yes!) 1999, 2024; ok: done.',
      '  Multiple   spaces\tand\nnewlines   here  ',
    ];
    for (const text of texts) expectValidTimings(await engine.synthesize(text), text);
  });

  it('splits words eSpeak speaks as one unit at a phoneme boundary', async () => {
    const result = await engine.synthesize('I am here.');
    const [i, am] = result.words;
    expect(i?.endMs).toBeGreaterThan(i?.startMs ?? 0);
    expect(am?.endMs).toBeGreaterThan(am?.startMs ?? 0);
    const inside = (start: number, end: number) =>
      result.phonemes.filter((p) => p.startMs >= start && p.endMs <= end).map((p) => p.phoneme);
    expect(inside(i?.startMs ?? 0, i?.endMs ?? 0)).toEqual(['aɪ']);
    expect(inside(am?.startMs ?? 0, am?.endMs ?? 0).join('')).toContain('m');
  });

  it('is deterministic: the same input gives byte-identical audio, whatever ran before', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const options = { voice: profile(130, 160) };
    const first = await engine.synthesize(text, options);
    await engine.synthesize('Something else entirely, to disturb the state!', { voice: profile(220, 190) });
    const second = await engine.synthesize(text, options);
    expect(digest(second)).toBe(digest(first));
    expect(second.words).toEqual(first.words);
    expect(second.phonemes).toEqual(first.phonemes);
  });

  it('serialises concurrent calls safely (same results as one at a time)', async () => {
    const texts = ['One two three.', 'Four five six seven.', 'Eight nine ten eleven twelve.'];
    const sequential: string[] = [];
    for (const text of texts) sequential.push(digest(await engine.synthesize(text)));
    const concurrent = await Promise.all(texts.map((text) => engine.synthesize(text)));
    expect(concurrent.map(digest)).toEqual(sequential);
    for (const [k, result] of concurrent.entries()) expectValidTimings(result, texts[k] ?? '');
  });

  it('speaks about 150 words with progress up to 1', async () => {
    const progress: number[] = [];
    const started = performance.now();
    const result = await engine.synthesize(LONG_TEXT, { onProgress: (fraction) => progress.push(fraction) });
    const elapsedMs = performance.now() - started;
    expectValidTimings(result, LONG_TEXT);
    expect(result.words.length).toBeGreaterThanOrEqual(140);
    expect(result.durationMs).toBeGreaterThan(35_000);
    // Faster than real time by a wide margin.
    expect(elapsedMs).toBeLessThan(result.durationMs / 5);
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.length).toBeGreaterThan(10);
    for (let k = 1; k < progress.length; k++)
      expect(progress[k]).toBeGreaterThanOrEqual(progress[k - 1] ?? 0);
    expect(result.phonemes.length).toBeGreaterThan(400);
  });

  it('shapes the voice from a profile: pitch and rate follow it', async () => {
    const text = 'Every morning I walk down to the harbour and watch the fishing boats come in.';
    const low = await engine.synthesize(text, { voice: profile(95, 130) });
    const high = await engine.synthesize(text, { voice: profile(230, 200) });
    const lowVoice = measureVoice(low.audio, text);
    const highVoice = measureVoice(high.audio, text);
    expect(highVoice.pitchHz).toBeGreaterThan(lowVoice.pitchHz * 1.8);
    expect(high.durationMs).toBeLessThan(low.durationMs * 0.8);
  });

  it('speaks other languages eSpeak has and refuses unknown ones', async () => {
    const text = 'Guten Morgen, wie geht es dir?';
    expectValidTimings(await engine.synthesize(text, { language: 'de' }), text);
    const english = new EspeakSpeechEngine({ defaultLanguage: 'en-GB' });
    expectValidTimings(await english.synthesize('Good evening.'), 'Good evening.');
    const error = await rejection(engine.synthesize('Hello.', { language: 'xx-zz' }));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('xx-zz');
    const voices = await listEspeakVoices();
    expect(voices.some((voice) => voice.identifier === 'gmw/en-US')).toBe(true);
  });

  it('refuses empty and punctuation-only text with NODE_INPUT_INVALID', async () => {
    for (const text of ['', '   \n\t', '— ... !?']) {
      const error = await rejection(engine.synthesize(text));
      expect(error.code).toBe('NODE_INPUT_INVALID');
    }
  });

  it('honours an AbortSignal before and during synthesis with NODE_CANCELLED', async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect((await rejection(engine.synthesize('Hello there.', { signal: aborted.signal }))).code).toBe(
      'NODE_CANCELLED',
    );

    const controller = new AbortController();
    const progress: number[] = [];
    const error = await rejection(
      engine.synthesize(LONG_TEXT, {
        signal: controller.signal,
        onProgress: (fraction) => {
          progress.push(fraction);
          if (fraction > 0.1) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('NODE_CANCELLED');
    expect(progress[progress.length - 1]).toBeLessThan(0.5);

    // A reason that already is a MySpinBotError is kept.
    const timedOut = new AbortController();
    timedOut.abort(new MySpinBotError('NODE_TIMEOUT', 'too slow'));
    expect((await rejection(engine.synthesize('Hello.', { signal: timedOut.signal }))).code).toBe(
      'NODE_TIMEOUT',
    );

    // A call still queued behind another one rejects as soon as its signal aborts.
    const order: string[] = [];
    const first = engine.synthesize(LONG_TEXT).then(() => order.push('first done'));
    const queued = new AbortController();
    const second = rejection(engine.synthesize('Queued.', { signal: queued.signal })).then((queuedError) => {
      order.push('second cancelled');
      return queuedError;
    });
    setImmediate(() => queued.abort());
    expect((await second).code).toBe('NODE_CANCELLED');
    await first;
    expect(order).toEqual(['second cancelled', 'first done']);

    // The engine is still usable afterwards.
    expectValidTimings(await engine.synthesize('Still working.'), 'Still working.');
  });
});
