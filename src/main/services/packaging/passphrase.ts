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
/**
 * Longest passphrase, in characters (ASCII, so bytes): 32. Poppler 22.12 (Debian 12's pdftotext,
 * Evince, Okular) fails to open AES-256 R6 files whose user password is longer than 32 bytes,
 * although ISO 32000-2 §7.6.4.3.3 allows 127; measured: 38 of 40 six-word passphrases of 33-45 characters failed.
 */
export const PASSPHRASE_MAX_CHARS = 32;

/**
 * log2 of the number of hyphen-joined 6-word sequences of at most 32 characters (counted
 * exactly over the list's word lengths). Rejection sampling keeps the draw uniform over
 * that set, so this is the passphrase's entropy: 61.76 bits (requirement: at least 60).
 */
export const PASSPHRASE_ENTROPY_BITS = entropyBits(PASSPHRASE_WORDS, PASSPHRASE_MAX_CHARS);

/** A generated passphrase. */
export interface SpokenPassphrase {
  /** The words joined by single hyphens, lowercase ASCII, at most 32 characters: what the recipient types. */
  passphrase: string;
  words: string[];
  entropyBits: number;
}

/**
 * Generate a passphrase of 6 BIP-39 English words joined by hyphens, at most 32 characters,
 * drawn uniformly with node's CSPRNG (crypto.randomInt) and rejection of longer draws:
 * {@link PASSPHRASE_ENTROPY_BITS} = 61.76 bits.
 */
export function generateSpokenPassphrase(): SpokenPassphrase {
  for (;;) {
    const words: string[] = [];
    for (let i = 0; i < PASSPHRASE_WORDS; i++) words.push(wordlist[randomInt(wordlist.length)]!);
    const passphrase = words.join('-');
    if (passphrase.length <= PASSPHRASE_MAX_CHARS) return { passphrase, words, entropyBits: PASSPHRASE_ENTROPY_BITS };
  }
}

function entropyBits(words: number, maxChars: number): number {
  const maxLetters = maxChars - (words - 1);
  const byLength = new Map<number, number>();
  for (const w of wordlist) byLength.set(w.length, (byLength.get(w.length) ?? 0) + 1);
  let counts = new Map<number, number>([[0, 1]]);
  for (let i = 0; i < words; i++) {
    const next = new Map<number, number>();
    for (const [letters, c] of counts) {
      for (const [len, n] of byLength) if (letters + len <= maxLetters) next.set(letters + len, (next.get(letters + len) ?? 0) + c * n);
    }
    counts = next;
  }
  let total = 0;
  for (const c of counts.values()) total += c;
  return Math.log2(total);
}
