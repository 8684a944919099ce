import { MySpinBotError } from '@myspinbot/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AutoScriptWriter, chooseBuiltInMode } from '../src/llm/auto-writer.js';
import { DIRECT_WRITER_NAME, DirectScriptWriter } from '../src/llm/direct-writer.js';
import { createScriptWriter, type ScriptWriterConfig } from '../src/llm/factory.js';
import { isInstructionPrompt, parseInstruction, toFirstPerson } from '../src/llm/instruction.js';
import { OllamaScriptWriter } from '../src/llm/ollama-writer.js';
import { OpenAIChatScriptWriter } from '../src/llm/openai-writer.js';
import { TEMPLATE_WRITER_NAME, TemplateScriptWriter } from '../src/llm/template-writer.js';
import { deriveTitle, tidyNarration } from '../src/llm/tidy.js';
import { tokenizeWords } from '../src/speech/text.js';

async function rejection(promise: Promise<unknown>): Promise<MySpinBotError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MySpinBotError);
  return error as MySpinBotError;
}

function thrown(run: () => unknown): MySpinBotError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MySpinBotError);
    return error as MySpinBotError;
  }
  throw new Error('expected a MySpinBotError');
}

/** Prose with markdown, emojis, quotes, line breaks and odd characters mixed in. */
const messyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc
    .array(
      fc.constantFrom(
        'hello',
        'World',
        'i',
        'rome',
        'e.g.',
        'Dr.',
        '**bold**',
        '_it_',
        '`code`',
        '# ',
        '- ',
        '\n',
        '\n\n',
        '"',
        '“',
        '’',
        '!!',
        '?',
        '...',
        ',',
        ';',
        ':',
        ' ',
        '  ',
        '😀',
        '👍🏽',
        '\u200b',
        '\t',
        '[a](b)',
        '<br>',
        '1.',
        '#tag',
        '---',
        '|',
        '(',
        ')',
        'ÉTÉ',
        'ça',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(' ')),
);

describe('tidyNarration', () => {
  it.each([
    ['  hello   world  ', 'Hello world.'],
    [
      'hello everyone!!! 😀 welcome to my **channel**. i love\u200b cooking',
      'Hello everyone! Welcome to my channel. I love cooking.',
    ],
    ['"Welcome to Rome, the eternal city"', 'Welcome to Rome, the eternal city.'],
    ['“Smart quotes” and it’s fine', '"Smart quotes" and it\'s fine.'],
    ['He said "hi and left', 'He said hi and left.'],
    [
      '# My trip\n- Day one: the Colosseum\n- Day two: the Vatican\n\nit was great',
      'My trip. Day one: the Colosseum. Day two: the Vatican. It was great.',
    ],
    ['Read [the guide](https://example.com) and `run it` now', 'Read the guide and run it now.'],
    ['a line that wraps\nin the middle', 'A line that wraps in the middle.'],
    ['First line\nSecond line', 'First line. Second line.'],
    ['Ends with a comma,', 'Ends with a comma.'],
    ['What?!? Really??', 'What? Really?'],
    ['Well... maybe not', 'Well... maybe not.'],
    ['THIS IS AMAZING NEWS FOR EVERYONE', 'This is amazing news for everyone.'],
    ['tabs\tand\u0007bells\u00a0and nbsp', 'Tabs and bells and nbsp.'],
    ['👍🏽🇫🇷 #travel with <b>friends</b>', 'Travel with friends.'],
  ])('%j -> %j', (input, expected) => {
    expect(tidyNarration(input)).toBe(expected);
  });

  it('leaves a lone "i" alone outside English, and returns "" when nothing is left', () => {
    expect(tidyNarration('je suis i', { english: false })).toBe('Je suis i.');
    expect(tidyNarration('🎉 🎉 **  ** ---')).toBe('');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(messyText, (text) => {
        const once = tidyNarration(text);
        expect(tidyNarration(once)).toBe(once);
      }),
    );
  });
});

describe('deriveTitle', () => {
  it('takes the first words of the first sentence without trailing function words', () => {
    expect(deriveTitle('Hello everyone. Welcome to my channel.')).toBe('Hello everyone');
    expect(deriveTitle('welcome to the best bakery in all of Rome.')).toBe('Welcome to the best bakery');
    expect(deriveTitle('Today I want to tell you about Rome.')).toBe('Today I want to tell');
    expect(deriveTitle('!!!')).toBe('Untitled');
  });
});

describe('DirectScriptWriter', () => {
  const writer = new DirectScriptWriter();

  it('speaks the prompt as written, tidied, with a derived title and a neutral stage', async () => {
    const script = await writer.write({ prompt: '  hi there!! 👋 this is **my** new bakery in rome  ' });
    expect(script).toEqual({
      title: 'Hi there',
      stage:
        'A head-and-shoulders portrait speaking directly to the camera with a calm, friendly expression.',
      narration: 'Hi there! This is my new bakery in rome.',
      engine: DIRECT_WRITER_NAME,
    });
    expect(writer.describe()).toEqual({ name: 'direct', builtIn: true });
  });

  it('keeps instructions as they are and never shortens (post-script enforces limits)', async () => {
    const script = await writer.write({ prompt: 'Introduce yourself as a tour guide', maxWords: 2 });
    expect(script.narration).toBe('Introduce yourself as a tour guide.');
  });

  it('puts the style into the stage', async () => {
    const script = await writer.write({ prompt: 'Good morning', style: 'cheerful' });
    expect(script.stage).toContain('cheerful tone');
  });

  it('is deterministic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 120 }), async (prompt) => {
        const first = await writer.write({ prompt }).catch((error: unknown) => error);
        const second = await writer.write({ prompt }).catch((error: unknown) => error);
        expect(second).toEqual(first);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects empty, unspeakable and oversized prompts and bad maxWords', async () => {
    expect((await rejection(writer.write({ prompt: '   ' }))).code).toBe('NODE_INPUT_INVALID');
    expect((await rejection(writer.write({ prompt: '🎉🎉' }))).message).toContain('no words');
    expect((await rejection(writer.write({ prompt: 'x'.repeat(9000) }))).code).toBe('NODE_INPUT_INVALID');
    expect((await rejection(writer.write({ prompt: 'Hello', maxWords: 0 }))).message).toContain('maxWords');
  });

  it('honours an aborted signal and reports progress', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(writer.write({ prompt: 'Hello' }, { signal: controller.signal }));
    expect(error.code).toBe('NODE_CANCELLED');
    const steps: number[] = [];
    await writer.write({ prompt: 'Hello' }, { onProgress: (fraction) => steps.push(fraction) });
    expect(steps).toEqual([1]);
  });
});

describe('instruction heuristics', () => {
  it.each([
    'Introduce yourself as a friendly tour guide of Rome',
    'You are a chef who loves pasta. Tell us about lasagne.',
    "you're a pirate",
    'Tell me about the history of Rome',
    'Please explain how solar panels work',
    'Can you describe our new coffee blend?',
    'I want you to talk like a pirate about treasure',
    'As a yoga teacher, explain why breathing matters',
    'Write a short video script about our new coffee blend',
    'Give a quick overview of the new features',
    'Talk about your favourite book',
    'Say something about the weather',
    'Thank my team for a great year',
    'Wish my sister a happy birthday',
    'A short video about recycling at home',
    'Pretend to be a robot from the future',
  ])('%j is an instruction', (prompt) => {
    expect(isInstructionPrompt(prompt)).toBe(true);
  });

  it.each([
    'Welcome to my channel!',
    'Hello everyone, I am Maria and I bake bread.',
    'Imagine a world without plastic.',
    'Can you believe it is already summer?',
    'I want you to know that we love you.',
    'Thank you for watching!',
    'Make sure you subscribe.',
    'Talk to you soon!',
    'Introducing our new app.',
    'Today we open our doors.',
  ])('%j is a text to speak', (prompt) => {
    expect(isInstructionPrompt(prompt)).toBe(false);
  });

  it('reads the role, topic or message', () => {
    expect(parseInstruction('Introduce yourself as a friendly tour guide of Rome')).toEqual({
      role: 'a friendly tour guide of Rome',
      topic: null,
      message: null,
    });
    expect(parseInstruction('You are a chef who loves pasta. Tell us about your favourite lasagne!')).toEqual(
      {
        role: 'a chef who loves pasta',
        topic: 'my favourite lasagne',
        message: null,
      },
    );
    expect(parseInstruction('Please tell everyone that the shop opens at nine.')).toEqual({
      role: null,
      topic: null,
      message: 'the shop opens at nine',
    });
    expect(parseInstruction('Explain how solar panels work')).toEqual({
      role: null,
      topic: 'how solar panels work',
      message: null,
    });
    expect(parseInstruction('Give a short talk about why you love hiking')).toEqual({
      role: null,
      topic: 'why I love hiking',
      message: null,
    });
  });

  it('turns second person into first person and keeps the first person', () => {
    expect(toFirstPerson('your trip and why you loved it')).toBe('my trip and why I loved it');
    expect(toFirstPerson('what makes you happy')).toBe('what makes me happy');
    expect(toFirstPerson("you're proud of yourself and my team")).toBe("I'm proud of myself and my team");
  });
});

describe('TemplateScriptWriter', () => {
  const writer = new TemplateScriptWriter();

  it('turns an introduction into a first-person greeting, body and closing', async () => {
    const script = await writer.write({ prompt: 'Introduce yourself as a friendly tour guide of Rome' });
    expect(script.engine).toBe(TEMPLATE_WRITER_NAME);
    expect(script.title).toBe('Meet a friendly tour guide of Rome');
    expect(script.narration).toMatch(
      /^(?:Hello!|Hi there,|Hello everyone,) I'm a friendly tour guide of Rome\. /,
    );
    expect(script.narration.split(/(?<=[.!?]) /).length).toBeGreaterThanOrEqual(3);
    expect(script.stage).toBe(
      'A friendly tour guide of Rome speaking directly to the camera in a warm, welcoming tone.',
    );
  });

  it('uses the topic for the body and the title', async () => {
    const script = await writer.write({ prompt: 'Tell me about the history of Rome', style: 'calm' });
    expect(script.title).toBe('The History of Rome');
    expect(script.narration).toContain('about the history of Rome.');
    expect(script.stage).toContain('calm tone');
  });

  it('passes a message on', async () => {
    const script = await writer.write({ prompt: 'Tell everyone that the shop opens at nine on Sundays' });
    expect(script.narration).toContain('the shop opens at nine on Sundays.');
    expect(script.title).toBe('The shop opens at nine');
  });

  it('drops the closing, then the greeting, to meet maxWords', async () => {
    const prompt = 'You are a baker. Tell us about sourdough bread';
    const full = await writer.write({ prompt });
    const short = await writer.write({ prompt, maxWords: tokenizeWords(full.narration).length - 1 });
    const shortest = await writer.write({ prompt, maxWords: 3 });
    expect(full.narration.startsWith(short.narration.replace(/\.$/, ''))).toBe(true);
    expect(tokenizeWords(short.narration).length).toBeLessThan(tokenizeWords(full.narration).length);
    expect(shortest.narration).toMatch(/sourdough bread\.$/);
    expect(shortest.narration).not.toContain('baker');
  });

  it('is deterministic and varies between prompts', async () => {
    const prompts = ['Tell me about Rome', 'Tell me about Paris', 'Tell me about Oslo', 'Tell me about Lima'];
    const first = await Promise.all(prompts.map((prompt) => writer.write({ prompt })));
    const second = await Promise.all(prompts.map((prompt) => writer.write({ prompt })));
    expect(second).toEqual(first);
    const shapes = new Set(first.map((script) => script.narration.replace(/Rome|Paris|Oslo|Lima/, 'X')));
    expect(shapes.size).toBeGreaterThan(1);
  });

  it('only writes English', async () => {
    const error = await rejection(writer.write({ prompt: 'Parle de Rome', language: 'fr' }));
    expect(error.code).toBe('NODE_INPUT_INVALID');
    expect(error.message).toContain('English');
  });
});

describe('AutoScriptWriter', () => {
  const writer = new AutoScriptWriter();

  it('uses the template for English instructions and the direct writer otherwise', async () => {
    expect(chooseBuiltInMode({ prompt: 'Explain how bees make honey' })).toBe('template');
    expect(chooseBuiltInMode({ prompt: 'Explain how bees make honey', language: 'de' })).toBe('direct');
    expect(chooseBuiltInMode({ prompt: 'Bees make honey all summer.' })).toBe('direct');
    expect((await writer.write({ prompt: 'Explain how bees make honey' })).engine).toBe('template');
    expect((await writer.write({ prompt: 'Bees make honey all summer.' })).engine).toBe('direct');
    expect(writer.describe()).toEqual({ name: 'auto', builtIn: true });
  });
});

describe('createScriptWriter', () => {
  it('builds each kind', () => {
    expect(createScriptWriter({ kind: 'direct' })).toBeInstanceOf(DirectScriptWriter);
    expect(createScriptWriter({ kind: 'template' })).toBeInstanceOf(TemplateScriptWriter);
    expect(createScriptWriter({ kind: 'auto' })).toBeInstanceOf(AutoScriptWriter);
    const ollama = createScriptWriter({ kind: 'ollama', url: 'http://127.0.0.1:11434', model: 'llama3.2' });
    expect(ollama).toBeInstanceOf(OllamaScriptWriter);
    expect(ollama.describe()).toEqual({ name: 'ollama', builtIn: false, model: 'llama3.2' });
    const openai = createScriptWriter({
      kind: 'openai',
      url: 'https://api.example.com/v1',
      model: 'gpt-x',
      apiKey: 'k',
    });
    expect(openai).toBeInstanceOf(OpenAIChatScriptWriter);
    expect(openai.describe()).toEqual({ name: 'openai-chat', builtIn: false, model: 'gpt-x' });
  });

  it('names the missing or invalid field', () => {
    const noUrl = thrown(() => createScriptWriter({ kind: 'ollama', model: 'llama3.2' }));
    expect(noUrl.code).toBe('CONFIG_INVALID');
    expect(noUrl.message).toContain('"url"');
    const noModel = thrown(() => createScriptWriter({ kind: 'openai', url: 'http://127.0.0.1:1' }));
    expect(noModel.code).toBe('CONFIG_INVALID');
    expect(noModel.message).toContain('"model"');
    const badUrl = thrown(() => createScriptWriter({ kind: 'ollama', url: 'ftp://host', model: 'm' }));
    expect(badUrl.code).toBe('CONFIG_INVALID');
    const badTimeout = thrown(() =>
      createScriptWriter({ kind: 'ollama', url: 'http://h', model: 'm', timeoutMs: -1 }),
    );
    expect(badTimeout.message).toContain('timeoutMs');
    const badKind = thrown(() => createScriptWriter({ kind: 'gpt' } as unknown as ScriptWriterConfig));
    expect(badKind.code).toBe('CONFIG_INVALID');
    expect(badKind.message).toContain('kind');
  });
});
