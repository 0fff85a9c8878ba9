/**
 * Applying delivery status notifications to releases sent through the real send path (vault, SMTP test server):
 * matched by ENVID (reference.part) or, without one, by the returned Message-ID; the part becomes bounced with its
 * status code and the release bounced (audited, codes only); a delayed report is an audit note; auto-replies and
 * read receipts change nothing; the same report twice changes nothing; nothing of a report's text is kept.
 * The reports are the Postfix, Exchange, Exim and Gmail fixtures with the ids of the release just sent. Synthetic data only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBounceReports } from '../../../src/main/services/releases/bounce-repo';
import { requireTool } from '../../support/tools';
import { PATIENT, sendAccessReleaseByPasswordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = ['openssl', 'qpdf'].every((t) => requireTool(t));
const FIX = join(__dirname, '../../fixtures/dsn');
const DEST = 'zyxwv@patient.example.test';

async function sentRelease(b: Backend): Promise<{ id: string; reference: string; messageId: string }> {
  const { rel, sent } = await sendAccessReleaseByPasswordPdf(b, DEST);
  expect(sent.release.status).toBe('sent');
  return { id: rel.id, reference: sent.release.reference, messageId: sent.transmission.parts[0]!.messageId };
}

/** A fixture with its ids replaced by the release's, and the synthetic patient quoted in its human-readable text. */
function report(name: string, ids: Record<string, string>): Buffer {
  let text = readFileSync(join(FIX, name), 'latin1');
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  text = text.replace('This is', `Records of ${PATIENT.name} (DOB ${PATIENT.dateOfBirth}, ${PATIENT.mrn}). This is`);
  return Buffer.from(text, 'latin1');
}

/** The release's audit events that change or note something (viewing it is audited too, and left out). */
const auditOf = async (b: Backend, id: string) => (await b.call('audit.events', {})).filter((e) => e.subjectId === id && !/view/.test(e.action));

describe.skipIf(!HAVE)('applying a bounce', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend({ withSmtp: true });
  }, 60_000);
  afterAll(async () => b?.close());

  it('marks the part bounced with its status code by ENVID, moves the release to bounced (audited, codes only), alerts once; the same report twice changes nothing', async () => {
    const r = await sentRelease(b);
    const alerts: unknown[] = [];
    const off = b.services.events.on((name, p) => name === 'bounce' && alerts.push(p));
    const raw = report('postfix-two-recipients-failed.eml', { 'rel-7f3a9c.1@clinic.example.test': r.messageId.slice(1, -1), 'rel-7f3a9c.1': `${r.reference}.1` });
    const o = await b.services.bounces.applyRaw(raw, 'test');
    expect(o).toMatchObject({ outcome: 'bounced', releaseId: r.id, part: 1, status: '5.1.1' });

    const d = await b.call('releases.get', { id: r.id });
    expect(d.status).toBe('bounced');
    expect(d.lastError?.code).toBe('DELIVERY_BOUNCED');
    expect(d.lastError?.message).toContain('does not exist');
    expect(d.transmissions[0]!.parts[0]).toMatchObject({ status: 'bounced' });
    const events = await auditOf(b, r.id);
    const bounced = events.filter((e) => e.action === 'release.bounced');
    expect(bounced).toHaveLength(1);
    expect(bounced[0]!.detail).toMatchObject({ from: 'sent', to: 'bounced', code: 'DELIVERY_BOUNCED', part: 1, status: '5.1.1', matchedBy: 'envid' });
    expect(alerts).toEqual([{ releaseId: r.id, reference: r.reference, status: '5.1.1', reason: "The recipient's email address does not exist." }]);

    // Again: nothing changes (no audit event, no alert, no ledger row).
    expect((await b.services.bounces.applyRaw(raw, 'test')).outcome).toBe('duplicate');
    expect(await auditOf(b, r.id)).toHaveLength(events.length);
    expect(alerts).toHaveLength(1);
    const ledger = listBounceReports(b.services.session.require().db, d.transmissions[0]!.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ outcome: 'bounced', matchedBy: 'envid', part: 1, action: 'failed', status: '5.1.1', source: 'test' });
    off();

    // Nothing of the report's text was kept or logged: not the patient, not the addresses, not the server's words.
    const kept = JSON.stringify([events, ledger, alerts]) + b.logText();
    for (const s of [PATIENT.name, PATIENT.dateOfBirth, PATIENT.mrn, 'records@lawfirm', 'User unknown', 'Mailbox full']) expect(kept).not.toContain(s);
  });

  it('matches a report without ENVID (Exchange) by the Message-ID of the returned headers', async () => {
    const r = await sentRelease(b);
    const o = await b.services.bounces.applyRaw(report('exchange-no-envid.eml', { 'rel-c0ffee.1@clinic.example.test': r.messageId.slice(1, -1) }), 'test');
    expect(o).toMatchObject({ outcome: 'bounced', releaseId: r.id, status: '5.1.10' });
    const ev = (await auditOf(b, r.id)).find((e) => e.action === 'release.bounced');
    expect(ev?.detail).toMatchObject({ matchedBy: 'message_id', status: '5.1.10' });
  });

  it('matches the Gmail report by its xtext-encoded ENVID', async () => {
    const r = await sentRelease(b);
    const o = await b.services.bounces.applyRaw(report('gmail-failed.eml', { 'rel+2D5eed01.3': `${r.reference}.1`, 'rel-5eed01.3@clinic.example.test': 'other@clinic.example.test' }), 'test');
    expect(o).toMatchObject({ outcome: 'bounced', releaseId: r.id, status: '5.1.1' });
  });

  it('records a delayed report (Exim) as an audit note only: the release stays sent', async () => {
    const r = await sentRelease(b);
    const o = await b.services.bounces.applyRaw(report('exim-delayed.eml', { 'rel-8b21de.2@clinic.example.test': r.messageId.slice(1, -1), 'rel-8b21de.2': `${r.reference}.1` }), 'test');
    expect(o).toMatchObject({ outcome: 'delayed', releaseId: r.id, status: '4.0.0' });
    const d = await b.call('releases.get', { id: r.id });
    expect(d.status).toBe('sent');
    expect(d.transmissions[0]!.parts[0]!.status).toBe('sent');
    const notes = (await auditOf(b, r.id)).filter((e) => e.action === 'release.delivery_delayed');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.detail).toMatchObject({ part: 1, status: '4.0.0', matchedBy: 'envid' });
  });

  it('ignores an out-of-office reply and a read receipt, and leaves a report about no release of ours unmatched', async () => {
    const r = await sentRelease(b);
    const before = (await auditOf(b, r.id)).length;
    const ledger = listBounceReports(b.services.session.require().db).length;
    for (const f of ['auto-reply-out-of-office.eml', 'read-receipt-mdn.eml']) {
      expect((await b.services.bounces.applyRaw(report(f, { 'rel-7f3a9c.1@clinic.example.test': r.messageId.slice(1, -1) }), 'test')).outcome).toBe('ignored');
    }
    expect((await b.services.bounces.applyRaw(report('postfix-two-recipients-failed.eml', {}), 'test')).outcome).toBe('unmatched');
    expect((await b.call('releases.get', { id: r.id })).status).toBe('sent');
    expect(await auditOf(b, r.id)).toHaveLength(before);
    // Only the DSN that matched nothing is in the ledger (so a second read of it is a no-op too); the others are not DSNs.
    expect(listBounceReports(b.services.session.require().db).length).toBe(ledger + 1);
  });
});
