/**
 * The one rule for text that crosses the IPC boundary and can reach a document, a mail header or a log.
 * Pure TypeScript + zod (runs in main, preload, renderer and the test host).
 *
 * - {@link line}: one line (names, addresses, short labels);
 * - {@link paragraph}: free text that may have line breaks (notes, reasons, descriptions); CRLF/CR become LF;
 * - {@link armoredText}: ASCII armor (OpenPGP keys, RFC 4880 §6.2): printable ASCII and line breaks only.
 * Every one refuses NUL and the other C0/C1 control characters (a paragraph keeps LF and TAB), zero-width and
 * text-direction (bidi) characters (Unicode TR #36 §2, "Trojan Source" CVE-2021-42574) and lone UTF-16
 * surrogates (Unicode §3.9 D91), and is bounded in length. Text is stored in NFC (UAX #15).
 * Secrets (passphrases, passwords) are deliberately not text: they are never drawn, sent in a header or logged.
 */
import { z } from 'zod';

/** C0 and C1 control characters and DEL: never in a single line (RFC 5322 §2.2 forbids CR/LF in header values). */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** Control characters a paragraph refuses: all of {@link CONTROL_CHARS} except TAB and LF. */
export const PARAGRAPH_CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/**
 * Invisible and text-direction characters that make stored text display differently from what it is
 * (a patient name with U+202E reads backwards): zero-width U+200B–U+200F, U+2060, U+FEFF, bidi embeddings and
 * overrides U+202A–U+202E, isolates U+2066–U+2069 (Unicode TR #36 §2, CVE-2021-42574).
 */
export const INVISIBLE_OR_BIDI_CHARS = /[\u200B-\u200F\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;
/**
 * A UTF-16 surrogate without its partner: not a character at all (Unicode §3.9 D91, ill-formed UTF-16). It cannot be
 * encoded in UTF-8 (it would be stored or printed as U+FFFD "�"), so it is refused wherever it appears.
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const noInvisible = { message: 'must not contain invisible or text-direction characters' };
const noBroken = { message: 'must not contain a broken character (lone surrogate)' };

/**
 * A single-line text field: trimmed, min..max chars, no control, zero-width or bidi characters, no lone surrogate;
 * stored in NFC, so "Nguyễn" typed decomposed (NFD) and composed are one name.
 * @param max upper bound in UTF-16 code units (default 200); @param min lower bound after trimming (default 1)
 */
export const line = (max = 200, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL_CHARS.test(s), { message: 'must be a single line without control characters' })
    .refine((s) => !INVISIBLE_OR_BIDI_CHARS.test(s), noInvisible)
    .refine((s) => !LONE_SURROGATE.test(s), noBroken)
    .transform((s) => s.normalize('NFC'));

/**
 * Free text that may span lines (notes, reasons, descriptions): trimmed, min..max chars (default 0..2000), line
 * breaks normalised to LF, TAB kept; every other control character, zero-width and bidi characters and lone
 * surrogates refused; stored in NFC.
 */
export const paragraph = (max = 2000, min = 0) =>
  z
    .string()
    .max(max)
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(min)
        .refine((s) => !PARAGRAPH_CONTROL_CHARS.test(s), { message: 'must not contain control characters' })
        .refine((s) => !INVISIBLE_OR_BIDI_CHARS.test(s), noInvisible)
        .refine((s) => !LONE_SURROGATE.test(s), noBroken)
        .transform((s) => s.normalize('NFC')),
    );

/** ASCII armor (RFC 4880 §6.2): printable ASCII, TAB and line breaks only, min..max chars. */
export const armoredText = (max = 200_000, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => /^[\t\n\r\x20-\x7e]*$/.test(s), { message: 'must be ASCII armor (printable ASCII and line breaks only)' });

/** True when `s` passes the single-line rule (for services checking text that did not come through the contract). */
export function isSafeLine(s: string): boolean {
  return !CONTROL_CHARS.test(s) && !INVISIBLE_OR_BIDI_CHARS.test(s) && !LONE_SURROGATE.test(s);
}

/** The longest file name kept for display, in UTF-16 code units (the extension is kept when a name is shortened). */
export const MAX_FILE_NAME = 120;

/**
 * The name of a file the user chose, made safe to store and show: the last path segment only (a name such as
 * `../../x.pdf` or `C:\scans\x.pdf` keeps `x.pdf`), without control, zero-width or text-direction characters (a
 * name with U+202E would display "exe.pdf" and reverse the sentence around it; Unicode TR #36 §2,
 * CVE-2021-42574), lone surrogates replaced by U+FFFD, spaces collapsed, NFC, and at most {@link MAX_FILE_NAME}
 * characters with its extension kept. Never empty ("file"). Names come from the OS, a drop, a fax or an email
 * attachment and may carry PHI: they are shown to staff only, never logged or used as a path.
 * @param raw the name as the picker or drop gave it (any string)
 */
export function fileDisplayName(raw: string): string {
  const last = raw.split(/[/\\]/).filter((s) => s !== '' && s !== '.' && s !== '..').pop() ?? '';
  const cleaned = last
    .replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(new RegExp(`${CONTROL_CHARS.source}|${INVISIBLE_OR_BIDI_CHARS.source}`, 'g'), '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return 'file';
  if (cleaned.length <= MAX_FILE_NAME) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return `${cleaned.slice(0, MAX_FILE_NAME - ext.length - 1).trimEnd()}…${ext}`;
}
