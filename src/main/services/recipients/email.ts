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
 * Check a recipient address before any PHI is addressed to it. Misdirected
 * email is a leading breach cause, so beyond syntax (RFC 5321 §4.1.2 via
 * validator.isEmail, which also rejects CR/LF) we suggest corrections for
 * typo'd common domains and warn about look-alike (non-ASCII or punycode)
 * domains.
 * @param raw the address as typed; surrounding spaces are ignored
 */
export function checkEmailAddress(raw: string): EmailCheckResult {
  const email = raw.trim();
  if (/[\r\n]/.test(raw)) return { valid: false, suggestion: null, problem: 'An email address cannot contain line breaks.', warning: null };
  if (!email) return { valid: false, suggestion: null, problem: 'Enter an email address.', warning: null };
  const valid = validator.isEmail(email, { allow_display_name: false, require_tld: true, allow_ip_domain: false, allow_utf8_local_part: false });
  if (!valid) return { valid: false, suggestion: null, problem: 'This is not a valid email address. Check it with the recipient.', warning: null };
  const hit = emailSpellChecker.run({ email });
  const suggestion = hit && hit.full.toLowerCase() !== email.toLowerCase() ? hit.full : null;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const lookAlike = /[^\x00-\x7f]/.test(domain) || /(^|\.)xn--/i.test(domain);
  const warning = lookAlike
    ? 'The domain contains non-Latin letters, which can imitate a familiar domain. Confirm the address with the recipient before sending.'
    : null;
  return { valid: true, suggestion, problem: null, warning };
}

/**
 * The address, trimmed, if it is safe to put in an envelope and a header.
 * @throws AppError HEADER_INJECTION (CR/LF, RFC 5322 §2.2) | INVALID_EMAIL
 */
export function requireValidEmail(raw: string): string {
  if (/[\r\n]/.test(raw)) throw new AppError('HEADER_INJECTION', 'An email address cannot contain line breaks.');
  const r = checkEmailAddress(raw);
  if (!r.valid) throw new AppError('INVALID_EMAIL', r.problem ?? 'This is not a valid email address.');
  return raw.trim();
}
