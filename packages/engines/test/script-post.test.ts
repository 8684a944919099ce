import { MySpinBotError } from '@myspinbot/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardinalWords, decadeWords, ordinalWords, yearWords } from '../src/script/numbers.js';
import { DEFAULT_MAX_SEGMENT_CHARS, postScript } from '../src/script/post-script.js';
import { splitSegments } from '../src/script/segments.js';
import { speakableNarration } from '../src/script/speakable.js';
import { tokenize, tokenizeWords } from '../src/speech/text.js';

const LIMITS = { maxWords: 500, maxChars: 5000 };

function thrown(run: () => unknown): MySpinBotError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MySpinBotError);
    return error as MySpinBotError;
  }
  throw new Error('expected a MySpinBotError');
}

describe('number words', () => {
  it.each([
    [0, 'zero'],
    [7, 'seven'],
    [13, 'thirteen'],
    [40, 'forty'],
    [21, 'twenty-one'],
    [100, 'one hundred'],
    [105, 'one hundred and five'],
    [999, 'nine hundred and ninety-nine'],
    [1000, 'one thousand'],
    [1005, 'one thousand and five'],
    [1500, 'one thousand five hundred'],
    [9999, 'nine thousand nine hundred and ninety-nine'],
  ])('cardinal %i -> %s', (n, words) => {
    expect(cardinalWords(n)).toBe(words);
  });

  it.each([
    [1066, 'ten sixty-six'],
    [1900, 'nineteen hundred'],
    [1905, 'nineteen oh five'],
    [1984, 'nineteen eighty-four'],
    [2000, 'two thousand'],
    [2007, 'two thousand and seven'],
    [2024, 'twenty twenty-four'],
  ])('year %i -> %s', (n, words) => {
    expect(yearWords(n)).toBe(words);
  });

  it('forms ordinals and decades', () => {
    expect([1, 2, 3, 5, 8, 9, 12, 20, 21, 100, 1000].map(ordinalWords)).toEqual([
      'first',
      'second',
      'third',
      'fifth',
      'eighth',
      'ninth',
      'twelfth',
      'twentieth',
      'twenty-first',
      'one hundredth',
      'one thousandth',
    ]);
    expect(decadeWords(1980)).toBe('nineteen eighties');
    expect(decadeWords(90)).toBe('nineties');
    expect(() => cardinalWords(10_000)).toThrow(RangeError);
  });
});

describe('speakableNarration', () => {
  it.each([
    ['Dr. Smith met Mr. Jones and Mrs. Lee.', 'Doctor Smith met Mister Jones and Missus Lee.'],
    [
      'Prof. Ada visited St. Peter and lives on Main St.',
      'Professor Ada visited Saint Peter and lives on Main Street.',
    ],
    [
      'Fruit, e.g. apples, i.e. healthy food, etc.',
      'Fruit, for example apples, that is healthy food, et cetera.',
    ],
    ['Apples, pears, etc. Then we left.', 'Apples, pears, et cetera. Then we left.'],
    ['E.g. this one. Cats vs. dogs.', 'For example this one. Cats versus dogs.'],
    ['We grew 50% & hired 12 people.', 'We grew fifty percent and hired twelve people.'],
    [
      'It costs $5.50, or €1, or £20.',
      'It costs five dollars and fifty cents, or one euro, or twenty pounds.',
    ],
    [
      'In 1984 there were 1984 sheep.',
      'In nineteen eighty-four there were one thousand nine hundred and eighty-four sheep.',
    ],
    ['From 1990 to 2005, prices fell.', 'From nineteen ninety to two thousand and five, prices fell.'],
    ['It was May 5, 2024 at 9:05.', 'It was May five, twenty twenty-four at nine oh five.'],
    ["The 1980s and the '90s.", 'The nineteen eighties and the nineties.'],
    ['She came 1st, he came 22nd.', 'She came first, he came twenty-second.'],
    [
      'Pi is 3.14 and 1,250 is big; 25,000 is bigger.',
      'Pi is three point one four and one thousand two hundred and fifty is big; 25,000 is bigger.',
    ],
    ['Wait 5-10 minutes at -5°C.', 'Wait five to ten minutes at minus five degrees Celsius.'],
    ['Drive 1 km at 50 km/h.', 'Drive one kilometre at fifty kilometres per hour.'],
    ['No. 5 beats #1. Agent 007.', 'Number five beats number one. Agent zero zero seven.'],
    ['5 apples.', 'Five apples.'],
    ['See https://example.com/a?b=1. Or www.example.org, now!', 'See. Or, now!'],
    ['**Big** news 🎉 from [our shop](https://shop.example)!', 'Big news from our shop!'],
  ])('%j -> %j', (input, expected) => {
    expect(speakableNarration(input)).toBe(expected);
  });

  it('leaves numbers and abbreviations alone outside English', () => {
    expect(speakableNarration('Il y a 5 pommes, etc. 🍎', { english: false })).toBe('Il y a 5 pommes, etc.');
  });
});

describe('postScript', () => {
  it('cleans and segments a narration that fits', () => {
    const result = postScript(
      {
        narration:
          'Hello! I am Dr. Rossi, and today, in 2024, I want to show you around the beautiful city of Rome.',
      },
      LIMITS,
    );
    expect(result.narration).toBe(
      'Hello! I am Doctor Rossi, and today, in twenty twenty-four, I want to show you around the beautiful city of Rome.',
    );
    expect(result.truncated).toBe(false);
    expect(result.words).toBe(21);
    expect(result.segments.map((segment) => segment.text)).toEqual([
      'Hello!',
      'I am Doctor Rossi, and today, in twenty twenty-four,',
      'I want to show you around the beautiful city of Rome.',
    ]);
    expect(result.segments.map((segment) => segment.index)).toEqual([0, 1, 2]);
    expect(result.segments.map((segment) => segment.words)).toEqual([1, 9, 11]);
    expect(result.estimatedDurationS).toBeGreaterThan(5);
    expect(result.estimatedDurationS).toBeLessThan(12);
  });

  it('splits a long sentence at clause marks, then evenly between words', () => {
    const text =
      'Then, after a long while, in a land far away, something happened that nobody had expected at all.';
    const segments = splitSegments(text, 42);
    expect(segments.map((segment) => segment.text)).toEqual([
      'Then, after a long while,',
      'in a land far away,',
      'something happened that',
      'nobody had expected at all.',
    ]);
  });

  it('cuts at the last sentence boundary that fits', () => {
    const narration = 'One two three four. Five six seven eight. Nine ten eleven twelve.';
    const byWords = postScript({ narration }, { maxWords: 9, maxChars: 1000 });
    expect(byWords.narration).toBe('One two three four. Five six seven eight.');
    expect(byWords.truncated).toBe(true);
    expect(byWords.words).toBe(8);
    const byChars = postScript({ narration }, { maxWords: 100, maxChars: 30 });
    expect(byChars.narration).toBe('One two three four.');
    expect(byChars.truncated).toBe(true);
  });

  it('cuts inside a sentence at a clause, else a word, when whole sentences keep too little', () => {
    const narration =
      'Hi. We walked to the old market, bought fresh bread and cheese, and then we went home happily.';
    const atClause = postScript({ narration }, { maxWords: 12, maxChars: 1000 });
    expect(atClause.narration).toBe('Hi. We walked to the old market, bought fresh bread and cheese.');
    expect(atClause.truncated).toBe(true);
    const farClause = postScript(
      { narration: 'Hi. Well, we walked to the old market and bought bread and went home.' },
      { maxWords: 12, maxChars: 1000 },
    );
    expect(farClause.narration).toBe('Hi. Well, we walked to the old market and bought bread.');
    const atWord = postScript(
      { narration: 'Supercalifragilistic words keep going on and on forever.' },
      { maxWords: 3, maxChars: 1000 },
    );
    expect(atWord.narration).toBe('Supercalifragilistic words keep.');
    const insideWord = postScript(
      { narration: 'Supercalifragilistic is long.' },
      { maxWords: 3, maxChars: 10 },
    );
    expect(insideWord.narration).toBe('Supercali.');
    expect(insideWord.words).toBe(1);
  });

  it('rejects a narration with nothing to speak and invalid limits', () => {
    expect(thrown(() => postScript({ narration: '🎉 **' }, LIMITS)).code).toBe('NODE_INPUT_INVALID');
    expect(thrown(() => postScript({ narration: 'Hi.' }, { maxWords: 0, maxChars: 10 })).message).toContain(
      'maxWords',
    );
    expect(
      thrown(() => postScript({ narration: 'Hi.' }, { maxWords: 5, maxChars: 10, maxSegmentChars: 1.5 }))
        .message,
    ).toContain('maxSegmentChars');
  });

  const vocabulary = [
    'hello',
    'Rome',
    'the',
    'beautiful',
    'city',
    'I',
    'am',
    'Dr.',
    'e.g.',
    'etc.',
    '42',
    '1984',
    '3.5',
    '50%',
    '$12',
    '21st',
    '9:30',
    'km',
    '&',
    'Supercalifragilisticexpialidocious',
    'https://example.com/x',
    '**bold**',
    '😀',
    '—',
    '-',
    '"quoted"',
    "it's",
    '(aside)',
  ];
  const punctuation = ['', '', '', ',', '.', '!', '?', ';', ':', '...'];
  const narrationText = fc
    .array(
      fc.tuple(
        fc.constantFrom(...vocabulary),
        fc.constantFrom(...punctuation),
        fc.constantFrom(' ', ' ', '  ', '\n'),
      ),
      {
        minLength: 1,
        maxLength: 80,
      },
    )
    .map((parts) => parts.map(([word, mark, space]) => `${word}${mark}${space}`).join(''));
  const anyText = fc.oneof(
    narrationText,
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
  );
  const limits = fc.record({
    maxWords: fc.integer({ min: 1, max: 120 }),
    maxChars: fc.integer({ min: 1, max: 700 }),
    maxSegmentChars: fc.integer({ min: 1, max: 100 }),
  });

  it('keeps exactly the narration words, in order, across the segments', () => {
    fc.assert(
      fc.property(anyText, limits, (narration, limit) => {
        let result: ReturnType<typeof postScript>;
        try {
          result = postScript({ narration }, limit);
        } catch (error) {
          expect(error).toBeInstanceOf(MySpinBotError);
          expect((error as MySpinBotError).code).toBe('NODE_INPUT_INVALID');
          return;
        }
        const words = tokenizeWords(result.narration);
        expect(result.segments.flatMap((segment) => tokenizeWords(segment.text))).toEqual(words);
        expect(result.segments.map((segment) => segment.text).join(' ')).toBe(result.narration);
        expect(result.words).toBe(words.length);
        result.segments.forEach((segment, index) => {
          expect(segment.index).toBe(index);
          expect(segment.words).toBe(tokenizeWords(segment.text).length);
          expect(segment.words).toBeGreaterThan(0);
          const wordTokens = tokenize(segment.text).filter((token) => token.word !== '');
          if (segment.text.length > limit.maxSegmentChars) expect(wordTokens).toHaveLength(1);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('stays within the word and character limits and flags every cut', () => {
    fc.assert(
      fc.property(narrationText, limits, (narration, limit) => {
        fc.pre(speakableNarration(narration) !== '');
        const result = postScript({ narration }, limit);
        const uncut = postScript({ narration }, LIMITS);
        expect(result.words).toBeGreaterThan(0);
        expect(result.words).toBeLessThanOrEqual(limit.maxWords);
        expect(result.narration.length).toBeLessThanOrEqual(limit.maxChars);
        expect(result.truncated).toBe(result.narration !== uncut.narration);
        if (limit.maxChars >= 40) expect(result.narration).toMatch(/[.!?…]["')\]}»]*$/u);
        if (!result.truncated) expect(result.words).toBe(uncut.words);
      }),
      { numRuns: 300 },
    );
  });

  it('is stable: post-processing its own narration changes nothing', () => {
    fc.assert(
      fc.property(narrationText, (narration) => {
        fc.pre(speakableNarration(narration) !== '');
        const once = postScript({ narration }, { maxWords: 1000, maxChars: 10_000 });
        const twice = postScript({ narration: once.narration }, { maxWords: 1000, maxChars: 10_000 });
        expect(twice.narration).toBe(once.narration);
        expect(twice.segments).toEqual(once.segments);
      }),
      { numRuns: 300 },
    );
  });

  it('defaults to segments of two 42-character lines', () => {
    expect(DEFAULT_MAX_SEGMENT_CHARS).toBe(84);
    const narration = Array.from({ length: 40 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}`).join(
      ' ',
    );
    const { segments } = postScript({ narration }, LIMITS);
    expect(segments.length).toBeGreaterThan(1);
    for (const segment of segments) expect(segment.text.length).toBeLessThanOrEqual(84);
  });
});
