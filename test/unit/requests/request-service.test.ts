/**
 * RequestService through the real dispatch on a real vault: intake, the clock in
 * the practice's time zone, status flow, identity checks, the one extension and
 * its notice PDF (checked with poppler), authorizations, the unencrypted-email
 * choice, the authorization form, and the audit trail.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNENCRYPTED_EMAIL_WARNING, UNENCRYPTED_EMAIL_WARNING_VERSION } from '../../../src/shared/compliance-text';
import { requireTool } from '../../support/tools';
import { goodAuthorization, intake, localDay, PATIENT, startBackend, type Backend } from '../../support/backend';

const HAVE_POPPLER = requireTool('pdftotext') && requireTool('pdftoppm');
const DAY = 86_400_000;

describe('RequestService', () => {
  let b: Backend;
  let out: string;
  const now = () => b.clock.now();
  const daysAgo = (n: number) => new Date(now().getTime() - n * DAY).toISOString();

  beforeAll(async () => {
    b = await startBackend();
    // Local noon, far from midnight and DST changes: calendar-day arithmetic below is exact.
    b.clock.set('2026-06-15T12:00:00-05:00');
    out = mkdtempSync(join(tmpdir(), 'rd-requests-out-'));
  }, 30_000);
  afterAll(async () => {
    await b?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const access = (receivedAt: string) =>
    intake({ basis: 'right_of_access', receivedAt, requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }] });

  it('takes in a request with a PHI-free reference and computes the 30-day clock in the practice time zone', async () => {
    const fresh = await b.call('requests.create', access(daysAgo(2)));
    expect(fresh.reference).toMatch(/^Q-\d{4}-\d{5}$/);
    expect(fresh.reference).not.toContain('Zyxwv');
    expect(fresh).toMatchObject({ status: 'received', basis: 'right_of_access', daysLeft: 28, dueThisWeek: false, overdue: false, extended: false });
    expect(fresh.dueDate).toBe(localDay(now(), 28));
    const soon = await b.call('requests.create', access(daysAgo(26)));
    const late = await b.call('requests.create', access(daysAgo(33)));
    const tpo = await b.call('requests.create', intake({ receivedAt: now().toISOString(), basis: 'tpo', tpo: { purpose: 'treatment', reason: 'Referral to cardiology' } }));

    const list = await b.call('requests.list', {});
    const byId = new Map(list.map((r) => [r.id, r]));
    expect(byId.get(soon.id)).toMatchObject({ daysLeft: 4, dueThisWeek: true, overdue: false });
    expect(byId.get(late.id)).toMatchObject({ daysLeft: -3, dueThisWeek: false, overdue: true });
    expect(byId.get(tpo.id)).toMatchObject({ dueDate: null, daysLeft: null, overdue: false });
    // Most urgent first.
    expect(list[0]!.id).toBe(late.id);
    const created = (await b.call('audit.events', { limit: 100 })).filter((e) => e.action === 'request.create');
    expect(created.length).toBe(4);
    expect(JSON.stringify(created)).not.toContain('Zyxwv');
  });

  it('follows the status flow: ready only after a recorded identity check, closed requests stay closed', async () => {
    const r = await b.call('requests.create', access(daysAgo(1)));
    await expect(b.call('requests.setStatus', { requestId: r.id, status: 'ready' })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    const v = await b.call('requests.recordVerification', { requestId: r.id, subject: 'identity', method: 'callback_number_on_file', notes: 'called back' });
    expect(v.status).toBe('verifying');
    expect(v.verifications).toEqual([expect.objectContaining({ subject: 'identity', method: 'callback_number_on_file', checkedBy: 'Qwert Frontdesk', checkedAt: now().toISOString() })]);
    await expect(b.call('requests.setStatus', { requestId: r.id, status: 'ready' })).resolves.toMatchObject({ status: 'ready' });
    const denied = await b.call('requests.deny', { requestId: r.id, reason: 'Records not held by this practice' });
    expect(denied).toMatchObject({ status: 'denied', closingReason: 'Records not held by this practice', overdue: false, dueThisWeek: false });
    await expect(b.call('requests.withdraw', { requestId: r.id, note: '' })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    await expect(b.call('releases.create', { requestId: r.id })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    const ev = (await b.call('audit.events', { limit: 30 })).filter((e) => e.subjectId === r.id).map((e) => `${e.action}:${e.outcome}`);
    expect(ev).toEqual(expect.arrayContaining(['request.status:refused', 'request.verify:success', 'request.status:success', 'request.deny:success', 'request.withdraw:refused']));
  });

  it('refuses an extension on day 31 and a second extension; the first produces a real notice PDF with the reason and new date', async () => {
    const late = await b.call('requests.create', access(daysAgo(31)));
    await expect(b.call('requests.extend', { requestId: late.id, reason: 'Records are in off-site storage', newDueDate: localDay(now(), 20) })).rejects.toMatchObject({
      code: 'EXTENSION_REFUSED',
    });
    const refusal = (await b.call('audit.events', { limit: 10 })).find((e) => e.action === 'request.extend' && e.subjectId === late.id);
    expect(refusal).toMatchObject({ outcome: 'refused', detail: { code: 'EXTENSION_REFUSED', rule: 'after_day_30' } });
    expect((await b.call('requests.get', { id: late.id })).documents).toEqual([]);

    const r = await b.call('requests.create', access(daysAgo(10)));
    const newDue = localDay(now(), 35); // day 45
    const { request, notice } = await b.call('requests.extend', { requestId: r.id, reason: 'Records are in off-site storage', newDueDate: newDue });
    expect(request).toMatchObject({ extended: true, dueDate: newDue, daysLeft: 35 });
    expect(request.request.extensions).toEqual([{ noticeDate: localDay(now()), reason: 'Records are in off-site storage', newDueDate: newDue }]);
    expect(notice).toMatchObject({ kind: 'extension_notice', label: `extension-notice-${r.reference}.pdf` });
    expect(notice.label).not.toContain('Zyxwv');
    await expect(b.call('requests.extend', { requestId: r.id, reason: 'Still waiting', newDueDate: localDay(now(), 36) })).rejects.toMatchObject({ code: 'EXTENSION_REFUSED' });

    // Exportable: the saver receives the vault's bytes under the neutral label.
    await expect(b.call('documents.export', { documentId: notice.id })).resolves.toEqual({ saved: true });
    const saved = b.saved.at(-1)!;
    expect(saved.name).toBe(notice.label);
    expect(saved.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    if (!HAVE_POPPLER) return;
    const pdf = join(out, 'notice.pdf');
    writeFileSync(pdf, saved.bytes);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString('utf8').replace(/\s+/g, ' ');
    expect(text).toContain('Records are in off-site storage');
    const long = new Date(`${newDue}T12:00:00Z`).toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
    expect(text).toContain(long);
    expect(text).toContain(PATIENT.name);
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', pdf, join(out, 'notice')]);
    if (process.env.RD_KEEP_RENDER) execFileSync('cp', [join(out, 'notice-1.png'), process.env.RD_KEEP_RENDER]);
  });

  it('saves an authorization with live findings, revokes it, and prints a prefilled form', async () => {
    const r = await b.call('requests.create', intake({ receivedAt: now().toISOString() }));
    const a = await b.call('authorizations.save', { requestId: r.id, authorization: { ...goodAuthorization(), purposes: [], signature: { signed: false, signerRole: 'patient' } } });
    expect(a.valid).toBe(false);
    expect(a.findings.map((f) => f.code).sort()).toEqual(['AUTH_ELEMENT_PURPOSE', 'AUTH_ELEMENT_SIGNATURE', 'AUTH_ELEMENT_SIGNATURE_DATE']);
    expect(a.findings.every((f) => f.citation.startsWith('45 CFR 164.508'))).toBe(true);
    const fixed = await b.call('authorizations.save', { requestId: r.id, authorizationId: a.id, authorization: goodAuthorization() });
    expect(fixed.valid).toBe(true);
    // Only the current authorization can be replaced.
    await expect(b.call('authorizations.save', { requestId: r.id, authorizationId: a.id, authorization: goodAuthorization() })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const revoked = await b.call('authorizations.revoke', { authorizationId: fixed.id, revocation: { receivedDate: localDay(now()), method: 'written' } });
    expect(revoked.valid).toBe(false);
    expect(revoked.findings.map((f) => f.code)).toContain('AUTH_REVOKED');
    expect((await b.call('requests.get', { id: r.id })).authorization?.id).toBe(fixed.id);

    const form = await b.call('authorizations.form', { requestId: r.id, prefill: true });
    expect(form).toMatchObject({ kind: 'authorization_form' });
    expect(form.label).not.toContain('Zyxwv');
    const blank = await b.call('authorizations.form', { prefill: false });
    expect(blank.label).toBe('authorization-form.pdf');
    const events = (await b.call('audit.events', { limit: 30 })).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['authorization.create', 'authorization.replace', 'authorization.revoke', 'authorization.form']));
    if (!HAVE_POPPLER) return;
    await b.call('documents.export', { documentId: form.id });
    const pdf = join(out, 'form.pdf');
    writeFileSync(pdf, b.saved.at(-1)!.bytes);
    const text = execFileSync('pdftotext', [pdf, '-']).toString('utf8');
    expect(text).toContain(PATIENT.name);
    expect(text).toContain('Visit notes and lab results from 2025');
  });

  it('records the unencrypted-email choice with the exact warning text shown, and refuses another warning version', async () => {
    const r = await b.call('requests.create', access(daysAgo(0)));
    const d = await b.call('requests.recordUnencryptedEmailChoice', {
      requestId: r.id,
      warningVersion: UNENCRYPTED_EMAIL_WARNING_VERSION,
      prefersUnencrypted: true,
      chosenBy: 'patient',
      scope: 'this_release',
    });
    expect(d.acknowledgments).toEqual([
      expect.objectContaining({ warningShown: UNENCRYPTED_EMAIL_WARNING, prefersUnencrypted: true, recordedBy: 'Qwert Frontdesk', scope: 'this_release', requestId: r.id }),
    ]);
    await expect(
      b.call('requests.recordUnencryptedEmailChoice', { requestId: r.id, warningVersion: 'old' as never, prefersUnencrypted: true, chosenBy: 'patient', scope: 'standing' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const ev = (await b.call('audit.events', { limit: 5 })).find((e) => e.action === 'unencrypted_email.acknowledge');
    expect(ev).toMatchObject({ outcome: 'success', detail: { acknowledgmentId: d.acknowledgments[0]!.id, scope: 'this_release' } });
  });

  it('keeps PHI out of the operational log and the audit details', async () => {
    expect(b.logText()).not.toContain(PATIENT.name);
    const audit = JSON.stringify(await b.call('audit.events', { limit: 1000 }));
    expect(audit).not.toContain(PATIENT.name);
    expect(audit).not.toContain(PATIENT.mrn);
    expect(audit).not.toContain('off-site storage');
  });
});
