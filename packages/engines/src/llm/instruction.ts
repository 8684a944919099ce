/**
 * Telling an instruction ("Introduce yourself as a tour guide of Rome") from a text to speak ("Welcome to
 * Rome!"), and reading the instruction's parts (pure, English only).
 *
 * A prompt is an instruction when, after an optional "please" / "can you" / "I want you to" (which alone
 * prove nothing: "Can you believe it?", "I want you to know that..."), it:
 * - casts the speaker: "you are", "you're", "pretend to be", "act as", "talk like", "play the role of",
 *   "as a X, ..." (the role runs to the first sentence mark, or to ", "/" and " before a verb, or to
 *   "about", which starts the topic);
 * - starts with a verb addressed to a writer: introduce, tell, explain, describe, present, pitch, announce,
 *   promote, advertise, summarise, narrate, greet, recommend, teach, convince, persuade, congratulate,
 *   write, create, generate, compose, draft, prepare, record, produce;
 * - or with an ambiguous verb used as an instruction: "talk/speak about|on|as", "say that|something",
 *   "give (me) a short talk|intro|overview|tips...", "thank <someone other than you>",
 *   "wish <someone> a happy...";
 * - or names the thing to make: "a short video|speech|message|script... about|for|on ...".
 * Openings that are usually spoken lines ("Welcome to...", "Imagine...", "Thank you...", "Make sure...",
 * "Talk to you soon") are not instructions.
 *
 * Person: the portrait speaks for the user, so second-person words of an instruction ("your favourite
 * food", "why you love it") become first person; first-person words ("my trip") stay as written; "me/us"
 * right after the verb are the audience and are dropped.
 */
import { tidyLine } from './tidy.js';

/** What an instruction asks for; every field is ready to be spoken in the first person. */
export interface Instruction {
  /** Who the speaker is, e.g. "a friendly tour guide of Rome". */
  role: string | null;
  /** What to talk about, e.g. "the history of Rome". */
  topic: string | null;
  /** A statement to pass on as is, e.g. "the shop opens at nine". */
  message: string | null;
}

const POLITE = /^(?:please|kindly|ok(?:ay)?|hey|hi)\b[,!]?\s*/i;
const ASKING =
  /^(?:(?:can|could|would|will) you(?: please)?|i(?: want|'d like| would like| need) you to|i(?: want|'d like| would like| need) to have you)\s+/i;
const CASTING =
  /^(?:you are|you're|you will be|you'll be|pretend (?:to be|you are|you're|that you are|that you're)|act as|act like|talk like|speak like|play the role of|take the role of|speak as|talk as|write as)\s+(.+)$/is;
const WRITER_VERBS =
  /^(?:introduce|tell|explain|describe|present|pitch|announce|promote|advertise|summari[sz]e|narrate|greet|recommend|teach|convince|persuade|congratulate|write|create|generate|compose|draft|prepare|record|produce)\b/i;
const GIVE_NOUNS =
  '(?:talk|speech|intro|introduction|overview|presentation|pitch|update|message|summary|tips|tour|lesson|explanation|description|review|greeting|shout-?out|toast|monologue|welcome)';
const AMBIGUOUS_VERBS = new RegExp(
  [
    '^(?:talk|speak) (?:about|on|as|like|briefly)\\b',
    '^say (?:that|something|a few|a short|some)\\b',
    `^give (?:me |us |them |everyone )?(?:a|an|some|the|\\d+|three|five)\\s+(?:[\\w-]+\\s+){0,2}${GIVE_NOUNS}\\b`,
    '^thank (?!you\\b)\\S',
    '^wish (?!me\\b)\\S.*\\b(?:a|an) (?:happy|merry|good|great|speedy|wonderful)\\b',
  ].join('|'),
  'i',
);
const THING_TO_MAKE =
  /^(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:video|speech|message|script|intro|introduction|greeting|pitch|monologue|clip|announcement|toast|talk|presentation)\s+(?:about|for|on|where|in which|of|to|introducing|explaining|presenting|promoting)\b/i;

/** The prompt without leading politeness ("please", "can you", "I want you to"). */
function withoutPoliteness(text: string): string {
  let result = text.trim();
  for (let pass = 0; pass < 3; pass++) result = result.replace(POLITE, '').replace(ASKING, '');
  return result;
}

/** True when the prompt describes what to say rather than being the words to say (see above). */
export function isInstructionPrompt(prompt: string): boolean {
  const text = withoutPoliteness(tidyLine(prompt).replace(/^[^\p{L}]+/u, ''));
  return (
    CASTING.test(text) ||
    /^as (?:a|an|the|your)\s+[^,]+,\s*\S/i.test(text) ||
    WRITER_VERBS.test(text) ||
    AMBIGUOUS_VERBS.test(text) ||
    THING_TO_MAKE.test(text)
  );
}

const SECOND_PERSON = /\b(you're|you are|are you|you were|were you|yourselves|yourself|yours|your|you)\b/gi;
const SECOND_TO_FIRST: Record<string, string> = {
  "you're": "I'm",
  'you are': 'I am',
  'are you': 'am I',
  'you were': 'I was',
  'were you': 'was I',
  yourselves: 'ourselves',
  yourself: 'myself',
  yours: 'mine',
  your: 'my',
};
/** Words after which "you" is the subject of a clause ("how you cook" -> "how I cook"). */
const SUBJECT_BEFORE =
  /(?:^|\b(?:and|but|or|so|that|if|because|when|where|why|how|what|who|which|while|as|since|until|whether))\s*$/i;

/** Second-person words become first person ("your" -> "my", "you" -> "I" as a subject, else "me"). */
export function toFirstPerson(text: string): string {
  return text.replace(SECOND_PERSON, (match: string, _word: string, offset: number) => {
    const key = match.toLowerCase();
    const mapped = SECOND_TO_FIRST[key];
    const replacement = mapped ?? (SUBJECT_BEFORE.test(text.slice(0, offset)) || offset === 0 ? 'I' : 'me');
    return /^\p{Lu}/u.test(match) && replacement !== 'I' && !replacement.startsWith("I'")
      ? replacement.charAt(0).toUpperCase() + replacement.slice(1)
      : replacement;
  });
}

/** Who may be addressed right after a verb ("tell me", "explain to the viewers"). */
const AUDIENCE =
  '(?:me|us|them|everyone|everybody|people|viewers|followers|the (?:viewers|audience|class|team|world|kids|children|students|customers|visitors|guests|followers)|my \\w+|our \\w+)';
const CONTINUES_WITH_VERB =
  /^(?:then\s+|please\s+)?(?:tell|explain|describe|talk|speak|say|introduce|present|welcome|give|share|invite|answer|pitch|announce|promote|greet|recommend|teach|convince|wish|thank)\b/i;

/** Splits "a chef who loves pasta and tell us about lasagne" into the role and the rest. */
function splitRole(text: string): [string, string] {
  for (const separator of text.matchAll(/[.;!?]\s+|,\s+|\s+and\s+|\s*:\s+|\s+(?=about\s)/g)) {
    const rest = text.slice(separator.index + separator[0].length);
    if (/^[.;!?:]/.test(separator[0].trim()) || /^about\s/.test(rest) || CONTINUES_WITH_VERB.test(rest)) {
      return [text.slice(0, separator.index).trim(), rest.trim()];
    }
  }
  return [text.trim(), ''];
}

const MESSAGE_PATTERNS: RegExp[] = [
  new RegExp(`^(?:tell|remind|inform) (?:${AUDIENCE} )?that (.+)$`, 'is'),
  new RegExp(`^(?:say|announce|mention|explain) (?:to ${AUDIENCE} )?that (.+)$`, 'is'),
  new RegExp(`^let ${AUDIENCE} know (?:that )?(.+)$`, 'is'),
];
const TOPIC_PATTERNS: RegExp[] = [
  new RegExp(
    `^(?:tell|explain to|describe to|show|teach) (?:${AUDIENCE} )?(?:(?:all |a little |a bit |something |more )?about )?(.+)$`,
    'is',
  ),
  new RegExp(
    `^(?:(?:talk|speak|chat|write)(?: briefly)?|say (?:something|a few words|a few things|a word)|give (?:${AUDIENCE} )?(?:a |an |some |the )?(?:[\\w-]+ ){0,2}${GIVE_NOUNS}|(?:write|create|generate|compose|draft|prepare|record|produce|make) (?:me |us )?(?:a |an |some |the )?(?:[\\w-]+ ){0,3}(?:video|speech|message|script|intro|introduction|greeting|pitch|monologue|clip|announcement|toast|talk|presentation|post|story|poem|ad|advert|advertisement)) (?:about|on|of|regarding|for|to|introducing|explaining|describing|presenting|promoting)\\s+(.+)$`,
    'is',
  ),
  /^(?:explain|describe|present|introduce|announce|promote|pitch|advertise|summari[sz]e|recommend|narrate|share|discuss|cover|showcase|review)\s+(.+)$/is,
  /^(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:video|speech|message|script|intro|introduction|greeting|pitch|monologue|clip|announcement|toast|talk|presentation)\s+(?:about|for|on|of|introducing|explaining|presenting|promoting)\s+(.+)$/is,
];

/** A captured phrase ready to be spoken mid-sentence: first person, no final punctuation. */
function phrase(text: string): string | null {
  const result = toFirstPerson(text.trim().replace(/[\s.!?,;:]+$/u, '')).trim();
  return result === '' ? null : result;
}

/** Reads role, topic or message out of an instruction (see the rules at the top). */
export function parseInstruction(prompt: string): Instruction {
  let text = withoutPoliteness(tidyLine(prompt)).replace(/[\s.!?]+$/u, '');
  let role: string | null = null;
  const cast = CASTING.exec(text);
  const asRole = /^as ((?:a|an|the|your)\s+[^,]+),\s*(.+)$/is.exec(text);
  const introduction = /^introduce yourself(?:\s+to\s+(.+?))?(?:\s+as\s+(.+))?$/is.exec(text);
  if (cast !== null) {
    const [who, rest] = splitRole(cast[1] ?? '');
    role = phrase(who);
    text = withoutPoliteness(rest);
  } else if (asRole !== null) {
    role = phrase(asRole[1] ?? '');
    text = withoutPoliteness(asRole[2] ?? '');
  } else if (introduction !== null) {
    const [who, rest] = splitRole(introduction[2] ?? '');
    role = phrase(who);
    text = withoutPoliteness(rest);
  }
  if (text === '') return { role, topic: null, message: null };
  const about = /^(?:about|on)\s+(.+)$/is.exec(text);
  if (about !== null) return { role, topic: phrase(about[1] ?? ''), message: null };
  for (const pattern of MESSAGE_PATTERNS) {
    const match = pattern.exec(text);
    if (match !== null) return { role, topic: null, message: phrase(match[1] ?? '') };
  }
  for (const pattern of TOPIC_PATTERNS) {
    const match = pattern.exec(text);
    if (match !== null) return { role, topic: phrase(match[1] ?? ''), message: null };
  }
  const withoutVerb = text.replace(WRITER_VERBS, '').trim();
  return { role, topic: phrase(withoutVerb === '' ? text : withoutVerb), message: null };
}
