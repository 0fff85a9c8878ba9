import { assertZone } from './dates';
import { authorizationCovers, isDedicatedTo, lintAuthorization } from './authorization';
import { lintPart2Consent, part2ConsentCovers, part2ConsentScopeExplanation, PART2_SCOPE_TITLE } from './consent';
import { representativeAuthorityFindings } from './representative';
import { clockFindings } from './deadlines';
import { isSensitive, requirementsFor } from './rulepacks';
import { scopeFinding } from './scope';
import { SENDABLE_STATUSES } from './status';
import {
  finding,
  type Authorization,
  type ComplianceDocument,
  type Finding,
  type Part2Consent,
  type ReleaseNotice,
  type ReleaseRequest,
  type RulePack,
  type ScopeOverride,
  type UnencryptedEmailAcknowledgment,
} from './types';
import { mayUseUnencryptedEmail } from './unencrypted-email';

/** Everything the gate needs; pure data, no database. */
export interface ReleaseInput {
  request: ReleaseRequest;
  /** The authorization the release relies on (required for basis 'authorization'; used by sensitive-category rules otherwise). */
  authorization?: Authorization;
  /** 42 CFR Part 2 consents on file for this patient. */
  consents: readonly Part2Consent[];
  /**
   * The patient's documents (id, category, date). A combined record file of several categories appears once per
   * category, with the same id: every category is checked (scope, sensitive-category rules, authorization).
   */
  documents: readonly ComplianceDocument[];
  /** Ids of the documents chosen for this release. */
  selection: readonly string[];
  /** Recorded reasons to go beyond the requested scope. */
  overrides: readonly ScopeOverride[];
  /** The individual's choice of unencrypted email, if any. */
  acknowledgment?: UnencryptedEmailAcknowledgment;
  /** 'encrypted' (default) or 'unencrypted' at the individual's request. */
  delivery?: 'encrypted' | 'unencrypted';
  now: Date;
  /** Practice IANA time zone. */
  timeZone: string;
  rulePacks: readonly RulePack[];
}

export interface ReleaseDecision {
  /** False when any finding has severity 'block'. */
  allowed: boolean;
  /** Every problem found, blocking and warning, each with code, citation and PHI-free message. */
  findings: Finding[];
  /**
   * Notices the release must carry, in the encrypted message body and in the packet: the 42 CFR 2.32(a)
   * notice with Part 2 records, and for each Part 2 consent relied on a 2.32(b) scope explanation
   * (citation '42 CFR 2.32(b)', `consentId` set; its PDF form: renderPart2ConsentScope).
   */
  notices: ReleaseNotice[];
}

/**
 * Decide whether a release may be sent, naming everything that is wrong.
 *
 * Checks, in order: request status (verified, 164.514(h)); basis requirements
 * (patient-directed written/signed/recipient/destination 164.524(c)(3)(ii);
 * personal representative's authority 164.502(g); authorization present and
 * valid 164.508(a)(1), (b)(2), (c); TPO reason 164.506(c)); the 30-day clock
 * (warnings only, 164.524(b)(2)); the selection (non-empty, known ids); each
 * document's scope (164.502(b), 164.514(d)) and authorization coverage; the
 * sensitive-category rule packs (psychotherapy notes 164.508(a)(2),
 * 164.524(a)(1)(i); Part 2 42 CFR 2.31, 2.32(a) notice and 2.32(b) scope of the
 * consent relied on, returned as notices; state packs); and unencrypted
 * delivery (mayUseUnencryptedEmail). Never throws for rule violations: they
 * are findings.
 * @throws AppError VALIDATION_FAILED only for an invalid time zone or date value
 */
export function evaluateRelease(input: ReleaseInput): ReleaseDecision {
  const { request, authorization: auth, now, timeZone, rulePacks } = input;
  assertZone(timeZone);
  const findings: Finding[] = [];
  const notices: ReleaseNotice[] = [];
  const add = (...fs: Finding[]) => findings.push(...fs);
  let authLinted = false;
  const lintAuthOnce = () => {
    if (auth && !authLinted) {
      authLinted = true;
      add(...lintAuthorization(auth, now, timeZone));
    }
  };

  // 1. status
  if (!SENDABLE_STATUSES.includes(request.status)) {
    if (request.status === 'received' || request.status === 'verifying')
      add(finding('REQUEST_NOT_VERIFIED', 'block', '45 CFR 164.514(h)(1)', "Verify the requester's identity and authority, then mark the request ready to release (on the request's screen) before sending."));
    else add(finding('REQUEST_CLOSED', 'block', '45 CFR 164.530(i)', `This request is ${request.status.replace('_', ' ')}; it cannot be sent.`));
  }

  // 2. legal basis
  switch (request.basis) {
    case 'right_of_access':
    case 'patient_directed': {
      if (request.requester.role !== 'patient' && request.requester.role !== 'personal_representative' && request.basis === 'right_of_access')
        add(finding('ACCESS_REQUESTER_NOT_INDIVIDUAL', 'block', '45 CFR 164.524(a)(1)', 'Only the individual or a personal representative can make a right-of-access request.'));
      if (request.requester.role === 'personal_representative' && !(request.requester.authority ?? '').trim())
        add(finding('REPRESENTATIVE_AUTHORITY_MISSING', 'block', '45 CFR 164.502(g)', "Record the personal representative's authority to act for the individual."));
      if (request.requester.role === 'personal_representative')
        add(...representativeAuthorityFindings(request.requester.authorityEvidence, 'REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'));
      if (request.basis === 'patient_directed') {
        const d = request.patientDirective;
        const cite = '45 CFR 164.524(c)(3)(ii)';
        if (!d) add(finding('DIRECTIVE_MISSING', 'block', cite, 'A copy to a third party needs the individual\'s written, signed direction.'));
        else {
          if (!d.inWriting) add(finding('DIRECTIVE_NOT_IN_WRITING', 'block', cite, 'The direction to send a copy to a third party must be in writing.'));
          if (!d.signed || !d.signedDate) add(finding('DIRECTIVE_NOT_SIGNED', 'block', cite, 'The direction to send a copy to a third party must be signed (and dated) by the individual.'));
          if (!d.recipientNamed) add(finding('DIRECTIVE_RECIPIENT_NOT_NAMED', 'block', cite, 'The direction must clearly name the recipient.'));
          if (!d.destinationNamed) add(finding('DIRECTIVE_DESTINATION_NOT_NAMED', 'block', cite, 'The direction must say where to send the copy.'));
        }
      }
      break;
    }
    case 'authorization':
      if (!auth) add(finding('AUTH_REQUIRED', 'block', '45 CFR 164.508(a)(1)', 'This disclosure needs a valid authorization on file.'));
      else lintAuthOnce();
      break;
    case 'tpo':
      if (!request.tpo || request.tpo.reason.trim().length === 0)
        add(finding('TPO_REASON_REQUIRED', 'block', '45 CFR 164.506(c)', 'Record the treatment, payment or operations reason for this disclosure.'));
      break;
    case 'required_by_law':
    case 'hhs':
      break;
  }

  // 3. clock (warnings only)
  add(...clockFindings(request, now, timeZone));

  // 4. selection
  const byId = new Map<string, ComplianceDocument[]>();
  for (const d of input.documents) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  if (input.selection.length === 0) add(finding('SELECTION_EMPTY', 'block', '45 CFR 164.524(c)(1)', 'Select at least one document to release.'));
  const seen = new Set<string>();
  for (const id of input.selection) {
    if (seen.has(id)) continue;
    seen.add(id);
    const entries = byId.get(id);
    if (!entries) {
      add(finding('SELECTION_UNKNOWN_DOCUMENT', 'block', '45 CFR 164.530(c)', 'A selected document is not one of this patient\'s documents.', id));
      continue;
    }
    for (const doc of entries) {
      const sensitive = isSensitive(rulePacks, doc.category);
      add(...scopeFinding(request, doc, input.overrides, sensitive));
      if (request.basis === 'authorization' && auth && !authorizationCovers(auth, doc))
        add(finding('AUTH_SCOPE_EXCEEDED', 'block', '45 CFR 164.508(c)(1)(i)', 'A selected document is not covered by the authorization\'s description of information.', doc.id));

      // 5. sensitive-category rule packs
      for (const q of requirementsFor(rulePacks, doc.category, request.basis)) {
        switch (q.kind) {
          case 'excluded_for_bases':
            add(finding(q.code, 'block', q.citation, q.message, doc.id));
            break;
          case 'dedicated_authorization':
            if (!auth || !isDedicatedTo(auth, doc.category)) add(finding(q.code, 'block', q.citation, q.message, doc.id));
            else lintAuthOnce();
            break;
          case 'named_in_authorization': {
            const directed = request.basis === 'patient_directed' && (request.patientDirective?.namedCategories ?? []).includes(doc.category);
            const authorized = auth !== undefined && auth.categories.includes(doc.category);
            if (!directed && !authorized) add(finding(q.code, 'block', q.citation, q.message, doc.id));
            else if (authorized && !directed) lintAuthOnce();
            break;
          }
          case 'part2_consent': {
            const covering = input.consents.filter((c) => c.categories.includes(doc.category));
            const valid = covering.find((c) => part2ConsentCovers(c, doc.category, now, timeZone));
            if (!valid) {
              add(finding(q.code, 'block', q.citation, q.message, doc.id));
              for (const c of covering) add(...lintPart2Consent(c, now, timeZone).map((x) => ({ ...x, documentId: doc.id })));
            } else if (!notices.some((n) => n.consentId === valid.id)) {
              // 42 CFR 2.32(b) (2024): the disclosure carries a copy of the consent or a clear explanation of its scope.
              notices.push({ category: doc.category, citation: '42 CFR 2.32(b)', title: PART2_SCOPE_TITLE, text: part2ConsentScopeExplanation(valid), consentId: valid.id });
            }
            break;
          }
          case 'attach_notice':
            if (!notices.some((n) => n.category === doc.category && n.title === q.title)) notices.push({ category: doc.category, citation: q.citation, title: q.title, text: q.text });
            break;
        }
      }
    }
  }

  // 6. delivery
  if (input.delivery === 'unencrypted') add(...mayUseUnencryptedEmail(request, input.acknowledgment).findings);

  const unique = dedupe(findings);
  return { allowed: unique.every((f) => f.severity !== 'block'), findings: unique, notices };
}

function dedupe(fs: Finding[]): Finding[] {
  const keys = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.code}|${f.documentId ?? ''}|${f.citation}|${f.message}`;
    if (keys.has(k)) return false;
    keys.add(k);
    return true;
  });
}
