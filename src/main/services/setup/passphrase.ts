import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { MIN_PASSPHRASE_SCORE } from '../../../shared/contract';

let factory: ZxcvbnFactory | null = null;

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
  const r = factory.check(passphrase, hints);
  return {
    score: r.score,
    acceptable: r.score >= MIN_PASSPHRASE_SCORE,
    warning: r.feedback.warning ?? '',
    suggestions: r.feedback.suggestions,
  };
}
