import emailSpellChecker from '@zootools/email-spell-checker';
import { domainToASCII } from 'node:url';
import validator from 'validator';
import { AppError } from '../../../shared/errors';

export interface EmailCheckResult {
  valid: boolean;
  /** A full address offered instead: a typo fix for a valid address, or the cleaned address when `valid` is false because of extra characters. */
  suggestion: string | null;
  problem: string | null;
  warning: string | null;
  /** The bare address that will be used (display name and angle brackets removed, NFC), when valid. */
  address?: string | null;
  /** The display name typed before the address ("Jane Roe <jane@example.org>"), when there was one. */
  displayName?: string | null;
}

/**
 * Whole-domain typos seen in practice (mistyped letters, dropped or doubled letters, a wrong or cut top-level
 * domain) → the intended consumer domain. Complements the edit-distance checker, which misses a cut TLD
 * ("outlook.co" is a real TLD, so it looks fine to it).
 */
export const COMMON_DOMAIN_TYPOS: Readonly<Record<string, string>> = {
  'gmail.co': 'gmail.com', 'gmail.cm': 'gmail.com', 'gmail.om': 'gmail.com', 'gmail.con': 'gmail.com', 'gmail.cmo': 'gmail.com',
  'gmail.ocm': 'gmail.com', 'gmail.comm': 'gmail.com', 'gmail.net': 'gmail.com', 'gmail.org': 'gmail.com', 'gmai.com': 'gmail.com',
  'gmial.com': 'gmail.com', 'gmaill.com': 'gmail.com', 'gamil.com': 'gmail.com', 'gnail.com': 'gmail.com', 'gmsil.com': 'gmail.com',
  'gmali.com': 'gmail.com', 'gmil.com': 'gmail.com', 'gmal.com': 'gmail.com', 'g.mail.com': 'gmail.com', 'gmail.comcom': 'gmail.com',
  'outlook.co': 'outlook.com', 'outlook.cm': 'outlook.com', 'outlook.con': 'outlook.com', 'outlok.com': 'outlook.com',
  'outllok.com': 'outlook.com', 'outloo.com': 'outlook.com', 'otlook.com': 'outlook.com', 'outlool.com': 'outlook.com',
  'hotmail.co': 'hotmail.com', 'hotmail.cm': 'hotmail.com', 'hotmail.con': 'hotmail.com', 'hotmial.com': 'hotmail.com',
  'hotmai.com': 'hotmail.com', 'hotmal.com': 'hotmail.com', 'hotnail.com': 'hotmail.com', 'homail.com': 'hotmail.com',
  'hotamil.com': 'hotmail.com', 'hotmaill.com': 'hotmail.com',
  'yahoo.co': 'yahoo.com', 'yahoo.cm': 'yahoo.com', 'yahoo.con': 'yahoo.com', 'yaho.com': 'yahoo.com', 'yahooo.com': 'yahoo.com',
  'yhoo.com': 'yahoo.com', 'yhaoo.com': 'yahoo.com', 'yahho.com': 'yahoo.com', 'ayhoo.com': 'yahoo.com',
  'icloud.co': 'icloud.com', 'icloud.cm': 'icloud.com', 'iclod.com': 'icloud.com', 'icoud.com': 'icloud.com', 'iclould.com': 'icloud.com',
  'aol.co': 'aol.com', 'aol.cm': 'aol.com', 'aoll.com': 'aol.com', 'aolcom': 'aol.com',
  'live.co': 'live.com', 'msn.co': 'msn.com', 'comcast.ne': 'comcast.net', 'comcat.net': 'comcast.net', 'comcast.nt': 'comcast.net',
  'att.ne': 'att.net', 'sbcglobal.ne': 'sbcglobal.net', 'sbcgloble.net': 'sbcglobal.net', 'verizon.ne': 'verizon.net',
  'bellsouth.ne': 'bellsouth.net', 'protonmail.co': 'protonmail.com', 'protonmal.com': 'protonmail.com', 'me.co': 'me.com',
};

/** What is wrong with an address that has something extra around it, and the address without it. */
interface NeedsFix {
  problem: string;
  fixed: string;
}

/**
 * Remove what people paste around an address — `mailto:` (and its `?subject=` tail), a trailing dot, comma,
 * semicolon or colon, quotes, tabs, non-breaking or inner spaces — and say which. Plain spaces at the ends are
 * ignored silently (typing habit); everything else is offered as a fix, never applied silently.
 */
function extraCharacters(typed: string): NeedsFix | null {
  let a = typed.replace(/^ +| +$/g, '');
  const problems: string[] = [];
  if (/^mailto:/i.test(a)) {
    a = a.replace(/^mailto:/i, '').replace(/\?.*$/, '');
    problems.push('starts with “mailto:”');
  }
  // A quoted local part may hold spaces (RFC 5321 §4.1.2 Quoted-string): only blanks outside it count.
  if (/\s/.test(a.replace(/^"(?:[^"\\]|\\.)*"@/, '@'))) {
    a = a.replace(/\s+/g, '');
    problems.push('contains a space, tab or other blank character');
  }
  if (/^(["'`])(.*)\1$/.test(a) && !/^"(?:[^"\\]|\\.)*"@[^"]+$/.test(a)) {
    a = a.slice(1, -1);
    problems.push('is wrapped in quotes');
  }
  const tail = /[.,;:]+$/.exec(a);
  if (tail) {
    a = a.slice(0, -tail[0].length);
    problems.push(`ends with “${tail[0]}”`);
  }
  if (problems.length === 0) return null;
  return { problem: `The address ${problems.join(' and ')}.`, fixed: a };
}

/** "Jane Roe <jane@example.org>", "\"Roe, Jane\" <jane@example.org>" or "<jane@example.org>" → name and address (RFC 5322 §3.4 name-addr). */
export function parseDisplayName(typed: string): { displayName: string | null; address: string } | null {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<>"]*?))\s*<([^<>]*)>\s*$/.exec(typed);
  if (!m) return null;
  const name = (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1').trim();
  return { displayName: name || null, address: m[3]!.trim() };
}

const isValidSyntax = (a: string) =>
  validator.isEmail(a, { allow_display_name: false, require_tld: true, allow_ip_domain: false, allow_utf8_local_part: true }) && domainToASCII(a.slice(a.lastIndexOf('@') + 1)) !== '';

/** True when the part before the @ has non-ASCII letters: deliverable only through a server offering SMTPUTF8 (RFC 6531). */
export function needsSmtpUtf8(address: string): boolean {
  return /[^\x00-\x7f]/.test(address.slice(0, address.lastIndexOf('@')));
}

/**
 * The address as it goes into MAIL FROM / RCPT TO: local part in NFC, domain as A-labels (IDNA, `xn--…`,
 * RFC 5890 §2.3.2.1 via node:url domainToASCII), so a server without SMTPUTF8 still reads the domain.
 * @throws AppError INVALID_EMAIL when the domain has no valid A-label form
 */
export function envelopeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).normalize('NFC');
  const ascii = domainToASCII(address.slice(at + 1));
  if (at < 1 || !ascii) throw new AppError('INVALID_EMAIL', 'An email address of the message has a domain that cannot be written for the mail server.');
  return `${local}@${ascii}`;
}

/**
 * Major consumer mail domains: the only domains a typo suggestion may point to, and the ones a
 * homoglyph look-alike (gmai1.com, rnsn.com) is compared with. Curated on purpose: a general
 * spell checker "corrects" institutional domains (mayo.edu → mail.edu), which would misdirect PHI.
 */
export const CONSUMER_MAIL_DOMAINS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'rocketmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'comcast.net', 'att.net', 'sbcglobal.net', 'bellsouth.net', 'verizon.net', 'cox.net',
  'charter.net', 'earthlink.net', 'protonmail.com', 'proton.me', 'pm.me', 'gmx.com', 'gmx.net', 'mail.com', 'zoho.com', 'fastmail.com',
  'yandex.com', 'hey.com', 'tutanota.com', 'gmx.de', 'web.de', 't-online.de', 'yahoo.co.uk', 'hotmail.co.uk', 'live.co.uk',
  'btinternet.com', 'yahoo.ca', 'yahoo.fr', 'hotmail.fr', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it',
];
const CONSUMER = new Set(CONSUMER_MAIL_DOMAINS);

/**
 * Invisible and format characters that make two addresses look identical while differing:
 * zero-width U+200B–U+200F (incl. LRM/RLM), word joiner U+2060, BOM U+FEFF, bidi embeddings and
 * overrides U+202A–U+202E and isolates U+2066–U+2069 (Unicode TR #36 §2; "Trojan Source", CVE-2021-42574).
 */
export const INVISIBLE_OR_BIDI = /[\u200B-\u200F\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;

/** Domains never "corrected": institutional TLDs and names reserved for tests/documentation (RFC 2606, RFC 6761). */
function neverSuggestFor(domain: string): boolean {
  if (/\.(edu|gov|mil|test|example|invalid|localhost)$/i.test(domain)) return true;
  return /(^|\.)example\.(com|net|org)$/i.test(domain);
}

/**
 * The curated consumer domain a domain imitates by digit/letter homoglyphs (1↔l, 0↔o, rn↔m, vv↔w), or null.
 * @param domain lower-case ASCII domain
 */
export function homoglyphTarget(domain: string): string | null {
  if (CONSUMER.has(domain)) return null;
  const variants = new Set<string>([
    domain.replace(/1/g, 'l').replace(/0/g, 'o').replace(/rn/g, 'm').replace(/vv/g, 'w'),
    domain.replace(/1/g, 'l'),
    domain.replace(/0/g, 'o'),
    domain.replace(/rn/g, 'm'),
    domain.replace(/vv/g, 'w'),
  ]);
  for (const v of variants) if (v !== domain && CONSUMER.has(v)) return v;
  return null;
}

/**
 * Check a recipient address before any PHI is addressed to it. Misdirected email is a leading breach
 * cause (HHS breach reports; 164.530(c) reasonable safeguards), so beyond syntax (RFC 5321 §4.1.2 via
 * validator.isEmail, which also rejects CR/LF) this:
 * - refuses invisible/format characters ({@link INVISIBLE_OR_BIDI}) anywhere in the address;
 * - suggests a correction only when the typed domain is a near miss of a curated consumer mail domain
 *   ({@link CONSUMER_MAIL_DOMAINS}) and is not itself on that list; never for quoted local parts
 *   (RFC 5321 §4.1.2 Quoted-string), .edu/.gov/.mil or reserved test names;
 * - warns about look-alike domains: digit/letter homoglyphs of a curated domain, non-ASCII or punycode.
 * A suggestion or warning must be confirmed by staff before the address is saved (releases.setRecipient).
 * @param raw the address as typed; surrounding spaces are ignored
 * @returns { valid, suggestion (full address or null), problem (why refused), warning (look-alike) }
 */
export function checkEmailAddress(raw: string): EmailCheckResult {
  const refuse = (problem: string, suggestion: string | null = null): EmailCheckResult => ({ valid: false, suggestion, problem, warning: null, address: null, displayName: null });
  if (/[\r\n]/.test(raw)) return refuse('An email address cannot contain line breaks.');
  if (INVISIBLE_OR_BIDI.test(raw)) return refuse('The address contains invisible characters (zero-width or text-direction marks). Type it again by hand.');
  if (!raw.trim()) return refuse('Enter an email address.');
  // A separator pasted after a display-name form ("Jane Roe <jane@…>,") is extra too.
  const after = /^([\s\S]*>)\s*([.,;:]+)\s*$/.exec(raw);
  const named = parseDisplayName(after ? after[1]! : raw);
  const typed = named ? named.address : raw;
  const inner = extraCharacters(typed);
  const extra =
    named && after
      ? { problem: inner ? `${inner.problem.slice(0, -1)} and ends with “${after[2]}”.` : `The address ends with “${after[2]}”.`, fixed: inner?.fixed ?? typed }
      : inner;
  if (extra) {
    const fixed = extra.fixed.normalize('NFC');
    return isValidSyntax(fixed) ? refuse(`${extra.problem} Use the suggested address, or type it again.`, fixed) : refuse('This is not a valid email address. Check it with the recipient.');
  }
  const email = typed.replace(/^ +| +$/g, '').normalize('NFC');
  if (!isValidSyntax(email)) return refuse('This is not a valid email address. Check it with the recipient.');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();

  let suggestion: string | null = null;
  const quoted = local.startsWith('"');
  if (!quoted && !CONSUMER.has(domain) && !neverSuggestFor(domain)) {
    const table = COMMON_DOMAIN_TYPOS[domain];
    const hit = table ? null : emailSpellChecker.run({ email, domains: [...CONSUMER_MAIL_DOMAINS] });
    const suggested = table ?? hit?.domain.toLowerCase();
    // Keep the local part exactly as typed (the checker percent-encodes some characters).
    if (suggested && suggested !== domain && CONSUMER.has(suggested)) suggestion = `${local}@${suggested}`;
  }

  let warning: string | null = null;
  const target = homoglyphTarget(domain);
  if (target) {
    warning = `The domain looks like ${target} but uses look-alike characters (such as 1 for l or 0 for o). Confirm the exact address with the recipient.`;
    if (!suggestion && !quoted) suggestion = `${local}@${target}`;
  } else if (/[^\x00-\x7f]/.test(domain) || /(^|\.)xn--/i.test(domain)) {
    warning = 'The domain contains non-Latin letters, which can imitate a familiar domain. Confirm the address with the recipient before sending.';
  } else if (needsSmtpUtf8(email)) {
    warning = 'The part before the @ has non-English letters. Confirm the address with the recipient; it can be sent only if the practice’s email server supports international addresses (SMTPUTF8).';
  }
  return { valid: true, suggestion, problem: null, warning, address: email, displayName: named?.displayName ?? null };
}

/**
 * The bare address (display name removed, NFC), if it is safe to put in an envelope and a header.
 * @throws AppError HEADER_INJECTION (CR/LF, RFC 5322 §2.2) | ADDRESS_NEEDS_FIX (extra characters around it;
 *   recipients.checkEmail offers the cleaned address, never applied silently) | INVALID_EMAIL (syntax, invisible/bidi characters)
 */
export function requireValidEmail(raw: string): string {
  if (/[\r\n]/.test(raw)) throw new AppError('HEADER_INJECTION', 'An email address cannot contain line breaks.');
  const r = checkEmailAddress(raw);
  // The suggested address is offered by recipients.checkEmail; it stays out of the error (and so out of the audit detail).
  if (!r.valid && r.suggestion) throw new AppError('ADDRESS_NEEDS_FIX', r.problem ?? 'The address has extra characters.');
  if (!r.valid || !r.address) throw new AppError('INVALID_EMAIL', r.problem ?? 'This is not a valid email address.');
  return r.address;
}

/** True when a request's recipient destination names this email address (case-insensitive, trimmed; RFC 5321 §2.4 domains are case-insensitive). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
