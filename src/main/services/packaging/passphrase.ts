/**
 * Passphrases that front-desk staff can read to a recipient over the phone
 * (the password never travels in the same channel as the file).
 */
import { randomInt } from 'node:crypto';
import { wordlist } from '@scure/bip39/wordlists/english.js';

/** Words in the list (BIP-39 English: 2048 common words, 3-8 letters, unique by their first 4 letters). */
export const PASSPHRASE_WORDLIST_SIZE = wordlist.length;
/** Words in a generated passphrase. */
export const PASSPHRASE_WORDS = 6;
/** Entropy of a generated passphrase, in bits: 6 x log2(2048) = 66 bits (requirement: at least 60). */
export const PASSPHRASE_ENTROPY_BITS = PASSPHRASE_WORDS * Math.log2(PASSPHRASE_WORDLIST_SIZE);

/** A generated passphrase. */
export interface SpokenPassphrase {
  /** The words joined by single hyphens, lowercase ASCII: what the recipient types. */
  passphrase: string;
  words: string[];
  entropyBits: number;
}

/**
 * Generate a passphrase of {@link PASSPHRASE_WORDS} words drawn uniformly (crypto.randomInt, CSPRNG)
 * from the BIP-39 English list: 66 bits of entropy. Words may repeat (each draw is independent).
 */
export function generateSpokenPassphrase(words: number = PASSPHRASE_WORDS): SpokenPassphrase {
  const list: string[] = [];
  for (let i = 0; i < words; i++) list.push(wordlist[randomInt(wordlist.length)]!);
  return { passphrase: list.join('-'), words: list, entropyBits: words * Math.log2(wordlist.length) };
}
