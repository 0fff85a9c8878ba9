/**
 * The authorization and consent rules end to end through the real dispatcher on a real vault: each row
 * creates the request (and its authorization or consent) over the contract, makes a release of classified
 * records, and evaluates the send gate (releases.evaluate). Each row cites its paragraph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryLadder } from '../../../src/main/services/delivery/methods';
import { unencryptedEmailRefusal } from '../../../src/main/services/compliance';
import { innerBody } from '../../../src/main/services/releases/methods/pgp-mime';
import { UNENCRYPTED_EMAIL_WARNING_VERSION } from '../../../src/shared/compliance-text';
import type { ChannelInput, ChannelOutput } from '../../../src/shared/contract';
import type { DocumentCategory } from '../../../src/shared/compliance';
import { file, goodAuthorization, intake, PATIENT, recordPdf, startBackend, type Backend } from '../../support/backend';

type Intake = ChannelInput<'requests.create'>;
/** An authorization as sent over the contract (loosely typed so rows can write any field; dispatch validates it). */
type Auth = Record<string, unknown>;

describe('authorization and consent rules through the dispatcher', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend();
    b.clock.set('2026-06-15T12:00:00-05:00');
  }, 30_000);
  afterAll(async () => b?.close());

  const receivedAt = () => new Date(b.clock.now().getTime() - 86_400_000).toISOString();

  /** Request (verified, ready) + optional authorization + a release of `docs` classified; returns ids. */
  async function setUp(over: Partial<Intake>, auth: Auth | null, docs: DocumentCategory[]) {
    const req = await b.call('requests.create', intake({ receivedAt: receivedAt(), ...over }));
    let authorization: ChannelOutput<'authorizations.save'> | null = null;
    if (auth) authorization = await b.call('authorizations.save', { requestId: req.id, authorization: auth as never });
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await b.call('releases.create', { requestId: req.id });
    b.stage(await Promise.all(docs.map(async (_, i) => file(`record ${i}.pdf`, await recordPdf(`Record ${i}`)))));
    const picked = await b.call('documents.pick', { releaseId: rel.id });
    await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d, i) => ({ documentId: d.id, category: docs[i]!, documentDate: '2025-06-01' })) });
    return { req, rel, authorization };
  }
  const blocks = (e: ChannelOutput<'releases.evaluate'>) => [...new Set(e.findings.filter((f) => f.severity === 'block').map((f) => f.code))].sort();
  const evaluate = (releaseId: string) => b.call('releases.evaluate', { releaseId });

  const access = (role: 'patient' | 'personal_representative', authority?: string): Partial<Intake> => ({
    basis: 'right_of_access',
    requester: { role, name: role === 'patient' ? PATIENT.name : 'Qazwsx Agent', ...(authority ? { authority } : {}) },
    recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }],
    scope: { categories: ['visit_notes'] },
  });

  const rows: Array<{ name: string; cite: string; over: Partial<Intake>; auth: Auth | null; docs: DocumentCategory[]; blocks: string[] }> = [
    {
      name: 'an authorization covering psychotherapy notes and visit notes blocks even the visit notes',
      cite: '45 CFR 164.508(b)(3)(ii), (b)(2)(iv)',
      over: { scope: { categories: ['visit_notes', 'psychotherapy_notes'], from: '2025-01-01', to: '2025-12-31' } },
      auth: { ...goodAuthorization(), categories: ['visit_notes', 'psychotherapy_notes'] as never },
      docs: ['visit_notes'],
      blocks: ['AUTH_PSYCHOTHERAPY_NOTES_COMBINED'],
    },
    {
      name: '"at the request of the individual" on an authorization drafted by an insurer',
      cite: '45 CFR 164.508(c)(1)(iv)',
      over: {},
      auth: { ...goodAuthorization(), purposes: ['At the request of the individual'], initiatedBy: 'third_party' },
      docs: ['visit_notes'],
      blocks: ['AUTH_PURPOSE_NOT_INDIVIDUAL_INITIATED'],
    },
    {
      name: '"at the request of the individual" when the individual initiated it',
      cite: '45 CFR 164.508(c)(1)(iv)',
      over: {},
      auth: { ...goodAuthorization(), purposes: ['At the request of the individual'], initiatedBy: 'individual' },
      docs: ['visit_notes'],
      blocks: [],
    },
    {
      name: '"none" as the expiration of a litigation authorization',
      cite: '45 CFR 164.508(c)(1)(v)',
      over: {},
      auth: { ...goodAuthorization(), purposes: ['Personal injury litigation'], expiration: { none: true } },
      docs: ['visit_notes'],
      blocks: ['AUTH_EXPIRATION_NONE_NOT_RESEARCH'],
    },
    {
      name: '"none" as the expiration of a research-database authorization',
      cite: '45 CFR 164.508(c)(1)(v)',
      over: {},
      auth: { ...goodAuthorization(), purposes: ['Research database of cardiac outcomes'], research: true, expiration: { event: 'None' } },
      docs: ['visit_notes'],
      blocks: [],
    },
    {
      name: 'an authorization signed by a representative with only a typed authority',
      cite: '45 CFR 164.514(h)(1), 164.502(g)',
      over: {},
      auth: { ...goodAuthorization(), signature: { signed: true, date: '2026-01-10', signerRole: 'personal_representative', representativeAuthority: 'son' } },
      docs: ['visit_notes'],
      blocks: ['AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'],
    },
    {
      name: 'an access request by a representative with only a typed authority',
      cite: '45 CFR 164.514(h)(1), 164.502(g)',
      over: access('personal_representative', 'son'),
      auth: null,
      docs: ['visit_notes'],
      blocks: ['REPRESENTATIVE_AUTHORITY_NOT_VERIFIED'],
    },
    {
      name: "HIV results at the patient's direction, the intake naming them",
      cite: 'Cal. Health & Safety Code §120980(g)',
      over: {
        basis: 'patient_directed',
        requester: { role: 'patient', name: PATIENT.name },
        scope: { categories: ['hiv_sti_results'] },
        patientDirective: { inWriting: true, signed: true, signedDate: '2026-06-01', recipientNamed: true, destinationNamed: true, namedCategories: ['hiv_sti_results'] },
      },
      auth: null,
      docs: ['hiv_sti_results'],
      blocks: [],
    },
  ];

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_n, row) => {
    const { rel } = await setUp(row.over, row.auth, row.docs);
    const e = await evaluate(rel.id);
    expect(blocks(e)).toEqual([...row.blocks].sort());
    expect(e.allowed).toBe(row.blocks.length === 0);
    if (row.blocks[0]) expect(e.findings.find((f) => f.code === row.blocks[0])!.citation).toContain(row.cite);
  });

  it('an authorization save cannot smuggle in a verification; staff record it (copy attached), saves keep it, and the release is allowed', async () => {
    const forged = { document: 'health_care_power_of_attorney', method: 'original_inspected', verifiedBy: 'Nobody', verifiedAt: '2026-06-01T00:00:00Z', notes: '' };
    const auth = { ...goodAuthorization(), signature: { signed: true, date: '2026-01-10', signerRole: 'personal_representative' as const, representativeAuthority: 'Health care power of attorney', authorityEvidence: forged } };
    const { req, rel, authorization } = await setUp({}, auth, ['visit_notes']);
    expect(authorization!.authorization.signature.authorityEvidence).toBeUndefined();
    expect(blocks(await evaluate(rel.id))).toEqual(['AUTH_REPRESENTATIVE_AUTHORITY_NOT_VERIFIED']);

    // 'practice_records' confirms only a parent of a minor: refused, audited, nothing changes.
    await expect(
      b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'authorization_signer', document: 'health_care_power_of_attorney', method: 'practice_records', notes: '' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // Nothing picked: refused.
    await expect(
      b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'authorization_signer', document: 'health_care_power_of_attorney', method: 'copy_attached', notes: '' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    b.stage([file('Qazwsx POA scan.pdf', await recordPdf('Power of attorney'))]);
    const d = await b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'authorization_signer', document: 'health_care_power_of_attorney', method: 'copy_attached', notes: 'notarized' });
    const ev = d.authorization!.authorization.signature.authorityEvidence!;
    expect(ev).toMatchObject({ document: 'health_care_power_of_attorney', method: 'copy_attached', verifiedBy: 'Qwert Frontdesk', verifiedAt: b.clock.now().toISOString() });
    const copy = d.documents.find((x) => x.id === ev.documentId)!;
    expect(copy).toMatchObject({ kind: 'representative_authority', label: `representative-authority-${d.reference}.pdf` });
    expect(copy.label).not.toContain('Qazwsx');
    expect(d.verifications.some((v) => v.subject === 'authority' && v.method === 'representative_documentation')).toBe(true);
    expect(blocks(await evaluate(rel.id))).toEqual([]);

    // A later edit of the authorization (a replacement) keeps the verification while a representative signs.
    const replaced = await b.call('authorizations.save', { requestId: req.id, authorizationId: d.authorization!.id, authorization: { ...auth, copyGivenToIndividual: false } as never });
    expect(replaced.authorization.signature.authorityEvidence).toEqual(ev);
    expect(blocks(await evaluate(rel.id))).toEqual([]);

    const audit = (await b.call('audit.events', { limit: 50 })).filter((x) => x.action === 'request.representative_authority');
    expect(audit.map((x) => x.outcome)).toEqual(expect.arrayContaining(['refused', 'success']));
    expect(JSON.stringify(audit)).not.toMatch(/Qazwsx|Zyxwv|notarized/);
  });

  it("a representative's original seen in person verifies an access request", async () => {
    const { req, rel } = await setUp(access('personal_representative', 'Legal guardian'), null, ['visit_notes']);
    expect(blocks(await evaluate(rel.id))).toEqual(['REPRESENTATIVE_AUTHORITY_NOT_VERIFIED']);
    await expect(b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'authorization_signer', document: 'guardianship_order', method: 'original_inspected', notes: '' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const d = await b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'requester', document: 'guardianship_order', method: 'original_inspected', notes: 'court order seen' });
    expect(d.request.requester.authorityEvidence).toMatchObject({ document: 'guardianship_order', method: 'original_inspected', verifiedBy: 'Qwert Frontdesk' });
    expect(blocks(await evaluate(rel.id))).toEqual([]);
  });

  it('an authority check alone does not verify identity: the request cannot be marked ready on it (164.514(h)(1))', async () => {
    const req = await b.call('requests.create', intake({ receivedAt: receivedAt(), ...access('personal_representative', 'Parent of a minor') }));
    const d = await b.call('requests.recordRepresentativeAuthority', { requestId: req.id, target: 'requester', document: 'parent_of_minor', method: 'practice_records', notes: '' });
    expect(d.status).toBe('verifying');
    await expect(b.call('requests.setStatus', { requestId: req.id, status: 'ready' })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await expect(b.call('requests.setStatus', { requestId: req.id, status: 'ready' })).resolves.toMatchObject({ status: 'ready' });
  });

  it('a Part 2 disclosure carries the scope of the consent; revoking the consent blocks it (42 CFR 2.32(b), 2.31(a)(6))', async () => {
    const sud = { scope: { categories: ['substance_use_disorder' as const], from: '2025-01-01', to: '2025-12-31' } };
    const { req, rel } = await setUp(sud, { ...goodAuthorization(), categories: ['substance_use_disorder'] as never, informationDescription: 'SUD treatment records 2025' }, ['substance_use_disorder']);
    expect(blocks(await evaluate(rel.id))).toEqual(['PART2_CONSENT_REQUIRED']);
    const consent = await b.call('part2Consents.save', {
      requestId: req.id,
      consent: {
        patientNamed: true,
        discloser: 'Maplewood Family Practice',
        informationDescription: 'SUD treatment records 2025',
        categories: ['substance_use_disorder'],
        recipients: ['Abcde Lawfirm Intake'],
        purpose: 'Legal claim',
        revocationStatement: true,
        expiration: { date: '2099-12-31' },
        signature: { signed: true, date: '2026-06-01' },
      },
    });
    const ok = await evaluate(rel.id);
    expect(blocks(ok)).toEqual([]);
    const scope = ok.notices.find((n) => n.citation === '42 CFR 2.32(b)')!;
    expect(scope).toMatchObject({ consentId: consent.id, title: 'Scope of the patient’s consent (42 CFR 2.32(b))' });
    expect(scope.text).toContain('For what purpose: Legal claim');
    expect(ok.notices.some((n) => n.citation === '42 CFR 2.32')).toBe(true);
    // The PGP/MIME body is built from the gate's notices: the scope travels inside the encrypted message.
    const body = innerBody('Maplewood Family Practice', 'R-2026-00001', [], ok.notices);
    expect(body).toContain('SCOPE OF THE PATIENT’S CONSENT (42 CFR 2.32(B))');
    expect(body).toContain('To whom: Abcde Lawfirm Intake');

    // The scope sheet the send path attaches (one call, see part2ConsentScopeSheets).
    const sheets = await b.services.requests.part2ConsentScopeSheets(ok.notices, 'R-2026-00001');
    expect(sheets.map((x) => [x.consentId, x.filename])).toEqual([[consent.id, 'part2-consent-scope.pdf']]);
    expect(sheets[0]!.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await b.services.requests.part2ConsentScopeSheets([], 'R-2026-00001')).toEqual([]);

    const revoked = await b.call('part2Consents.revoke', { consentId: consent.id, revocation: { receivedDate: '2026-06-15', method: 'written' } });
    expect(revoked).toMatchObject({ valid: false, consent: { revocation: { receivedDate: '2026-06-15', method: 'written' } } });
    expect(revoked.findings.map((f) => f.code)).toContain('P2_REVOKED');
    const after = await evaluate(rel.id);
    expect(blocks(after)).toEqual(['P2_REVOKED', 'PART2_CONSENT_REQUIRED']);
    expect(after.notices.some((n) => n.citation === '42 CFR 2.32(b)')).toBe(false);
    // Revoked between the gate and the send: no sheet can be made, so the send path stops.
    await expect(b.services.requests.part2ConsentScopeSheets(ok.notices, 'R-2026-00001')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(b.call('part2Consents.revoke', { consentId: consent.id, revocation: { receivedDate: '2026-06-15', method: 'written' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(b.call('part2Consents.revoke', { consentId: 'p2c_nope', revocation: { receivedDate: '2026-06-15', method: 'written' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const audit = (await b.call('audit.events', { limit: 50 })).filter((x) => x.action === 'part2_consent.revoke');
    expect(audit.map((x) => x.outcome).sort()).toEqual(['refused', 'refused', 'success']);
  });

  it('amending the request to name HIV results in the direction lets them go; the previous values are kept and audited', async () => {
    const directive = { inWriting: true, signed: true, signedDate: '2026-06-01', recipientNamed: true, destinationNamed: true, namedCategories: [] as DocumentCategory[] };
    const { req, rel } = await setUp(
      { basis: 'patient_directed', requester: { role: 'patient', name: PATIENT.name }, scope: { categories: ['hiv_sti_results'] }, patientDirective: directive },
      null,
      ['hiv_sti_results'],
    );
    expect(blocks(await evaluate(rel.id))).toEqual(['HIV_RESULTS_NEED_NAMING_AUTHORIZATION']);
    await expect(b.call('requests.amend', { requestId: req.id, reason: 'no change', patientDirective: directive })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const d = await b.call('requests.amend', { requestId: req.id, reason: 'The signed direction names HIV results (page 2)', patientDirective: { ...directive, namedCategories: ['hiv_sti_results'] } });
    expect(d.request.patientDirective!.namedCategories).toEqual(['hiv_sti_results']);
    expect(d.request.amendments).toEqual([
      { amendedAt: b.clock.now().toISOString(), amendedBy: 'Qwert Frontdesk', reason: 'The signed direction names HIV results (page 2)', changed: ['patientDirective'], before: { patientDirective: directive } },
    ]);
    expect(blocks(await evaluate(rel.id))).toEqual([]);
    const audit = (await b.call('audit.events', { limit: 50 })).filter((x) => x.action === 'request.amend' && x.subjectId === req.id);
    expect(audit.map((x) => x.outcome).sort()).toEqual(['refused', 'success']);
    expect(JSON.stringify(audit)).not.toMatch(/Zyxwv|HIV|page 2/);
  });

  it('amends the scope of an access request so an out-of-scope document can go (the fix SCOPE_OUTSIDE_REQUEST asks for)', async () => {
    const { req, rel } = await setUp(access('patient'), null, ['lab_results']);
    expect(blocks(await evaluate(rel.id))).toEqual(['SCOPE_OUTSIDE_REQUEST']);
    await b.call('requests.amend', { requestId: req.id, reason: 'Patient also asked for lab results by phone', scope: { categories: ['visit_notes', 'lab_results'] } });
    expect(blocks(await evaluate(rel.id))).toEqual([]);
    await expect(b.call('requests.amend', { requestId: req.id, reason: 'x', patientDirective: { inWriting: true, signed: true, recipientNamed: true, destinationNamed: true, namedCategories: [] } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await b.call('requests.withdraw', { requestId: req.id, note: '' });
    await expect(b.call('requests.amend', { requestId: req.id, reason: 'late', scope: { categories: ['visit_notes'] } })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
  });

  it('withdrawing the unencrypted-email choice takes TLS-only email off the ladder; under an authorization the reason is the legal basis', async () => {
    const { req, rel } = await setUp(access('patient'), null, ['visit_notes']);
    await b.call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: 'zyxwv@patient.example.test', fingerprintConfirmed: false });
    let d = await b.call('requests.recordUnencryptedEmailChoice', { requestId: req.id, warningVersion: UNENCRYPTED_EMAIL_WARNING_VERSION, prefersUnencrypted: true, chosenBy: 'patient', scope: 'this_release' });
    const tls = async () => (await b.call('releases.deliveryOptions', { releaseId: rel.id })).rungs.find((r) => r.method === 'tls-only-email')!;
    expect((await tls()).available).toBe(true);
    d = await b.call('requests.withdrawUnencryptedEmailChoice', { requestId: req.id, acknowledgmentId: d.acknowledgments[0]!.id });
    expect(d.acknowledgments[0]!.withdrawnAt).toBe(b.clock.now().toISOString());
    expect((await tls()).available).toBe(false);
    await expect(b.call('requests.withdrawUnencryptedEmailChoice', { requestId: req.id, acknowledgmentId: d.acknowledgments[0]!.id })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(b.call('requests.withdrawUnencryptedEmailChoice', { requestId: req.id, acknowledgmentId: 'ack_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const third = await b.call('requests.get', { id: (await setUp({}, goodAuthorization(), ['visit_notes'])).req.id });
    const reason = unencryptedEmailRefusal(third.request, undefined)!;
    expect(reason).toMatch(/under an authorization/);
    expect(deliveryLadder({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true, unencryptedRefusal: reason }).find((r) => r.method === 'tls-only-email')!.reason).toBe(reason);
  });
});
