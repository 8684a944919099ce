/**
 * How a VoiceProfile shapes eSpeak.
 *
 * The tables below were measured on this eSpeak build (@echogarden/espeak-ng-emscripten 0.3.5): a 60-word
 * English passage was synthesised at each setting and measured with measureVoice(), the same analysis
 * train_voice applies to a person's sample. Mapping a profile through the inverse of these tables therefore
 * gives eSpeak settings whose output measures like the profile:
 * - variant: "m2" (a plain male voice) for profiles below MALE_FEMALE_SPLIT_HZ, "f4" (a plain female voice)
 *   at or above it;
 * - range (0-100): the setting whose measured pitch spread (IQR, semitones) matches the profile's;
 * - pitch (0-100): the setting whose measured median f0, corrected for the range's effect on the median,
 *   matches the profile's (interpolated in log frequency);
 * - rate (eSpeak words per minute): the profile's words per minute divided by the measured ratio of
 *   measured to nominal rate, or, without a transcript, 175 scaled by the profile's syllables per second
 *   over the rate measured at 175.
 * Results are clamped to eSpeak's ranges (pitch and range 0-100, rate 80-450) and rounded, so the mapping
 * is deterministic and always valid.
 */
import type { VoiceProfile } from '../types.js';

export const MALE_FEMALE_SPLIT_HZ = 160;

/** The settings the tables were measured at. */
const SETTING_STEPS = [0, 25, 50, 75, 100] as const;

interface VariantCalibration {
  variant: 'm2' | 'f4';
  /** Median f0 (Hz) at pitch = SETTING_STEPS (range 50). */
  f0ByPitch: readonly number[];
  /** Median f0 at range = SETTING_STEPS relative to range 50 (pitch 50). */
  f0FactorByRange: readonly number[];
  /** Pitch IQR (semitones) at range = SETTING_STEPS (pitch 50). */
  iqrByRange: readonly number[];
  /** Measured words per minute per eSpeak rate unit. */
  wpmPerRate: number;
  /** Measured syllables per second at rate 175. */
  syllablesPerSecondAt175: number;
}

export const CALIBRATION: { male: VariantCalibration; female: VariantCalibration } = {
  male: {
    variant: 'm2',
    f0ByPitch: [66.1, 79.4, 102.2, 134.3, 177.9],
    f0FactorByRange: [0.899, 0.945, 1, 1.052, 1.103],
    iqrByRange: [0.16, 0.8, 1.52, 2.18, 2.56],
    wpmPerRate: 1.25,
    syllablesPerSecondAt175: 4.1,
  },
  female: {
    variant: 'f4',
    f0ByPitch: [116.4, 143.3, 181.5, 235.8, 309.7],
    f0FactorByRange: [0.884, 0.94, 1, 1.06, 1.116],
    iqrByRange: [0.1, 0.95, 1.78, 2.49, 2.98],
    wpmPerRate: 1.23,
    syllablesPerSecondAt175: 4.08,
  },
};

export interface EspeakProsody {
  /** Variant suffix for the voice name, or null for the language's default voice. */
  variant: 'm2' | 'f4' | null;
  pitch: number;
  range: number;
  rate: number;
}

export const DEFAULT_PROSODY: EspeakProsody = { variant: null, pitch: 50, range: 50, rate: 175 };

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Value of a table over SETTING_STEPS at a setting (linear interpolation). */
function at(table: readonly number[], setting: number): number {
  const position = clamp(setting, 0, 100) / 25;
  const low = Math.min(table.length - 2, Math.floor(position));
  const a = table[low] ?? 0;
  const b = table[low + 1] ?? a;
  return a + (b - a) * (position - low);
}

/** The setting at which an increasing table reaches `value` (linear between steps, clamped to 0-100). */
function settingFor(table: readonly number[], value: number): number {
  if (value <= (table[0] ?? 0)) return 0;
  for (let k = 1; k < table.length; k++) {
    const a = table[k - 1] ?? 0;
    const b = table[k] ?? a;
    if (value <= b) return (SETTING_STEPS[k - 1] ?? 0) + (25 * (value - a)) / (b - a);
  }
  return 100;
}

function positive(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

/** eSpeak parameters that imitate the profile (the language's default voice without one). */
export function prosodyFor(profile: VoiceProfile | null | undefined): EspeakProsody {
  if (profile === null || profile === undefined) return DEFAULT_PROSODY;
  const male = !positive(profile.pitchHz) || profile.pitchHz < MALE_FEMALE_SPLIT_HZ;
  const calibration = male ? CALIBRATION.male : CALIBRATION.female;
  const range = Number.isFinite(profile.pitchRangeSemitones)
    ? settingFor(calibration.iqrByRange, profile.pitchRangeSemitones)
    : 50;
  let pitch = 50;
  if (positive(profile.pitchHz)) {
    const wanted = profile.pitchHz / at(calibration.f0FactorByRange, range);
    pitch = settingFor(calibration.f0ByPitch.map(Math.log), Math.log(wanted));
  }
  let rate = 175;
  if (positive(profile.wordsPerMinute)) rate = profile.wordsPerMinute / calibration.wpmPerRate;
  else if (positive(profile.syllablesPerSecond)) {
    rate = (175 * profile.syllablesPerSecond) / calibration.syllablesPerSecondAt175;
  }
  return {
    variant: calibration.variant,
    pitch: Math.round(clamp(pitch, 0, 100)),
    range: Math.round(clamp(range, 0, 100)),
    rate: Math.round(clamp(rate, 80, 450)),
  };
}
