/**
 * The outbox through the real dispatch, vault and SMTP server: a release queued while the mail server is down is
 * sent by itself once it is reachable; a reply lost after the server stored the message leaves the release
 * unconfirmed until staff decide (ask → sent; resend → the same stored message, same Message-ID); pause, withdraw
 * and cancel; a failed release tried again keeps its method and its one transmission; the kept passphrase.
 * Synthetic data only.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/ports';
import { requireTool } from '../../support/tools';
import { bulkyRecord } from '../../support/records';
import { file, intake, PATIENT, recordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = ['openssl', 'qpdf'].every((t) => requireTool(t));
const DEST = 'zyxwv@patient.example.test';

/** A ready right-of-access release with one classified record and a keyless recipient (password PDF). */
async function readyRelease(b: Backend, records: Buffer[] | null = null) {
  // The practice key was made at the real time, after the stepping clock started: never sign before it.
  if (b.clock.now().getTime() < Date.now()) b.clock.set(new Date().toISOString());
  const req = await b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: DEST }] }));
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await b.call('releases.create', { requestId: req.id });
  b.stage((records ?? [await recordPdf('Visit')]).map((r, i) => file(`visit ${i}.pdf`, r)));
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  await b.call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: DEST });
  return rel.id;
}

const messageIds = async (b: Backend) => Promise.all(b.smtp!.received.map(async (m) => (await simpleParser(m.raw)).messageId));

describe.skipIf(!HAVE)('the outbox', () => {
  let b: Backend;
  beforeAll(async () => {
    // The server keeps the 3rd message it sees (0-based 2) but never answers it.
    b = await startBackend({ withSmtp: true, smtpOptions: { silentAfterDataAt: [2] }, smtpTimeoutMs: 1500 });
  }, 60_000);
  afterAll(async () => b?.close());

  it('queues a release while the mail server is unreachable and sends it by itself, once, when it is back', async () => {
    const id = await readyRelease(b);
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, port: await freePort() });
    const first = await b.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(first.release.status).toBe('queued');
    expect(first.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(first.release.lastError?.code).toBe('SMTP_UNREACHABLE');
    const next = first.release.queue.nextAttemptAt!;
    expect(new Date(next).getTime() - b.clock.now().getTime()).toBe(60_000);

    const outbox = await b.call('releases.outbox', {});
    expect(outbox.find((e) => e.releaseId === id)).toMatchObject({ status: 'queued', method: 'password-pdf', attempts: 1, paused: false, partsTotal: 1, partsSent: 0 });

    // Not due yet: nothing is tried.
    expect(await b.services.releases.workflow.runDue()).toEqual([]);
    // Still down at the next try: the wait doubles.
    b.clock.advance(60_000);
    expect(await b.services.releases.workflow.runDue()).toEqual([id]);
    let d = await b.call('releases.get', { id });
    expect(d.status).toBe('queued');
    expect(new Date(d.queue.nextAttemptAt!).getTime() - b.clock.now().getTime()).toBe(120_000);

    // The server is back: the next due run sends the stored message, with the passphrase of the first preparation.
    await b.call('settings.updateSmtp', settings.smtp);
    b.clock.advance(120_000);
    await b.services.releases.workflow.runDue();
    d = await b.call('releases.get', { id });
    expect(d.status).toBe('sent');
    expect(d.transmissions).toHaveLength(1);
    expect(d.transmissions[0]!.parts).toMatchObject([{ status: 'sent', attempts: 3 }]);
    expect(b.smtp!.received).toHaveLength(1);
    // What travels beside the locked PDF (manifest, signatures) says nothing about what the records are.
    const clear = (await simpleParser(b.smtp!.received[0]!.raw)).attachments.filter((a) => a.contentType !== 'application/pdf');
    expect(clear.map((a) => a.filename).some((n) => n?.endsWith('-manifest.json'))).toBe(true);
    for (const a of clear) for (const phi of ['visit_notes', '2025-06-01', PATIENT.name]) expect(a.content.toString('utf8')).not.toContain(phi);
    expect((await b.call('releases.revealPassphrase', { releaseId: id })).passphrase).toBe(first.passphrase);
    await b.call('releases.passphraseGiven', { releaseId: id });
    await expect(b.call('releases.revealPassphrase', { releaseId: id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await b.call('releases.outbox', {})).some((e) => e.releaseId === id)).toBe(false);
    const actions = (await b.call('audit.events', { limit: 60 })).filter((e) => e.subjectId === id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['release.queued', 'release.send_attempt', 'release.part_failed', 'release.part_sent', 'release.send', 'release.passphrase_view', 'release.passphrase_given']));
  });

  it('a lost reply after the whole message leaves the release unconfirmed; "recipient confirmed" records it sent without sending again', async () => {
    const id = await readyRelease(b);
    const out = await b.call('releases.send', { releaseId: id, method: 'password-pdf' }); // the server's 2nd message: answered
    expect(out.release.status).toBe('sent');
    const id2 = await readyRelease(b);
    const lost = await b.call('releases.send', { releaseId: id2, method: 'password-pdf' }); // 3rd: stored, never answered
    expect(lost.release.status).toBe('unconfirmed');
    expect(lost.release.lastError?.code).toBe('SMTP_NO_REPLY');
    expect(lost.release.lastError?.message).toMatch(/may have been delivered/);
    expect(lost.transmission.parts).toMatchObject([{ status: 'unconfirmed', attempts: 1 }]);
    expect(b.smtp!.received).toHaveLength(3);
    // Nothing sends it again by itself, and "Send" is refused until staff decide.
    expect(await b.services.releases.workflow.runDue()).toEqual([]);
    await expect(b.call('releases.send', { releaseId: id2 })).rejects.toMatchObject({ code: 'RELEASE_UNCONFIRMED' });
    const decided = await b.call('releases.resolveUnconfirmed', { releaseId: id2, choice: 'recipient_confirmed' });
    expect(decided.status).toBe('sent');
    expect(decided.transmissions[0]!.parts).toMatchObject([{ status: 'sent', resolution: 'recipient_confirmed' }]);
    expect(b.smtp!.received).toHaveLength(3);
    const ev = (await b.call('audit.events', { limit: 20 })).find((e) => e.action === 'release.resolve_unconfirmed' && e.subjectId === id2);
    expect(ev).toMatchObject({ outcome: 'success', actor: 'Qwert Frontdesk', detail: { choice: 'recipient_confirmed', parts: 1 } });
  });

  it('"resend" sends the same stored message again, with the same Message-ID', async () => {
    const b2 = await startBackend({ withSmtp: true, smtpOptions: { silentAfterDataAt: [0] }, smtpTimeoutMs: 1500 });
    try {
      const id = await readyRelease(b2);
      const lost = await b2.call('releases.send', { releaseId: id, method: 'password-pdf' });
      expect(lost.release.status).toBe('unconfirmed');
      const again = await b2.call('releases.resolveUnconfirmed', { releaseId: id, choice: 'resend' });
      expect(again.status).toBe('sent');
      expect(again.transmissions[0]!.parts).toMatchObject([{ status: 'sent', attempts: 2, resolution: 'resend' }]);
      const ids = await messageIds(b2);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
      expect(b2.smtp!.received[0]!.raw.equals(b2.smtp!.received[1]!.raw)).toBe(true);
    } finally {
      await b2.close();
    }
  });

  it('pause, withdraw to change, and cancel: nothing leaves, the transmission stays as a closed record', async () => {
    const id = await readyRelease(b);
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, port: await freePort() });
    const q = await b.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(q.release.status).toBe('queued');
    await b.call('settings.updateSmtp', settings.smtp);
    const before = b.smtp!.received.length;

    // Paused: the sender leaves it alone even when due.
    expect((await b.call('releases.pauseQueue', { releaseId: id, paused: true })).queue.paused).toBe(true);
    b.clock.advance(3_600_000);
    expect(await b.services.releases.workflow.runDue()).not.toContain(id);
    // Queued releases cannot change; withdrawn to draft they can, and the next send prepares anew.
    await expect(b.call('releases.setRecipient', { releaseId: id, name: PATIENT.name, email: DEST })).rejects.toMatchObject({ code: 'RELEASE_QUEUED' });
    const draft = await b.call('releases.withdraw', { releaseId: id, how: 'withdraw' });
    expect(draft.status).toBe('draft');
    expect(draft.transmissions).toMatchObject([{ closedReason: 'withdrawn', partsSent: 0 }]);
    // Cancelled for good: a cancelled release never sends.
    const again = await b.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(again.release.status).toBe('sent');
    expect(again.release.transmissions).toHaveLength(2);
    expect(b.smtp!.received.length).toBe(before + 1);

    const id2 = await readyRelease(b);
    await b.call('settings.updateSmtp', { ...settings.smtp, port: await freePort() });
    await b.call('releases.send', { releaseId: id2, method: 'password-pdf' });
    await b.call('settings.updateSmtp', settings.smtp);
    const cancelled = await b.call('releases.withdraw', { releaseId: id2, how: 'cancel' });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.transmissions).toMatchObject([{ closedReason: 'cancelled' }]);
    await expect(b.call('releases.send', { releaseId: id2 })).rejects.toMatchObject({ code: 'RELEASE_CANCELLED' });
    expect(b.smtp!.received.length).toBe(before + 1);
  });

  it('a failed release tried again keeps its method and stored message; changed content is prepared again', async () => {
    const id = await readyRelease(b);
    const settings = await b.call('settings.get', {});
    await b.call('settings.updateSmtp', { ...settings.smtp, password: 'wrong-password' });
    const failed = await b.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(failed.release).toMatchObject({ status: 'failed', deliveryMethod: 'password-pdf', lastError: { code: 'SMTP_AUTH_FAILED' } });
    await b.call('settings.updateSmtp', { ...settings.smtp, password: 'correct horse battery staple' });
    // "Try again" from the Releases list: no method given, the stored one is used, no new passphrase.
    const retried = await b.call('releases.send', { releaseId: id });
    expect(retried.release.status).toBe('sent');
    expect(retried.passphrase).toBeUndefined();
    expect(retried.transmission.id).toBe(failed.transmission.id);

    // A failed release whose recipient changed is prepared again; the old transmission is closed as superseded.
    const id2 = await readyRelease(b);
    await b.call('settings.updateSmtp', { ...settings.smtp, password: 'wrong-password' });
    const f2 = await b.call('releases.send', { releaseId: id2, method: 'password-pdf' });
    expect(f2.release.status).toBe('failed');
    await b.call('releases.setRecipient', { releaseId: id2, name: 'Zyxwv Q. Testpatient', email: DEST });
    await b.call('settings.updateSmtp', { ...settings.smtp, password: 'correct horse battery staple' });
    const re = await b.call('releases.send', { releaseId: id2 });
    expect(re.release.status).toBe('sent');
    expect(re.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(re.release.transmissions.map((t) => t.closedReason).sort()).toEqual([null, 'superseded']);
  });

  it('a message over the server\'s SIZE is refused before it is sent; after a smaller limit, "Try again" sends smaller parts', async () => {
    const b3 = await startBackend({ withSmtp: true, smtpOptions: { sizeLimit: 170_000 } });
    try {
      const id = await readyRelease(b3, [await bulkyRecord('A'), await bulkyRecord('B'), await bulkyRecord('C')]);
      const big = await b3.call('releases.send', { releaseId: id, method: 'password-pdf' });
      expect(big.release).toMatchObject({ status: 'failed', lastError: { code: 'SMTP_MESSAGE_TOO_LARGE' } });
      expect(b3.smtp!.received).toHaveLength(0);
      await b3.call('settings.setDelivery', { messageLimitBytes: 100_000 });
      const small = await b3.call('releases.send', { releaseId: id });
      expect(small.release.status).toBe('sent');
      expect(small.transmission.partsTotal).toBeGreaterThan(1);
      expect(b3.smtp!.received).toHaveLength(small.transmission.partsTotal);
      // Nothing had left, so the new preparation has its own passphrase; the first transmission stays, closed.
      expect(small.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
      expect(small.release.transmissions.map((t) => t.closedReason).sort()).toEqual([null, 'superseded']);
    } finally {
      await b3.close();
    }
  });
});
