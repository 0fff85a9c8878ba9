import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { MIN_PASSPHRASE_SCORE } from '../../../shared/contract';

let factory: ZxcvbnFactory | null = null;

/** Passphrases famous enough to be in every guessing list, whatever zxcvbn scores them. */
const FAMOUS = ['correct horse battery staple', 'to be or not to be', 'the quick brown fox jumps over the lazy dog', 'i love you', 'let me in'];

const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/**
 * Estimate passphrase strength with zxcvbn (score 0..4). The vault key is
 * derived from this passphrase, so it guards every record at rest
 * (164.312(a)(2)(iv)); setup requires score ≥ MIN_PASSPHRASE_SCORE.
 * @param hints words the passphrase must not lean on (practice name, staff name)
 */
export function passphraseStrength(passphrase: string, hints: string[] = []) {
  factory ??= new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
  });
  // Hints are split into words so "Lakeside Family Clinic 2026" is caught, not only the whole name.
  const words = [...new Set(hints.flatMap((h) => normalize(h).split(' ')).filter((w) => w.length >= 3))];
  const r = factory.check(passphrase, [...hints, ...words]);
  const p = normalize(passphrase);
  if (FAMOUS.some((f) => p.includes(f))) {
    return { score: 0, acceptable: false, warning: 'This is a well-known phrase that attackers try first.', suggestions: ['Choose four or more unrelated words of your own.'] };
  }
  const namedWords = words.filter((w) => w.length >= 4 && p.split(' ').includes(w));
  if (namedWords.length > 0 && p.split(' ').filter((w) => !namedWords.includes(w) && !/^\d+$/.test(w)).length < 3) {
    return {
      score: Math.min(r.score, 1),
      acceptable: false,
      warning: 'This passphrase is built from the practice or staff name, which anyone can guess.',
      suggestions: ['Add at least three unrelated words that have nothing to do with the practice.'],
    };
  }
  return {
    score: r.score,
    acceptable: r.score >= MIN_PASSPHRASE_SCORE,
    warning: r.feedback.warning ?? '',
    suggestions: r.feedback.suggestions,
  };
}
