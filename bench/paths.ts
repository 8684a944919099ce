/** Where the bench finds the repository and the shared test data (read in place, never copied). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TESTDATA = join(ROOT, '..', 'shared', 'testdata');
export const PORTRAIT = join(TESTDATA, 'carl_jung.jpg');

/** About 9.7 s of espeak narration (the renderer author's timing text). */
export const NARRATION =
  'Is quite alright as long as you know that you are not identical with the way in which you appear. ' +
  'But if you are unconscious of this fact, then you get into trouble, because you believe you are what you seem.';
