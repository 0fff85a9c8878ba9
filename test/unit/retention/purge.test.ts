import { afterEach, describe, expect, it } from 'vitest';
import { file, intake, recordPdf, startBackend, TZ, type Backend } from '../../support/backend';

let b: Backend | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

describe('retention purge', () => {
  it('refuses documentation or audit retention under six years', async () => {
    b = await startBackend();
    await expect(b.call('retention.setPolicy', { documentationYears: 5, recordFileDays: 30, auditYears: 6, backupReminderDays: 7 })).rejects.toMatchObject({ code: 'RETENTION_TOO_SHORT' });
    await expect(b.call('retention.setPolicy', { documentationYears: 6, recordFileDays: 30, auditYears: 3, backupReminderDays: 7 })).rejects.toMatchObject({ code: 'RETENTION_TOO_SHORT' });
  }, 60_000);

  it('keeps a completed release’s record files the day before expiry and purges them on the day, unless a legal hold covers them; the audit names kinds and counts only', async () => {
    b = await startBackend();
    b.clock.set('2026-03-10T17:00:00Z'); // 11:00 in America/Chicago
    const req = await b.call('requests.create', intake({ receivedAt: '2026-03-10T16:00:00Z' }));
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: 'licence' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await b.call('releases.create', { requestId: req.id });
    b.stage([file('a.pdf', await recordPdf('Record'))]);
    await b.call('documents.pick', { releaseId: rel.id });
    // The release completed on 2026-03-10 (practice day); test-only shortcut to a sent release.
    b.services.session.require().db.prepare("UPDATE releases SET status = 'sent', updated_at = ? WHERE id = ?").run('2026-03-10T17:00:00Z', rel.id);
    await b.call('retention.setPolicy', { documentationYears: 6, recordFileDays: 30, auditYears: 6, backupReminderDays: 7 });
    expect(TZ).toBe('America/Chicago');
    b.clock.set('2026-04-09T04:59:00Z'); // 23:59 on 2026-04-08 in Chicago: the day before expiry
    expect((await b.call('retention.purge', {})).recordFiles).toBe(0);
    await b.call('retention.placeHold', { scope: 'request', requestReference: req.reference, reason: 'litigation' });
    b.clock.set('2026-04-09T05:00:00Z'); // 00:00 on 2026-04-09: expiry day
    expect((await b.call('retention.purge', {})).heldBack).toBe(1);
    const hold = (await b.call('retention.get', {})).holds[0]!;
    await b.call('retention.releaseHold', { holdId: hold.id });
    const r = await b.call('retention.purge', {});
    expect(r.recordFiles).toBe(1);
    const events = await b.call('audit.events', { limit: 5 });
    const purge = events.find((e) => e.action === 'retention.purge' && e.detail.recordFiles === 1)!;
    expect(Object.keys(purge.detail).sort()).toEqual(['auditYears', 'bytes', 'documentation', 'heldBack', 'outboxMessages', 'packets', 'policySet', 'recordFiles', 'trigger'].filter((k) => k in purge.detail).sort());
    expect(JSON.stringify(purge.detail)).not.toMatch(/Zyxwv|MRN-/);
  }, 60_000);
});
