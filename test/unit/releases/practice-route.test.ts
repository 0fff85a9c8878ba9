/**
 * Releases sent through the practice server's shared outbox, with the real pieces: PostgreSQL (TLS verified), two
 * workstations (two vaults and service stacks on one practice database), one SMTP server with STARTTLS counting
 * every message. A release prepared on A is handed to the shared outbox, delivered exactly once by whichever
 * workstation drains it, and its outcome comes back into A's vault (sent, Message-ID, which workstation) with one
 * entry per disclosure in the accounting; with the server unreachable the release waits on A and is pushed once when
 * the link is back; a crash between the enqueue and A's state change never enqueues or delivers twice; two workers
 * whose clocks differ by minutes never both hold a live claim; the last part's result and the settle take one
 * transaction. Synthetic data only.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { openPgEngine } from '../../../src/main/services/practice/pg-engine';
import { openedPracticeLink } from '../../../src/main/services/practice/practice-link';
import {
  beginQueuedPartAttempt,
  claimNextRelease,
  enqueueRelease,
  listQueuedReleases,
  markQueuedPartHandedOver,
  recordQueuedPartSent,
  settleClaim,
  transmissionLog,
} from '../../../src/main/services/practice/queue-repo';
import { QueueWorker } from '../../../src/main/services/practice/queue-worker';
import { practiceKeys } from '../../../src/main/services/practice/sealing';
import { DEFAULT_RETRY } from '../../../src/main/services/releases/send-context';
import { queueWorkstationName } from '../../../src/main/services/releases/practice-route';
import { goodAuthorization, intake, PATIENT, file, recordPdf, startBackend, type Backend } from '../../support/backend';
import { pgConfig } from '../../support/practice-engines';
import { copiesAtServer, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer } from '../../support/smtp';
import { requireTool } from '../../support/tools';
import { deliveryStatusReport } from '../../support/bounce-messages';

const HAVE = requirePostgres() && ['openssl', 'qpdf'].every((t) => requireTool(t));
const DATA_KEY = randomBytes(32);
const KEYS = practiceKeys(DATA_KEY);
const WS_A = { id: 'a1a1a1a1'.repeat(4), label: 'Front desk A' };
const WS_B = { id: 'b2b2b2b2'.repeat(4), label: 'Front desk B' };

/** A third-party release (authorization) with one record, ready to send by password PDF, on workstation `b`. */
async function readyRelease(b: Backend): Promise<string> {
  if (b.clock.now().getTime() < Date.now()) b.clock.set(new Date().toISOString());
  const req = await b.call('requests.create', intake());
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
  const rel = await b.call('releases.create', { requestId: req.id });
  b.stage([file('Zyxwv Testpatient visit.pdf', await recordPdf('Visit'))]);
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  await b.call('releases.setRecipient', { releaseId: rel.id, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
  return rel.id;
}

/** Wait until `check` holds (polling), at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAVE)('releases through the practice server’s shared outbox', () => {
  let pg: RunningPostgres;
  let smtp: RunningSmtpServer;
  const engines: SqlEngine[] = [];
  const backends: Backend[] = [];
  let engineA: SqlEngine;
  let engineB: SqlEngine;

  beforeAll(async () => {
    pg = await startPostgres();
    smtp = await startSmtpServer();
    engineA = openPgEngine(pgConfig(pg));
    engineB = openPgEngine(pgConfig(pg));
    engines.push(engineA, engineB);
    await migratePractice(engineA);
    // The practice data key's public id, as keys-repo setUpPracticeKey registers it (without the per-user wrap).
    await engineA.run("INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, 'test')", [KEYS.keyId, '2026-01-01T00:00:00.000Z']);
  }, 120_000);
  afterAll(async () => {
    for (const b of backends) await b.close();
    for (const e of engines) await e.close();
    await smtp?.close();
    await pg?.stop();
  });

  const workstation = async (engine: SqlEngine, ws: { id: string; label: string }, extra: Parameters<typeof startBackend>[0] = {}) => {
    const link = openedPracticeLink(engine, KEYS, ws);
    const b = await startBackend({ smtpServer: smtp, practiceLink: link, ...extra });
    backends.push(b);
    return { b, link };
  };

  it('releases sent on A are delivered exactly once, some by B; A records each as sent with its Message-ID and who sent it, once in the accounting', async () => {
    const { b: a } = await workstation(engineA, WS_A);
    const { b } = await workstation(engineB, WS_B);
    const before = smtp.received.length;
    const first = [await readyRelease(a), await readyRelease(a)];
    for (const id of first) {
      const out = await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
      expect(out.release.status).toBe('with_practice_server');
      expect(out.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    }
    expect(smtp.received.length).toBe(before); // nothing left from A: the shared outbox holds them
    // B's worker sends A's releases; A drains the next two itself, both workers at once.
    expect((await b.services.releases.workflow.practice.drain()).delivered.map((d) => d.status)).toEqual(['sent', 'sent']);
    const second = [await readyRelease(a), await readyRelease(a)];
    for (const id of second) await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    await Promise.all([a.services.releases.workflow.practice.drain(), b.services.releases.workflow.practice.drain()]);

    const ids = [...first, ...second];
    expect((await a.services.releases.workflow.practice.pullOutcomes()).map((o) => o.to)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const copies = copiesAtServer(smtp.received.slice(before));
    expect(copies.size).toBe(4);
    expect(Math.max(...copies.values())).toBe(1);
    const senders = new Set<string>();
    for (const id of ids) {
      const d = await a.call('releases.get', { id });
      expect(d.status).toBe('sent');
      expect(d.transmissions).toHaveLength(1);
      const t = d.transmissions[0]!;
      expect(t.parts).toMatchObject([{ status: 'sent' }]);
      expect(copies.get(t.parts[0]!.messageId)).toBe(1);
      expect(t.smtpResponse).toMatch(/^250/);
      expect(t.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
      senders.add(t.sentByWorkstation ?? 'none');
      // The audit of A's vault says it was handed over, and by whom it was sent.
      const actions = (await a.call('audit.events', { limit: 200 })).filter((e) => e.subjectId === id).map((e) => e.action);
      expect(actions.filter((x) => x === 'release.send')).toHaveLength(1);
      expect(actions).toEqual(expect.arrayContaining(['release.queued', 'release.pushed_to_practice', 'release.practice_outcome', 'release.send']));
    }
    expect(senders).toContain(queueWorkstationName(WS_B));
    expect([...senders].every((s) => s === queueWorkstationName(WS_A) || s === queueWorkstationName(WS_B))).toBe(true);
    // Pulling again changes nothing; the accounting lists each disclosure once.
    expect(await a.services.releases.workflow.practice.pullOutcomes()).toEqual([]);
    const acc = await a.call('audit.accounting', { mrn: PATIENT.mrn, asOf: new Date(a.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10) });
    const refs = [...acc.entries, ...acc.excluded].map((e) => e.reference);
    for (const id of ids) {
      const ref = (await a.call('releases.get', { id })).reference;
      expect(refs.filter((r) => r === ref)).toHaveLength(1);
    }
    // The Releases list names the workstation that sent each one.
    const listed = (await a.call('releases.list', {})).filter((r) => ids.includes(r.id));
    expect(listed.map((r) => r.sentByWorkstation).every((w) => w === queueWorkstationName(WS_A) || w === queueWorkstationName(WS_B))).toBe(true);
    // B's vault holds none of A's releases.
    expect((await b.call('releases.list', {})).some((r) => ids.includes(r.id))).toBe(false);
  }, 180_000);

  it('with the link offline a release waits on A ("waiting for the practice server"), nothing delivered; when the link is back it is pushed once and delivered once', async () => {
    const { b: a, link } = await workstation(engineA, WS_A, { queueTickMs: 3_600_000 });
    const before = smtp.received.length;
    const id = await readyRelease(a);
    link.setOffline(true);
    const out = await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(out.release.status).toBe('waiting_for_server');
    expect(out.release.lastError?.code).toBe('PRACTICE_SERVER_UNREACHABLE');
    expect(out.release.lastError?.message).toMatch(/practice server cannot be reached/);
    expect((await listQueuedReleases(engineA)).some((r) => r.releaseId === id)).toBe(false);
    expect((await a.call('releases.outbox', {})).find((e) => e.releaseId === id)).toMatchObject({ status: 'waiting_for_server', partsTotal: 1, partsSent: 0 });
    // A background pass while offline changes nothing and sends nothing.
    await a.services.releases.workflow.practice.cycle();
    expect((await a.call('releases.get', { id })).status).toBe('waiting_for_server');
    expect(smtp.received.length).toBe(before);

    a.services.startQueue();
    link.setOffline(false); // onOnline → the background pass runs at once: push, drain, pull
    await until(async () => (await a.call('releases.get', { id })).status === 'sent');
    expect(smtp.received.length).toBe(before + 1);
    expect((await listQueuedReleases(engineA)).filter((r) => r.releaseId === id)).toMatchObject([{ status: 'sent' }]);
    const actions = (await a.call('audit.events', { limit: 100 })).filter((e) => e.subjectId === id).map((e) => e.action);
    expect(actions.filter((x) => x === 'release.waiting_for_server')).toHaveLength(1);
    expect(actions.filter((x) => x === 'release.pushed_to_practice')).toHaveLength(1);
  }, 120_000);

  it('a crash between the enqueue and A’s state change: after restart the release is not enqueued twice and is delivered once', async () => {
    let crash = true;
    const { b: a } = await workstation(engineA, WS_A, {
      checkpoint: (point) => {
        if (point === 'pushed' && crash) {
          crash = false;
          throw new Error('injected crash after the enqueue');
        }
      },
    });
    const before = smtp.received.length;
    const id = await readyRelease(a);
    await expect(a.call('releases.send', { releaseId: id, method: 'password-pdf' })).rejects.toThrow();
    expect((await a.call('releases.get', { id })).status).toBe('queued'); // the vault did not change
    expect((await listQueuedReleases(engineA)).filter((r) => r.releaseId === id)).toHaveLength(1);
    // The next background pass (as after a restart) pushes again: the queue refuses the copy, the vault catches up.
    expect(await a.services.releases.workflow.practice.pushWaiting()).toEqual([id]);
    expect((await a.call('releases.get', { id })).status).toBe('with_practice_server');
    await a.services.releases.workflow.practice.cycle();
    expect((await a.call('releases.get', { id })).status).toBe('sent');
    expect((await listQueuedReleases(engineA)).filter((r) => r.releaseId === id)).toHaveLength(1);
    expect(smtp.received.length).toBe(before + 1);
    const log = (await transmissionLog(engineA)).filter((p) => p.releaseId === id);
    expect(log.map((p) => p.acceptedAttempts)).toEqual([1]);
  }, 120_000);

  it('a delivery from the practice outbox left unconfirmed is decided where it is sent from: "recipient has it" → sent, nothing resent; "resend" → the same message once more', async () => {
    // This workstation's mail server keeps the first two messages without answering them.
    const { b: a } = await workstation(engineA, WS_A, { withSmtp: true, smtpServer: undefined, smtpOptions: { silentAfterDataAt: [0, 1] }, smtpTimeoutMs: 1500 });
    const own = a.smtp!;
    const ids = [await readyRelease(a), await readyRelease(a)];
    for (const id of ids) await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    await a.services.releases.workflow.practice.drain();
    expect((await a.services.releases.workflow.practice.pullOutcomes()).map((o) => o.to)).toEqual(['unconfirmed', 'unconfirmed']);
    const [confirmed, resent] = ids as [string, string];
    const c = await a.call('releases.resolveUnconfirmed', { releaseId: confirmed, choice: 'recipient_confirmed' });
    expect(c.status).toBe('sent');
    expect(c.transmissions[0]!.parts).toMatchObject([{ status: 'sent', resolution: 'recipient_confirmed' }]);
    const r = await a.call('releases.resolveUnconfirmed', { releaseId: resent, choice: 'resend' });
    expect(r.status).toBe('with_practice_server');
    await a.services.releases.workflow.practice.cycle();
    const d = await a.call('releases.get', { id: resent });
    expect(d.status).toBe('sent');
    expect(d.transmissions[0]!.parts).toMatchObject([{ status: 'sent', attempts: 2, resolution: 'resend' }]);
    // Three messages at the server: one each, and the resent one twice with the same Message-ID (staff chose it).
    const copies = copiesAtServer(own.received);
    expect([...copies.values()].sort()).toEqual([1, 2]);
    expect(copies.get(d.transmissions[0]!.parts[0]!.messageId)).toBe(2);
    expect((await listQueuedReleases(engineA)).filter((x) => ids.includes(x.releaseId)).map((x) => x.status)).toEqual(['sent', 'sent']);
  }, 120_000);

  it('a release that failed in the practice outbox is sent again with "Try again": the same stored message, queued again there, delivered once', async () => {
    const { b: a } = await workstation(engineA, WS_A);
    // B's mail server refuses the recipient for good (550).
    const { b } = await workstation(engineB, WS_B, { withSmtp: true, smtpServer: undefined, smtpOptions: { rejectRecipients: ['intake@lawfirm.example.test'] } });
    const before = smtp.received.length;
    const id = await readyRelease(a);
    const first = await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect((await b.services.releases.workflow.practice.drain()).delivered).toEqual([{ releaseId: id, status: 'failed' }]);
    expect(await a.services.releases.workflow.practice.pullOutcomes()).toEqual([{ releaseId: id, to: 'failed' }]);
    const failed = await a.call('releases.get', { id });
    expect(failed.status).toBe('failed');
    expect(failed.transmissions[0]!.parts).toMatchObject([{ status: 'failed' }]);
    // Try again on A: handed to the practice outbox again (not composed again), sent by A's own worker.
    const again = await a.call('releases.send', { releaseId: id });
    expect(again.release.status).toBe('with_practice_server');
    expect(again.transmission.id).toBe(first.transmission.id);
    await a.services.releases.workflow.practice.cycle();
    const d = await a.call('releases.get', { id });
    expect(d.status).toBe('sent');
    expect(d.transmissions).toHaveLength(1);
    expect(d.transmissions[0]!.parts).toMatchObject([{ status: 'sent', messageId: first.transmission.parts[0]!.messageId }]);
    expect(d.transmissions[0]!.sentByWorkstation).toBe(queueWorkstationName(WS_A));
    expect(smtp.received.length).toBe(before + 1);
    expect(b.smtp!.received).toHaveLength(0);
  }, 120_000);

  it('withdrawn while in the shared outbox: back to draft on A, erased on the server, sent by nobody; refused while B is sending it; sent once when sent again', async () => {
    const { b: a } = await workstation(engineA, WS_A);
    const { b } = await workstation(engineB, WS_B);
    const before = smtp.received.length;
    const id = await readyRelease(a);
    const first = await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(first.release.status).toBe('with_practice_server');
    const w = await a.call('releases.withdraw', { releaseId: id, how: 'withdraw' });
    expect(w.status).toBe('draft');
    expect((await listQueuedReleases(engineA)).find((x) => x.releaseId === id)).toMatchObject({ status: 'draft' });
    const left = await engineA.one<{ n: number }>('SELECT count(*) AS n FROM queue_message_chunks WHERE transmission_id = $1 AND sealed IS NOT NULL', [first.transmission.id]);
    expect(Number(left!.n)).toBe(0);
    expect((await b.services.releases.workflow.practice.drain()).delivered.some((d) => d.releaseId === id)).toBe(false);
    expect(smtp.received.length).toBe(before);
    const actions = (await a.call('audit.events', { limit: 200 })).filter((e) => e.subjectId === id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['release.withdraw', 'release.withdrawn']));

    // Sent again: a new transmission in the same shared row. B holds it (stopped right after its claim): A's
    // withdraw is refused with "being sent right now", audited, nothing changed; B then delivers it once.
    const again = await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect(again.release.status).toBe('with_practice_server');
    expect(again.transmission.id).not.toBe(first.transmission.id);
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    let claimed!: () => void;
    const isClaimed = new Promise<void>((ok) => (claimed = ok));
    const worker = new QueueWorker({
      engine: engineB,
      io: testQueueIo(DATA_KEY),
      workstation: { id: queueWorkstationName(WS_B) },
      smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
      smtpCa: [smtp.caPem],
      leaseMs: 60_000,
      checkpoint: async (point) => {
        if (point !== 'claimed') return;
        claimed();
        await held;
      },
    });
    const sending = worker.deliverNext();
    await isClaimed;
    await expect(a.call('releases.withdraw', { releaseId: id, how: 'cancel' })).rejects.toMatchObject({ code: 'RELEASE_SEND_IN_PROGRESS' });
    expect((await a.call('releases.get', { id })).status).toBe('with_practice_server');
    const refused = (await a.call('audit.events', { limit: 200 })).filter((e) => e.subjectId === id && e.action === 'release.cancel');
    expect(refused.at(-1) ?? refused[0]).toMatchObject({ outcome: expect.stringMatching(/failure|refused/) });
    release();
    expect(await sending).toEqual({ releaseId: id, status: 'sent' });
    expect(await a.services.releases.workflow.practice.pullOutcomes()).toEqual([{ releaseId: id, to: 'sent' }]);
    const d = await a.call('releases.get', { id });
    expect(d.status).toBe('sent');
    expect(smtp.received.length).toBe(before + 1);
    // The accounting of disclosures lists the one disclosure.
    const acc = await a.call('audit.accounting', { mrn: PATIENT.mrn, asOf: new Date(a.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10) });
    expect([...acc.entries, ...acc.excluded].filter((e) => e.reference === d.reference)).toHaveLength(1);
  }, 120_000);

  it('a waiting release cannot be withdrawn while the server cannot be reached (it cannot be checked): coded, nothing changed; once back it is withdrawn here alone', async () => {
    const { b: a, link } = await workstation(engineA, WS_A, { queueTickMs: 3_600_000 });
    const id = await readyRelease(a);
    link.setOffline(true);
    expect((await a.call('releases.send', { releaseId: id, method: 'password-pdf' })).release.status).toBe('waiting_for_server');
    const refused = await a.call('releases.withdraw', { releaseId: id, how: 'withdraw' }).then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(refused).toMatchObject({ code: 'PRACTICE_SERVER_UNREACHABLE' });
    expect(refused!.message).toMatch(/cannot be reached right now.*Nothing was changed/);
    expect((await a.call('releases.get', { id })).status).toBe('waiting_for_server');
    const failures = (await a.call('audit.events', { limit: 200 })).filter((e) => e.subjectId === id && e.action === 'release.withdraw');
    expect(failures.map((e) => e.outcome)).not.toContain('success');
    link.setOffline(false);
    // Never reached the shared outbox: withdrawn in this vault alone.
    expect((await a.call('releases.withdraw', { releaseId: id, how: 'withdraw' })).status).toBe('draft');
    expect((await listQueuedReleases(engineA)).some((r) => r.releaseId === id)).toBe(false);
  }, 120_000);

  it('a bounce of A’s release sent by B, read from B’s bounce mailbox, reaches A’s vault: the release bounced there, the request reopened; read again at A it is applied once; PHI-free on the server', async () => {
    const { b: a } = await workstation(engineA, WS_A);
    const { b } = await workstation(engineB, WS_B);
    const dsn = (envid: string, messageId: string) =>
      deliveryStatusReport({
        envid,
        rcpt: 'intake@lawfirm.example.test',
        boundary: 'BND',
        text: { lines: ['Not delivered to intake@lawfirm.example.test (Abcde Lawfirm Intake).'] },
        recipientFields: ['Diagnostic-Code: smtp; 550 5.1.1 <intake@lawfirm.example.test>: user unknown'],
        returnedHeaders: `Message-ID: ${messageId}\r\nSubject: Records`,
      });
    // B's own release, sent earlier, has the same reference as A's (each vault numbers its own): the report about
    // A's release must not bounce it.
    const own = await readyRelease(b);
    await b.call('releases.send', { releaseId: own, method: 'password-pdf' });
    await b.services.releases.workflow.practice.cycle();
    expect((await b.call('releases.get', { id: own })).status).toBe('sent');
    // 1. Sent by B, outcome already in A's vault; the report comes to B's mailbox.
    const id = await readyRelease(a);
    await a.call('releases.send', { releaseId: id, method: 'password-pdf' });
    expect((await b.services.releases.workflow.practice.drain()).delivered).toEqual([{ releaseId: id, status: 'sent' }]);
    await a.services.releases.workflow.practice.pullOutcomes();
    const detail = await a.call('releases.get', { id });
    expect(detail.status).toBe('sent');
    const messageId = detail.transmissions[0]!.parts[0]!.messageId;
    const envid = `${detail.reference}.1`;
    const report = dsn(envid, messageId);
    const atB = await b.services.bounces.applyRaw(report, 'test');
    expect(atB).toMatchObject({ outcome: 'bounced', status: '5.1.1' });
    expect((await b.call('releases.list', {})).some((r) => r.id === id)).toBe(false); // B's vault holds none of it
    expect((await b.call('releases.get', { id: own })).reference).toBe(detail.reference);
    expect((await b.call('releases.get', { id: own })).status).toBe('sent');
    expect((await listQueuedReleases(engineB)).find((x) => x.releaseId === id)).toMatchObject({ status: 'bounced' });
    expect((await a.call('releases.get', { id })).status).toBe('sent'); // until A's next pass
    await a.services.releases.workflow.practice.cycle();
    const bounced = await a.call('releases.get', { id });
    expect(bounced.status).toBe('bounced');
    expect(bounced.transmissions[0]!.parts[0]!.status).toBe('bounced');
    expect(bounced.lastError?.code).toBe('DELIVERY_BOUNCED');
    expect((await a.call('requests.get', { id: bounced.requestId! })).request.status).toBe('failed');
    const ev = (await a.call('audit.events', { limit: 300 })).filter((e) => e.subjectId === id && e.action === 'release.bounced');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.detail).toMatchObject({ via: 'practice_server', status: '5.1.1', reportedBy: queueWorkstationName(WS_B) });
    // The same report read at A's own mailbox later: applied once (nothing changes).
    expect((await a.services.bounces.applyRaw(report, 'test')).outcome).toMatch(/^duplicate/);
    await a.services.releases.workflow.practice.cycle();
    expect((await a.call('audit.events', { limit: 300 })).filter((e) => e.subjectId === id && e.action === 'release.bounced')).toHaveLength(1);

    // 2. The report comes to A's mailbox before A brought the outcome back: recorded on the server, then A's pass
    //    records the delivery as it happened and the bounce after it.
    const id2 = await readyRelease(a);
    await a.call('releases.send', { releaseId: id2, method: 'password-pdf' });
    await b.services.releases.workflow.practice.drain();
    const d2 = await a.call('releases.get', { id: id2 });
    expect(d2.status).toBe('with_practice_server');
    const mid2 = (await transmissionLog(engineA)).find((p) => p.releaseId === id2)!.messageId;
    expect((await a.services.bounces.applyRaw(dsn(`${d2.reference}.1`, mid2), 'test')).outcome).toBe('bounced');
    await a.services.releases.workflow.practice.cycle();
    const after2 = await a.call('releases.get', { id: id2 });
    expect(after2.status).toBe('bounced');
    const acts2 = (await a.call('audit.events', { limit: 300 })).filter((e) => e.subjectId === id2).map((e) => e.action);
    expect(acts2).toEqual(expect.arrayContaining(['release.practice_outcome', 'release.send', 'release.bounced']));

    // No PHI of the report on the server: its rows hold codes and ids only.
    const stored = JSON.stringify(await engineA.all('SELECT * FROM queue_bounce_reports')) + JSON.stringify(await engineA.all('SELECT transmission_id, part, status, bounce_status, error_code FROM queue_parts'));
    for (const phi of ['Abcde', 'lawfirm.example.test', PATIENT.name, 'user unknown']) expect(stored).not.toContain(phi);
    expect(b.logText()).not.toContain('lawfirm.example.test');
  }, 180_000);

  it('two workers whose clocks differ by minutes never both hold a live claim: leases run on the server’s clock', async () => {
    const io = testQueueIo(DATA_KEY);
    const r = syntheticRelease(1, { tag: 'skew' });
    await enqueueRelease(engineA, io, r, STAFF, new Date());
    const smtpSettings = { host: '127.0.0.1', port: smtp.port, security: 'starttls' as const, username: SMTP_USER, password: SMTP_PASSWORD };
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    let claimed!: () => void;
    const isClaimed = new Promise<void>((ok) => (claimed = ok));
    const slowClock = { now: () => new Date(Date.now() - 4 * 60_000) }; // four minutes behind
    const fastClock = { now: () => new Date(Date.now() + 4 * 60_000) }; // four minutes ahead
    const base = { io, smtp: smtpSettings, smtpCa: [smtp.caPem], leaseMs: 60_000, pollMs: 50 };
    const a = new QueueWorker({
      ...base,
      engine: engineA,
      workstation: { id: 'ws-slow' },
      clock: slowClock,
      checkpoint: async (point) => {
        if (point !== 'claimed') return;
        claimed();
        await held;
      },
    });
    const b = new QueueWorker({ ...base, engine: engineB, workstation: { id: 'ws-fast' }, clock: fastClock });
    const before = smtp.received.length;
    const first = a.deliverNext();
    await isClaimed;
    const lease = (await listQueuedReleases(engineA)).find((x) => x.releaseId === r.releaseId)!;
    expect(lease).toMatchObject({ status: 'sending', claimedBy: 'ws-slow' });
    // Without the server's clock, B would see this lease as over for minutes already:
    expect(fastClock.now().getTime()).toBeGreaterThan(lease.leaseUntil! + 2 * 60_000);
    expect(await b.recover()).toEqual([]);
    expect(await b.deliverNext()).toBeNull();
    expect((await listQueuedReleases(engineB)).find((x) => x.releaseId === r.releaseId)).toMatchObject({ status: 'sending', claimedBy: 'ws-slow' });
    release();
    expect(await first).toEqual({ releaseId: r.releaseId, status: 'sent' });
    expect(smtp.received.length).toBe(before + 1);
    expect((await b.drain({ maxMs: 2000 })).recovered).toEqual([]);
  }, 60_000);

  it('the last part’s result and the settle commit in one transaction: fewer statements per release on PostgreSQL', async () => {
    const io = testQueueIo(DATA_KEY);
    const counted = (e: SqlEngine) => {
      const n = { statements: 0 };
      const wrap = (x: SqlEngine, top: boolean): SqlEngine => ({
        dialect: x.dialect,
        all: (sql, p) => (n.statements++, x.all(sql, p)),
        one: (sql, p) => (n.statements++, x.one(sql, p)),
        run: (sql, p) => (n.statements++, x.run(sql, p)),
        transaction: (fn) => ((n.statements += 2), x.transaction((tx) => fn(wrap(tx, false)))), // BEGIN + COMMIT
        close: () => (top ? Promise.resolve() : x.close()),
      });
      return { engine: wrap(e, true), n };
    };
    const ws = { id: 'ws-count', actor: 'Workstation ws-count', actorId: null };
    const reply = { smtpResponse: '250 2.0.0 Ok: queued', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384' };
    const run = async (i: number, merged: boolean) => {
      await enqueueRelease(engineA, io, syntheticRelease(i, { tag: 'count' }), STAFF, new Date());
      const { engine, n } = counted(engineA);
      const now = () => new Date();
      const claim = (await claimNextRelease(engine, io, ws, now(), 60_000))!;
      const seq = await beginQueuedPartAttempt(engine, claim, 1, now());
      await markQueuedPartHandedOver(engine, claim, 1, now());
      if (merged) expect(await recordQueuedPartSent(engine, io, claim, 1, seq, reply, now(), DEFAULT_RETRY)).toBe('sent');
      else {
        await recordQueuedPartSent(engine, io, claim, 1, seq, reply, now());
        expect(await settleClaim(engine, io, claim, null, DEFAULT_RETRY, now())).toBe('sent');
      }
      return n.statements;
    };
    const separate = await run(1, false);
    const merged = await run(2, true);
    console.log(`statements per one-part release on PostgreSQL (claim → settle): separate ${separate}, merged ${merged}`);
    expect(merged).toBeLessThan(separate);
  }, 60_000);
});
