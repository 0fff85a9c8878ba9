import { localDate } from './dates';
import { representativeAuthorityFindings } from './representative';
import { finding, type Authorization, type DocumentCategory, type Finding } from './types';

const C = '45 CFR 164.508';

/** True when the authorization covers psychotherapy notes only (a separate authorization, 164.508(a)(2)). */
export function isPsychotherapyNotesAuthorization(a: Authorization): boolean {
  return a.categories.length === 1 && a.categories[0] === 'psychotherapy_notes';
}

/** True when the authorization covers exactly one category, `category` (a dedicated authorization). */
export function isDedicatedTo(a: Authorization, category: DocumentCategory): boolean {
  return a.categories.length === 1 && a.categories[0] === category;
}

const blank = (s: string | undefined) => s === undefined || s.trim().length === 0;
const noneFilled = (xs: readonly string[]) => xs.every((x) => x.trim().length === 0);

const INDIVIDUAL_REQUEST =
  /\b(at|upon|on|per|by)\s+(the\s+)?(request|direction|behest)\s+of\s+(the\s+)?(individual|patient)\b|\b(individual|patient)(['’]s)?\s+(own\s+)?request\b|\brequested\s+by\s+(the\s+)?(individual|patient)\b/i;

/**
 * True when a stated purpose is "at the request of the individual" (or a close variant: "at the patient's
 * request", "per patient request", "requested by the individual"), which 45 CFR 164.508(c)(1)(iv) accepts
 * only when the individual initiated the authorization.
 */
export function isIndividualRequestPurpose(purpose: string): boolean {
  return INDIVIDUAL_REQUEST.test(purpose);
}

const NO_EXPIRATION =
  /^\s*(none|n\/?a|not applicable|no(\s+expiration|\s+expiry|\s+end)(\s+date)?|does not expire|never( expires)?|indefinite(ly)?|perpetual|permanent|until (it is |i )?revoked?( it)?)\s*\.?\s*$/i;

/**
 * True when the expiration is "none" or similar (164.508(c)(1)(v)): the `none` box is ticked, or the event
 * reads "none", "N/A", "no expiration", "does not expire", "never", "indefinite", "perpetual", "until revoked"
 * — and no expiration date is given (a date always ends it).
 */
export function hasNoExpiration(e: Authorization['expiration']): boolean {
  if (!blank(e.date)) return false;
  return e.none === true || (e.event !== undefined && NO_EXPIRATION.test(e.event));
}

const PSYCH_NEGATED = /\b(exclud\w*|except(ing)?|not including|other than|but not|without|no)\s+(any\s+|the\s+)?psychotherapy\s+notes?\b/gi;

/**
 * True when the authorization, by its categories or its written description, covers psychotherapy notes
 * together with other information (164.508(b)(3)(ii)). "Excluding psychotherapy notes" and similar do not count.
 */
export function coversPsychotherapyNotesWithOther(a: Authorization): boolean {
  const others = a.categories.filter((c) => c !== 'psychotherapy_notes');
  const byCategory = a.categories.includes('psychotherapy_notes');
  const byText = /\bpsychotherapy\s+notes?\b/i.test(a.informationDescription.replace(PSYCH_NEGATED, ''));
  return (byCategory || byText) && others.length > 0;
}

/**
 * Lint an authorization: EVERY missing or defective element, each with its citation.
 *
 * Blocking (the authorization is defective, 45 CFR 164.508(b)(2)):
 * - AUTH_ELEMENT_DESCRIPTION / _DISCLOSER / _RECIPIENT / _PURPOSE / _EXPIRATION / _SIGNATURE /
 *   _SIGNATURE_DATE / _REPRESENTATIVE_AUTHORITY: core elements (c)(1)(i)-(vi)
 * - AUTH_STATEMENT_REVOKE / _CONDITIONING / _REDISCLOSURE: required statements (c)(2)(i)-(iii)
 * - AUTH_EXPIRED (date passed; valid through the end of the expiration day in `timeZone`),
 *   AUTH_EXPIRATION_EVENT_OCCURRED: (b)(2)(i)
 * - AUTH_REVOKED (revocation received on or before today; effective the day received): (b)(2)(iii), (b)(5)
 * - AUTH_IMPROPERLY_COMBINED: (b)(3), (b)(2)(iv); AUTH_CONDITIONED: (b)(4), (b)(2)(iv)
 * - AUTH_PSYCHOTHERAPY_NOTES_COMBINED: psychotherapy notes and other information in one authorization, by its
 *   categories or its description, whatever staff ticked as "combined with" — defective as a whole ((b)(3)(ii), (b)(2)(iv))
 * - AUTH_INITIATOR_NOT_RECORDED / AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED: "at the request of the individual" as a
 *   purpose when the individual did not (or is not recorded to have) initiated it ((c)(1)(iv))
 * - AUTH_EXPIRATION_NONE_NOT_RESEARCH: "none" as the expiration outside research ((c)(1)(v))
 * - AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED: signed by a personal representative whose authority has no
 *   recorded verification (164.502(g), 164.514(h)(1); see representativeAuthorityFindings)
 * - AUTH_KNOWN_FALSE: (b)(2)(v)
 * Warning: AUTH_COPY_NOT_GIVEN, (c)(4).
 * @param now instant of evaluation; `timeZone` the practice's IANA zone
 * @returns findings (empty when valid); messages are PHI-free
 * @throws AppError VALIDATION_FAILED on an invalid zone or date
 */
export function lintAuthorization(a: Authorization, now: Date, timeZone: string): Finding[] {
  const f: Finding[] = [];
  const today = localDate(now, timeZone);
  const missing = (code: string, para: string, what: string) => f.push(finding(code, 'block', `${C}${para}`, `The authorization is missing ${what}.`));

  if (blank(a.informationDescription)) missing('AUTH_ELEMENT_DESCRIPTION', '(c)(1)(i)', 'a specific description of the information to be disclosed');
  if (noneFilled(a.disclosers)) missing('AUTH_ELEMENT_DISCLOSER', '(c)(1)(ii)', 'who is authorized to make the disclosure');
  if (noneFilled(a.recipients)) missing('AUTH_ELEMENT_RECIPIENT', '(c)(1)(iii)', 'who may receive the information');
  if (noneFilled(a.purposes)) missing('AUTH_ELEMENT_PURPOSE', '(c)(1)(iv)', 'the purpose of the disclosure ("at the request of the individual" is enough)');
  if (blank(a.expiration.date) && blank(a.expiration.event) && a.expiration.none !== true) missing('AUTH_ELEMENT_EXPIRATION', '(c)(1)(v)', 'an expiration date or expiration event');
  if (!a.signature.signed) missing('AUTH_ELEMENT_SIGNATURE', '(c)(1)(vi)', 'the signature of the individual or personal representative');
  if (blank(a.signature.date)) missing('AUTH_ELEMENT_SIGNATURE_DATE', '(c)(1)(vi)', 'the date of signature');
  if (a.signature.signerRole === 'personal_representative' && blank(a.signature.representativeAuthority))
    missing('AUTH_ELEMENT_REPRESENTATIVE_AUTHORITY', '(c)(1)(vi)', "a description of the personal representative's authority to act for the individual");
  if (a.signature.signerRole === 'personal_representative')
    f.push(...representativeAuthorityFindings(a.signature.authorityEvidence, 'AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'));

  // (c)(1)(iv): "at the request of the individual" suffices only when the individual initiated the authorization.
  if (a.purposes.some(isIndividualRequestPurpose) && a.initiatedBy !== 'individual') {
    if (a.initiatedBy === undefined)
      f.push(finding('AUTH_INITIATOR_NOT_RECORDED', 'block', `${C}(c)(1)(iv)`, 'Record who initiated the authorization: "at the request of the individual" is a sufficient purpose only when the individual initiated it.'));
    else
      f.push(
        finding(
          'AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED',
          'block',
          `${C}(c)(1)(iv)`,
          `This authorization was initiated by ${a.initiatedBy === 'covered_entity' ? 'the practice' : 'a third party'}, not the individual, so "at the request of the individual" is not a valid purpose. The form must state the actual purpose.`,
        ),
      );
  }
  // (c)(1)(v): "none" as the expiration only for research, including a research database or repository.
  if (hasNoExpiration(a.expiration) && !a.research)
    f.push(finding('AUTH_EXPIRATION_NONE_NOT_RESEARCH', 'block', `${C}(c)(1)(v)`, '"None" (or similar) as the expiration is allowed only for research. This authorization needs an expiration date or event.'));

  const statement = (code: string, para: string, what: string) => f.push(finding(code, 'block', `${C}${para}`, `The authorization is missing the required statement ${what}.`));
  if (!a.statements.rightToRevoke) statement('AUTH_STATEMENT_REVOKE', '(c)(2)(i)', 'of the right to revoke it in writing and how to do so');
  if (!a.statements.conditioning) statement('AUTH_STATEMENT_CONDITIONING', '(c)(2)(ii)', 'on whether treatment, payment, enrollment or eligibility may be conditioned on signing');
  if (!a.statements.redisclosure) statement('AUTH_STATEMENT_REDISCLOSURE', '(c)(2)(iii)', 'that the recipient may redisclose the information and it may then no longer be protected');

  if (a.expiration.date && today > a.expiration.date)
    f.push(finding('AUTH_EXPIRED', 'block', `${C}(b)(2)(i)`, `The authorization expired at the end of ${a.expiration.date}.`));
  if (a.expiration.eventOccurredOn && today >= a.expiration.eventOccurredOn)
    f.push(finding('AUTH_EXPIRATION_EVENT_OCCURRED', 'block', `${C}(b)(2)(i)`, 'The event that ends the authorization has occurred.'));
  if (a.revocation && today >= a.revocation.receivedDate)
    f.push(finding('AUTH_REVOKED', 'block', `${C}(b)(2)(iii)`, `The authorization was revoked (revocation received ${a.revocation.receivedDate}).`));
  if (a.knownFalse) f.push(finding('AUTH_KNOWN_FALSE', 'block', `${C}(b)(2)(v)`, 'Material information in the authorization is known to be false.'));

  if (coversPsychotherapyNotesWithOther(a))
    f.push(
      finding(
        'AUTH_PSYCHOTHERAPY_NOTES_COMBINED',
        'block',
        `${C}(b)(3)(ii), (b)(2)(iv)`,
        'This authorization covers psychotherapy notes together with other records. Psychotherapy notes need their own separate authorization, so the whole authorization is defective: nothing may be released under it. Ask for two separate authorizations.',
      ),
    );
  for (const reason of combinationDefects(a)) f.push(finding('AUTH_IMPROPERLY_COMBINED', 'block', reason.citation, reason.message));
  if (a.conditionsTreatment && !a.combinedWith.includes('research_consent'))
    f.push(finding('AUTH_CONDITIONED', 'block', `${C}(b)(4)`, 'Treatment, payment, enrollment or eligibility may not be conditioned on signing this authorization.'));

  if (!a.copyGivenToIndividual) f.push(finding('AUTH_COPY_NOT_GIVEN', 'warn', `${C}(c)(4)`, 'Give the individual a copy of the signed authorization.'));
  return f;
}

/** The (b)(3) compound-authorization defects of `a` (empty when none). */
function combinationDefects(a: Authorization): { citation: string; message: string }[] {
  const out: { citation: string; message: string }[] = [];
  const psych = isPsychotherapyNotesAuthorization(a);
  const nonAuth: string[] = a.combinedWith.filter((w) => w === 'consent_to_treatment' || w === 'notice_of_privacy_practices' || w === 'other_document');
  if (nonAuth.length > 0) out.push({ citation: `${C}(b)(3)`, message: 'The authorization is combined with a document that is not an authorization (for example a consent to treatment or a privacy notice).' });
  if (psych && a.combinedWith.some((w) => w !== 'psychotherapy_notes_authorization' && !nonAuth.includes(w)))
    out.push({ citation: `${C}(b)(3)(ii)`, message: 'A psychotherapy-notes authorization may be combined only with another psychotherapy-notes authorization.' });
  if (!psych && a.combinedWith.includes('psychotherapy_notes_authorization'))
    out.push({ citation: `${C}(b)(3)(ii)`, message: 'This authorization is combined with a psychotherapy-notes authorization, which must stand alone.' });
  if (a.combinedWith.includes('other_authorization') && a.conditionsTreatment)
    out.push({ citation: `${C}(b)(3)(iii)`, message: 'Authorizations may not be combined when one of them conditions treatment, payment, enrollment or eligibility.' });
  return out;
}

/** True when the lint has no blocking finding. */
export function isAuthorizationValid(a: Authorization, now: Date, timeZone: string): boolean {
  return lintAuthorization(a, now, timeZone).every((x) => x.severity !== 'block');
}

/**
 * Does the authorization's description cover this document (category listed, date within its range)?
 * An authorization with no categories listed is treated as not covering any category (the description must be specific, (c)(1)(i)).
 */
export function authorizationCovers(a: Authorization, doc: { category: DocumentCategory; date: string }): boolean {
  if (!a.categories.includes(doc.category)) return false;
  if (a.from && doc.date < a.from) return false;
  if (a.to && doc.date > a.to) return false;
  return true;
}
