/**
 * Table-driven rules that close the gaps a defective authorization or consent used to slip through:
 * compound psychotherapy-notes authorizations, who initiated an "at the request of the individual"
 * authorization, "none" as expiration, verified personal-representative authority, the Part 2 consent's
 * scope travelling with the disclosure, and the legal basis as the reason unencrypted email is refused.
 * Each row cites its paragraph and lists the EXACT set of blocking codes.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RepresentativeAuthorityEvidence } from '../../../src/shared/compliance';
import { evaluateRelease, type ReleaseInput } from '../../../src/main/services/compliance/release-gate';
import {
  coversPsychotherapyNotesWithOther,
  hasNoExpiration,
  isIndividualRequestPurpose,
  lintAuthorization,
  part2ConsentScopeExplanation,
  unencryptedEmailRefusal,
} from '../../../src/main/services/compliance';
import { accessRequest, ack, authorization, consent, input, NOW, request, TZ } from './fixtures';

interface Row {
  name: string;
  cite: string;
  input: () => ReleaseInput;
  blocks: string[];
  also?: (d: ReturnType<typeof evaluateRelease>) => void;
}

type Evidence = z.input<typeof RepresentativeAuthorityEvidence>;
const verified = (over: Partial<Evidence> = {}): Evidence => ({
  document: 'health_care_power_of_attorney' as const,
  method: 'copy_attached' as const,
  documentId: 'doc_poa0001',
  verifiedBy: 'staff_front_desk_1',
  verifiedAt: '2026-03-02T09:00:00-05:00',
  notes: '',
  ...over,
});
const prSig = (ev?: Evidence) => ({ signed: true, date: '2026-02-20', signerRole: 'personal_representative' as const, representativeAuthority: 'Health care power of attorney', ...(ev ? { authorityEvidence: ev } : {}) });
const prAccess = (ev?: Evidence) =>
  accessRequest({ requester: { role: 'personal_representative', name: 'Qazwsx Agent', authority: 'Health care power of attorney', ...(ev ? { authorityEvidence: ev } : {}) } });
const sudRequest = () => request({ scope: { categories: ['substance_use_disorder'] } });
const sudAuth = () => authorization({ categories: ['substance_use_disorder'], informationDescription: 'Substance use disorder treatment records, 2025' });

const rows: Row[] = [
  // --- psychotherapy notes with other records: defective as a whole, whatever staff tick
  {
    name: 'psychotherapy notes and visit notes in one authorization block the general records too, with nothing ticked as combined',
    cite: '45 CFR 164.508(b)(3)(ii), (b)(2)(iv)',
    input: () => input({ authorization: authorization({ categories: ['visit_notes', 'lab_results', 'psychotherapy_notes'], combinedWith: [] }), selection: ['doc_visit1', 'doc_lab001'] }),
    blocks: ['AUTH_PSYCHOTHERAPY_NOTES_COMBINED'],
  },
  {
    name: 'a description naming psychotherapy notes makes the authorization compound even when the category is not ticked',
    cite: '45 CFR 164.508(b)(3)(ii), (b)(2)(iv)',
    input: () => input({ authorization: authorization({ informationDescription: 'All records from 2025 including psychotherapy notes' }) }),
    blocks: ['AUTH_PSYCHOTHERAPY_NOTES_COMBINED'],
  },
  {
    name: '"excluding psychotherapy notes" in the description is not a compound authorization',
    cite: '45 CFR 164.508(c)(1)(i)',
    input: () => input({ authorization: authorization({ informationDescription: 'Visit notes and lab results from 2025, excluding psychotherapy notes' }) }),
    blocks: [],
  },
  {
    name: 'a psychotherapy-notes-only authorization stays valid',
    cite: '45 CFR 164.508(a)(2)',
    input: () => input({ request: request({ scope: { categories: ['psychotherapy_notes'] } }), authorization: authorization({ categories: ['psychotherapy_notes'], informationDescription: 'Psychotherapy notes, 2025' }), selection: ['doc_psych1'] }),
    blocks: [],
  },
  // --- who initiated: "at the request of the individual"
  {
    name: '"at the request of the individual" on a form drafted by an insurer',
    cite: '45 CFR 164.508(c)(1)(iv)',
    input: () => input({ authorization: authorization({ purposes: ['At the request of the individual'], initiatedBy: 'third_party' }) }),
    blocks: ['AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED'],
  },
  {
    name: '"at the patient\'s request" on a form the practice initiated',
    cite: '45 CFR 164.508(c)(1)(iv)',
    input: () => input({ authorization: authorization({ purposes: ["At the patient's request"], initiatedBy: 'covered_entity' }) }),
    blocks: ['AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED'],
  },
  {
    name: '"at the request of the individual" without a record of who initiated it',
    cite: '45 CFR 164.508(c)(1)(iv)',
    input: () => input({ authorization: authorization({ purposes: ['At the request of the individual'] }) }),
    blocks: ['AUTH_INITIATOR_NOT_RECORDED'],
  },
  {
    name: '"at the request of the individual" when the individual initiated it',
    cite: '45 CFR 164.508(c)(1)(iv)',
    input: () => input({ authorization: authorization({ purposes: ['At the request of the individual'], initiatedBy: 'individual' }) }),
    blocks: [],
  },
  {
    name: 'a stated purpose needs no initiator',
    cite: '45 CFR 164.508(c)(1)(iv)',
    input: () => input({ authorization: authorization({ purposes: ['Life insurance underwriting'], initiatedBy: 'third_party' }) }),
    blocks: [],
  },
  // --- "none" as the expiration
  {
    name: '"none" as the expiration of a litigation authorization',
    cite: '45 CFR 164.508(c)(1)(v)',
    input: () => input({ authorization: authorization({ purposes: ['Personal injury litigation'], expiration: { event: 'None' } }) }),
    blocks: ['AUTH_EXPIRATION_NONE_NOT_RESEARCH'],
  },
  {
    name: '"none" box ticked outside research',
    cite: '45 CFR 164.508(c)(1)(v)',
    input: () => input({ authorization: authorization({ expiration: { none: true } }) }),
    blocks: ['AUTH_EXPIRATION_NONE_NOT_RESEARCH'],
  },
  {
    name: '"until revoked" is "none" in other words',
    cite: '45 CFR 164.508(c)(1)(v)',
    input: () => input({ authorization: authorization({ expiration: { event: 'Until revoked' } }) }),
    blocks: ['AUTH_EXPIRATION_NONE_NOT_RESEARCH'],
  },
  {
    name: '"none" for a research database is valid',
    cite: '45 CFR 164.508(c)(1)(v)',
    input: () => input({ authorization: authorization({ purposes: ['Creation of the Maplewood cardiology research database'], research: true, expiration: { none: true } }) }),
    blocks: [],
  },
  {
    name: 'a real expiration event outside research is valid',
    cite: '45 CFR 164.508(c)(1)(v)',
    input: () => input({ authorization: authorization({ expiration: { event: 'Settlement of the claim' } }) }),
    blocks: [],
  },
  // --- personal representative: authority verified, not just typed
  {
    name: 'representative signed with a typed word and nothing verified',
    cite: '45 CFR 164.514(h)(1), 164.502(g)',
    input: () => input({ authorization: authorization({ signature: { ...prSig(), representativeAuthority: 'son' } }) }),
    blocks: ['AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'],
  },
  { name: 'representative signed, power of attorney copy on file', cite: '45 CFR 164.508(c)(1)(vi)', input: () => input({ authorization: authorization({ signature: prSig(verified()) }) }), blocks: [] },
  {
    name: 'representative signed, original inspected and recorded',
    cite: '45 CFR 164.508(c)(1)(vi)',
    input: () => input({ authorization: authorization({ signature: prSig(verified({ method: 'original_inspected', documentId: undefined })) }) }),
    blocks: [],
  },
  {
    name: '"copy attached" without the copy',
    cite: '45 CFR 164.514(h)(1), 164.502(g)',
    input: () => input({ authorization: authorization({ signature: prSig(verified({ documentId: undefined })) }) }),
    blocks: ['AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'],
  },
  {
    name: 'practice records cannot confirm a power of attorney',
    cite: '45 CFR 164.514(h)(1), 164.502(g)',
    input: () => input({ authorization: authorization({ signature: prSig(verified({ method: 'practice_records', documentId: undefined })) }) }),
    blocks: ['AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'],
  },
  {
    name: 'practice records confirm the parent of a minor',
    cite: '45 CFR 164.508(c)(1)(vi)',
    input: () =>
      input({ authorization: authorization({ signature: { ...prSig(verified({ document: 'parent_of_minor', method: 'practice_records', documentId: undefined })), representativeAuthority: 'Parent of a minor' } }) }),
    blocks: [],
  },
  { name: 'access request by a representative whose authority is only typed', cite: '45 CFR 164.514(h)(1), 164.502(g)', input: () => input({ request: prAccess(), authorization: undefined }), blocks: ['REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'] },
  { name: 'access request by a representative with a verified authority', cite: '45 CFR 164.524(a)(1)', input: () => input({ request: prAccess(verified()), authorization: undefined }), blocks: [] },
  // --- Part 2: the consent's scope travels with the disclosure; revoked consent blocks
  {
    name: 'a Part 2 disclosure carries the 2.32(a) notice and the scope of the consent relied on',
    cite: '42 CFR 2.32(b)',
    input: () => input({ request: sudRequest(), authorization: sudAuth(), consents: [consent({ id: 'p2c_revoked', revocation: { receivedDate: '2026-03-01', method: 'written' } }), consent()], selection: ['doc_sud001'] }),
    blocks: [],
    also: (d) => {
      const scope = d.notices.find((n) => n.citation === '42 CFR 2.32(b)')!;
      expect(scope.consentId).toBe('p2c_000001');
      expect(scope.text).toContain('For what purpose: Life insurance application');
      expect(scope.text).toContain('To whom: Qwerty Insurance Co');
      expect(scope.text).toContain('through 2026-12-31');
      expect(d.notices.map((n) => n.citation).sort()).toEqual(['42 CFR 2.32', '42 CFR 2.32(b)']);
    },
  },
  {
    name: 'a Part 2 consent revoked today blocks the release',
    cite: '42 CFR 2.31',
    input: () => input({ request: sudRequest(), authorization: sudAuth(), consents: [consent({ revocation: { receivedDate: '2026-03-05', method: 'written' } })], selection: ['doc_sud001'] }),
    blocks: ['PART2_CONSENT_REQUIRED', 'P2_REVOKED'],
    also: (d) => expect(d.notices.some((n) => n.citation === '42 CFR 2.32(b)')).toBe(false),
  },
  // --- named categories in the patient's direction
  {
    name: "the patient's signed direction names HIV results",
    cite: 'Cal. Health & Safety Code §120980(g)',
    input: () =>
      input({
        request: request({
          basis: 'patient_directed',
          requester: { role: 'patient', name: 'Zyxwv Testpatient' },
          scope: { categories: ['hiv_sti_results'] },
          patientDirective: { inWriting: true, signed: true, signedDate: '2026-02-28', recipientNamed: true, destinationNamed: true, namedCategories: ['hiv_sti_results'] },
        }),
        authorization: undefined,
        selection: ['doc_hiv001'],
      }),
    blocks: [],
  },
  // --- unencrypted email: the legal basis is the reason
  {
    name: 'unencrypted email under an authorization is refused for its legal basis alone, with no choice on file',
    cite: '45 CFR 164.312(e)(1)',
    input: () => input({ delivery: 'unencrypted' }),
    blocks: ['UNENCRYPTED_NOT_ACCESS'],
    also: (d) => expect(d.findings.find((f) => f.code === 'UNENCRYPTED_NOT_ACCESS')!.message).toMatch(/under an authorization/),
  },
  {
    name: 'a withdrawn unencrypted-email choice no longer allows it',
    cite: '45 CFR 164.524(c)(2)(ii)',
    input: () => input({ request: accessRequest(), authorization: undefined, delivery: 'unencrypted', acknowledgment: ack({ withdrawnAt: '2026-03-04T10:00:00-05:00' }) }),
    blocks: ['UNENCRYPTED_WITHDRAWN'],
  },
];

describe('authorization and consent rules (closing the gaps)', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const d = evaluateRelease(row.input());
    const blocks = [...new Set(d.findings.filter((f) => f.severity === 'block').map((f) => f.code))].sort();
    expect(blocks).toEqual([...row.blocks].sort());
    expect(d.allowed).toBe(row.blocks.length === 0);
    const primary = row.blocks[0];
    if (primary) expect(d.findings.find((f) => f.code === primary)!.citation).toContain(row.cite);
    for (const f of d.findings) expect(f.message).not.toMatch(/Zyxwv|Testpatient|Qwerty|Qazwsx|@/);
    row.also?.(d);
  });

  it.each([
    ['At the request of the individual', true],
    ['at the patient’s request', true],
    ['Per patient request', true],
    ['Requested by the patient', true],
    ['Upon the request of the patient', true],
    ['Life insurance underwriting', false],
    ['Request of the insurer', false],
  ] as const)('recognizes "%s" as an individual-request purpose: %s (164.508(c)(1)(iv))', (p, yes) => expect(isIndividualRequestPurpose(p)).toBe(yes));

  it.each([
    [{ event: 'none' }, true],
    [{ event: 'N/A' }, true],
    [{ event: 'No expiration date' }, true],
    [{ event: 'Does not expire' }, true],
    [{ event: 'Never' }, true],
    [{ event: 'Until I revoke it' }, true],
    [{ none: true }, true],
    [{ none: true, date: '2026-12-31' }, false],
    [{ event: 'End of the research study' }, false],
    [{ event: 'Settlement of the claim' }, false],
  ] as const)('reads expiration %j as "none": %s (164.508(c)(1)(v))', (e, yes) => expect(hasNoExpiration(e)).toBe(yes));

  it('a compound psychotherapy-notes authorization is defective in its own lint, not only at the gate (164.508(b)(2)(iv))', () => {
    const a = authorization({ categories: ['visit_notes', 'psychotherapy_notes'] });
    expect(coversPsychotherapyNotesWithOther(a)).toBe(true);
    expect(lintAuthorization(a, NOW, TZ).map((f) => f.code)).toContain('AUTH_PSYCHOTHERAPY_NOTES_COMBINED');
  });

  it('explains the scope of a Part 2 consent element by element (42 CFR 2.32(b), 2.31(a))', () => {
    const t = part2ConsentScopeExplanation(consent({ expiration: { event: 'End of the application' } }));
    expect(t.split('\n')).toEqual([
      expect.stringContaining('42 CFR 2.31'),
      '- Who may disclose: Maplewood Family Practice',
      '- What information: Substance use disorder treatment records, 2025, including diagnosis and medications',
      '- To whom: Qwerty Insurance Co',
      '- For what purpose: Life insurance application',
      '- Valid: until: End of the application',
      '- Signed on: 2026-02-20',
      expect.stringContaining('revoke'),
      expect.stringContaining('new consent'),
    ]);
  });

  it('the delivery ladder reason for unencrypted email names the legal basis, not a missing warning', () => {
    expect(unencryptedEmailRefusal(request(), undefined)).toMatch(/right of access.*under an authorization/);
    expect(unencryptedEmailRefusal(accessRequest(), undefined)).toMatch(/no recorded choice/);
    expect(unencryptedEmailRefusal(accessRequest(), ack())).toBeNull();
  });
});
