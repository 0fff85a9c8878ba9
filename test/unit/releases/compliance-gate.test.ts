/**
 * The compliance gate wired into the release workflow, end to end through the
 * real dispatch: real vault, real OpenPGP keys (GnuPG 2.2 recipient), real
 * SMTP server with STARTTLS. The server's inbox proves what was (not) sent.
 */
import { describe, expect, it } from 'vitest';
import { PART2_NOTICE_TEXT } from '../../../src/main/services/compliance';
import { requireTool } from '../../support/tools';
import type { GpgHome } from '../../support/gpg';
import { goodAuthorization, intake, PATIENT, prepareReadyRelease, type Backend, type ReleaseDocSpec } from '../../support/backend';
import { useReleaseBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg') && requireTool('openssl');

describe.skipIf(!HAVE)('release workflow with the compliance gate', () => {
  let b: Backend;
  let gpg: GpgHome;
  let recipientKey: string;
  useReleaseBackend({ withSmtp: true }, (r) => ({ b, gpg, recipientKey } = r));

  const readyRelease = (over: Parameters<typeof intake>[0] = {}, docs?: ReleaseDocSpec[]) => prepareReadyRelease(b, recipientKey, over, docs);

  it('refuses a send with a defective authorization (RELEASE_BLOCKED, audited with the codes, nothing reaches the server), then sends once fixed', async () => {
    const { req, rel } = await readyRelease();
    const detail = await b.call('releases.get', { id: rel.id });
    expect(detail.requestId).toBe(req.id);
    expect(detail.requestReference).toMatch(/^Q-\d{4}-\d{5}$/);
    expect(detail.documents[0]).toMatchObject({ category: 'visit_notes', documentDate: '2025-06-01' });

    // Defective: expired, and missing the right-to-revoke statement (164.508(b)(2)(i), (c)(2)(i)).
    const bad = await b.call('authorizations.save', {
      requestId: req.id,
      authorization: { ...goodAuthorization(), expiration: { date: '2026-01-31' }, statements: { rightToRevoke: false, conditioning: true, redisclosure: true } },
    });
    expect(bad.valid).toBe(false);
    expect(bad.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['AUTH_EXPIRED', 'AUTH_STATEMENT_REVOKE']));

    const ev = await b.call('releases.evaluate', { releaseId: rel.id });
    expect(ev.allowed).toBe(false);
    expect(ev.findings.filter((f) => f.severity === 'block').map((f) => f.code).sort()).toEqual(['AUTH_EXPIRED', 'AUTH_STATEMENT_REVOKE']);
    expect(ev.documents).toEqual([expect.objectContaining({ inScope: true, selectable: true, sensitive: false })]);

    const before = b.smtp!.received.length;
    const refused = await b.call('releases.send', { releaseId: rel.id }).catch((e: { code: string; message: string }) => e);
    expect(refused).toMatchObject({ code: 'RELEASE_BLOCKED' });
    const msg = (refused as { message: string }).message;
    for (const f of ev.findings.filter((x) => x.severity === 'block')) expect(msg).toContain(f.message);
    expect(msg).not.toContain(PATIENT.name);
    expect(b.smtp!.received.length).toBe(before);
    expect(b.smtp!.authAttempts).toBe(0);
    const afterRefusal = await b.call('releases.get', { id: rel.id });
    expect(afterRefusal.status).toBe('draft');
    expect(afterRefusal.transmissions).toEqual([]);
    const events = await b.call('audit.events', { limit: 50 });
    const refusal = events.find((e) => e.action === 'release.send' && e.subjectId === rel.id);
    expect(refusal).toMatchObject({ outcome: 'refused', detail: { code: 'RELEASE_BLOCKED' } });
    expect(String(refusal!.detail.findings).split(',').sort()).toEqual(['AUTH_EXPIRED', 'AUTH_STATEMENT_REVOKE']);
    expect(events.some((e) => e.action === 'release.send_attempt' && e.subjectId === rel.id)).toBe(false);

    // Fix: replace the authorization; the old one is kept, superseded.
    const good = await b.call('authorizations.save', { requestId: req.id, authorizationId: bad.id, authorization: goodAuthorization() });
    expect(good).toMatchObject({ valid: true, findings: [] });
    expect(good.id).not.toBe(bad.id);
    expect((await b.call('releases.evaluate', { releaseId: rel.id })).allowed).toBe(true);

    const { transmission, release } = await b.call('releases.send', { releaseId: rel.id });
    expect(release.status).toBe('sent');
    expect(transmission).toMatchObject({ authorizationId: good.id, requestId: req.id, legalBasis: 'authorization', acknowledgmentId: null });
    expect(b.smtp!.received.length).toBe(before + 1);
    const log = await b.call('audit.transmissions', {});
    // The log names the request by its PHI-free reference, so screens need not show the authorization's id.
    expect(log.find((t) => t.id === transmission.id)).toMatchObject({ authorizationId: good.id, legalBasis: 'authorization', requestReference: req.reference });
    const sentEvent = (await b.call('audit.events', { limit: 50 })).find((e) => e.action === 'release.send' && e.outcome === 'success' && e.subjectId === rel.id);
    expect(sentEvent?.detail).toMatchObject({ authorizationId: good.id, requestId: req.id });
    const afterSend = await b.call('requests.get', { id: req.id });
    expect(afterSend.status).toBe('sent');
    expect(afterSend.overdue).toBe(false);
    expect(afterSend.releases).toEqual([{ id: rel.id, reference: release.reference, status: 'sent' }]);
  }, 60_000);

  it('refuses to widen the scope to a sensitive category, records a reason for a non-sensitive one (minimum necessary)', async () => {
    const { rel, docIds } = await readyRelease(
      { basis: 'tpo', requester: { role: 'covered_entity', name: 'Qwerty Billing Partner' }, tpo: { purpose: 'payment', reason: 'Claim appeal for a 2025 visit' }, scope: { categories: ['visit_notes'] } },
      [
        { category: 'visit_notes', date: '2025-03-01' },
        { category: 'hiv_sti_results', date: '2025-03-01' },
        { category: 'billing', date: '2025-03-01' },
      ],
    );
    const [inScope, sensitive, billing] = docIds as [string, string, string];
    const ev = await b.call('releases.evaluate', { releaseId: rel.id });
    expect(ev.allowed).toBe(false);
    expect(ev.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SCOPE_SENSITIVE_OUTSIDE', documentId: sensitive }), expect.objectContaining({ code: 'SCOPE_REASON_REQUIRED', documentId: billing })]));
    expect(ev.documents.find((d) => d.documentId === inScope)).toMatchObject({ inScope: true, selectable: true });
    expect(ev.documents.find((d) => d.documentId === sensitive)).toMatchObject({ inScope: false, sensitive: true, selectable: false });

    await expect(b.call('releases.overrideScope', { releaseId: rel.id, documentId: sensitive, reason: 'The payer asked for everything on file' })).rejects.toMatchObject({
      code: 'SCOPE_OVERRIDE_REFUSED',
    });
    const refusal = (await b.call('audit.events', { limit: 20 })).find((e) => e.action === 'release.override_scope');
    expect(refusal).toMatchObject({ outcome: 'refused', detail: { code: 'SCOPE_OVERRIDE_REFUSED', rule: 'sensitive_category' } });

    const after = await b.call('releases.overrideScope', { releaseId: rel.id, documentId: billing, reason: 'Itemized bill needed for the claim appeal' });
    expect(after.documents.find((d) => d.documentId === billing)).toMatchObject({ inScope: false, overridden: true, selectable: true });
    expect(after.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SCOPE_WIDENED_WITH_REASON', severity: 'warn', documentId: billing })]));
    // The sensitive document still blocks: out of scope, and HIV results need a naming authorization.
    expect(after.allowed).toBe(false);
    await b.call('documents.remove', { releaseId: rel.id, documentId: sensitive });
    expect((await b.call('releases.evaluate', { releaseId: rel.id })).allowed).toBe(true);
  }, 60_000);

  it('carries the 42 CFR 2.32 notice inside the encrypted body of a Part 2 release', async () => {
    const { req, rel } = await readyRelease({ scope: { categories: ['substance_use_disorder'] } }, [{ category: 'substance_use_disorder', date: '2025-05-05' }]);
    await b.call('authorizations.save', { requestId: req.id, authorization: { ...goodAuthorization(), categories: ['substance_use_disorder'], informationDescription: 'SUD treatment records 2025' } });
    let ev = await b.call('releases.evaluate', { releaseId: rel.id });
    expect(ev.findings.map((f) => f.code)).toContain('PART2_CONSENT_REQUIRED');
    const consent = await b.call('part2Consents.save', {
      requestId: req.id,
      consent: {
        patientNamed: true,
        discloser: 'Maplewood Family Practice',
        informationDescription: 'Substance use disorder treatment records from 2025, diagnosis and medications',
        categories: ['substance_use_disorder'],
        recipients: ['Abcde Lawfirm Intake'],
        purpose: 'Legal claim',
        revocationStatement: true,
        expiration: { date: '2099-01-01' },
        signature: { signed: true, date: '2026-01-10' },
      },
    });
    expect(consent.valid).toBe(true);
    ev = await b.call('releases.evaluate', { releaseId: rel.id });
    expect(ev.allowed).toBe(true);
    // With the 2.32(a) notice goes the explanation of the consent's scope (42 CFR 2.32(b), 2024 text).
    expect(ev.notices.map((n) => n.citation).sort()).toEqual(['42 CFR 2.32', '42 CFR 2.32(b)']);
    const n = b.smtp!.received.length;
    await b.call('releases.send', { releaseId: rel.id });
    const raw = b.smtp!.received[n]!.raw.toString('utf8');
    expect(raw).not.toContain('42 CFR part 2');
    const armored = raw.slice(raw.indexOf('-----BEGIN PGP MESSAGE-----'), raw.indexOf('-----END PGP MESSAGE-----') + 25);
    const plain = gpg.decrypt(armored).stdout.toString('utf8').replace(/=\r?\n/g, '').replace(/\r?\n/g, ' ');
    expect(plain).toContain('42 CFR 2.32');
    expect(plain).toContain(PART2_NOTICE_TEXT.slice(0, 80));
    expect(plain).toContain('CONSENT (42 CFR 2.32(B))'); // the title (its apostrophe is quoted-printable)
    expect(plain).toContain('For what purpose: Legal claim');
  }, 60_000);

  it('keeps PHI out of the operational log', () => {
    const log = b.logText();
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(PATIENT.name);
    expect(log).not.toContain(PATIENT.mrn);
    expect(log).not.toContain(PATIENT.dateOfBirth);
  });
});
