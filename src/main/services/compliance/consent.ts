import { localDate } from './dates';
import { finding, type DocumentCategory, type Finding, type Part2Consent } from './types';

const C = '42 CFR 2.31';
const blank = (s: string | undefined) => s === undefined || s.trim().length === 0;

/**
 * Lint a 42 CFR Part 2 consent: every missing §2.31(a) element, expiry and revocation.
 *
 * Codes (all 'block'): P2_ELEMENT_PATIENT (a)(1), P2_ELEMENT_DISCLOSER (a)(2),
 * P2_ELEMENT_DESCRIPTION (a)(3), P2_ELEMENT_RECIPIENT (a)(4), P2_ELEMENT_PURPOSE (a)(5),
 * P2_ELEMENT_REVOCATION (a)(6), P2_ELEMENT_EXPIRATION (a)(7), P2_ELEMENT_SIGNATURE (a)(8),
 * P2_EXPIRED / P2_REVOKED §2.31(c) (expired or revoked consent is deficient).
 * Dates are calendar days in `timeZone`; expiration is inclusive; a revocation is effective the day received.
 * @throws AppError VALIDATION_FAILED on an invalid zone
 */
export function lintPart2Consent(c: Part2Consent, now: Date, timeZone: string): Finding[] {
  const f: Finding[] = [];
  const today = localDate(now, timeZone);
  const miss = (code: string, para: string, what: string) => f.push(finding(code, 'block', `${C}${para}`, `The Part 2 consent is missing ${what}.`));
  if (!c.patientNamed) miss('P2_ELEMENT_PATIENT', '(a)(1)', "the patient's name");
  if (blank(c.discloser)) miss('P2_ELEMENT_DISCLOSER', '(a)(2)', 'who is permitted to disclose');
  if (blank(c.informationDescription)) miss('P2_ELEMENT_DESCRIPTION', '(a)(3)', 'how much and what kind of information may be disclosed');
  if (c.recipients.every((r) => blank(r))) miss('P2_ELEMENT_RECIPIENT', '(a)(4)', 'the recipient');
  if (blank(c.purpose)) miss('P2_ELEMENT_PURPOSE', '(a)(5)', 'the purpose of the disclosure');
  if (!c.revocationStatement) miss('P2_ELEMENT_REVOCATION', '(a)(6)', 'the statement of the right to revoke');
  if (blank(c.expiration.date) && blank(c.expiration.event)) miss('P2_ELEMENT_EXPIRATION', '(a)(7)', 'an expiration date or event');
  if (!c.signature.signed || blank(c.signature.date)) miss('P2_ELEMENT_SIGNATURE', '(a)(8)', 'the signature and date');
  if ((c.expiration.date && today > c.expiration.date) || (c.expiration.eventOccurredOn && today >= c.expiration.eventOccurredOn))
    f.push(finding('P2_EXPIRED', 'block', `${C}(c)`, 'The Part 2 consent has expired.'));
  if (c.revocation && today >= c.revocation.receivedDate) f.push(finding('P2_REVOKED', 'block', `${C}(c)`, 'The Part 2 consent was revoked.'));
  return f;
}

/** True when the consent lists `category` and has no blocking defect at `now`. */
export function part2ConsentCovers(c: Part2Consent, category: DocumentCategory, now: Date, timeZone: string): boolean {
  return c.categories.includes(category) && lintPart2Consent(c, now, timeZone).every((x) => x.severity !== 'block');
}

/** Title of the scope explanation that accompanies a disclosure made with a Part 2 consent. */
export const PART2_SCOPE_TITLE = 'Scope of the patient’s consent (42 CFR 2.32(b))';

/**
 * A clear explanation of the scope of a Part 2 consent, to accompany each disclosure made with it
 * (42 CFR 2.32(b), 2024 final rule text: "a copy of the consent or a clear explanation of the scope of the
 * consent"). Plain text, one element per line, in the order of §2.31(a): who may disclose, what information,
 * to whom, for what purpose, until when, the right to revoke, and the signature date.
 *
 * It contains what the consent says (the recipients' names, the description of the information), so it
 * travels only inside the protected release (encrypted message body, packet), never in a subject or log.
 * @param c the consent (valid: callers pass only a consent with no blocking finding)
 * @returns the explanation text, lines joined with "\n"
 */
export function part2ConsentScopeExplanation(c: Part2Consent): string {
  const until = c.expiration.date ? `through ${c.expiration.date}` : c.expiration.event ? `until: ${c.expiration.event}` : 'not stated';
  return [
    'These substance use disorder records are disclosed with the written consent of the patient under 42 CFR 2.31. The consent allows only this:',
    `- Who may disclose: ${c.discloser.trim()}`,
    `- What information: ${c.informationDescription.trim()}`,
    `- To whom: ${c.recipients.map((r) => r.trim()).filter(Boolean).join('; ')}`,
    `- For what purpose: ${c.purpose.trim()}`,
    `- Valid: ${until}`,
    `- Signed on: ${c.signature.date ?? 'not dated'}`,
    '- The patient may revoke this consent at any time, except to the extent that action has already been taken in reliance on it (42 CFR 2.31(a)(6)).',
    'Any use or disclosure beyond this scope needs a new consent or another basis permitted by 42 CFR part 2.',
  ].join('\n');
}
