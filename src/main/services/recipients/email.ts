import emailSpellChecker from '@zootools/email-spell-checker';
import validator from 'validator';
import { AppError } from '../../../shared/errors';

export interface EmailCheckResult {
  valid: boolean;
  suggestion: string | null;
  problem: string | null;
  warning: string | null;
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
  const email = raw.trim();
  const refuse = (problem: string): EmailCheckResult => ({ valid: false, suggestion: null, problem, warning: null });
  if (/[\r\n]/.test(raw)) return refuse('An email address cannot contain line breaks.');
  if (INVISIBLE_OR_BIDI.test(raw)) return refuse('The address contains invisible characters (zero-width or text-direction marks). Type it again by hand.');
  if (!email) return refuse('Enter an email address.');
  const valid = validator.isEmail(email, { allow_display_name: false, require_tld: true, allow_ip_domain: false, allow_utf8_local_part: false });
  if (!valid) return refuse('This is not a valid email address. Check it with the recipient.');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();

  let suggestion: string | null = null;
  const quoted = local.startsWith('"');
  if (!quoted && !CONSUMER.has(domain) && !neverSuggestFor(domain)) {
    const hit = emailSpellChecker.run({ email, domains: [...CONSUMER_MAIL_DOMAINS] });
    const suggested = hit?.domain.toLowerCase();
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
  }
  return { valid: true, suggestion, problem: null, warning };
}

/**
 * The address, trimmed, if it is safe to put in an envelope and a header.
 * @throws AppError HEADER_INJECTION (CR/LF, RFC 5322 §2.2) | INVALID_EMAIL (syntax, invisible/bidi characters)
 */
export function requireValidEmail(raw: string): string {
  if (/[\r\n]/.test(raw)) throw new AppError('HEADER_INJECTION', 'An email address cannot contain line breaks.');
  const r = checkEmailAddress(raw);
  if (!r.valid) throw new AppError('INVALID_EMAIL', r.problem ?? 'This is not a valid email address.');
  return raw.trim();
}

/** True when a request's recipient destination names this email address (case-insensitive, trimmed; RFC 5321 §2.4 domains are case-insensitive). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
