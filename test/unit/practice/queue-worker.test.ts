/**
 * A workstation draining the shared outbox against the real SMTP test server (STARTTLS, verified against the test
 * CA), on both engines: every stored message reaches the server once with its stored Message-ID and DSN envelope
 * id; a silent server leaves the part unconfirmed (never resent); a temporary refusal queues the release again with
 * a backoff; a workstation that lost its claim before the final "." never ends the message; two workstations
 * draining one queue deliver every release exactly once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { listQueuedReleases, queueParts, recoverLapsedClaims, transmissionLog } from '../../../src/main/services/practice/queue-repo';
import { QueueWorker, type QueueWorkerDeps } from '../../../src/main/services/practice/queue-worker';
import { engines } from '../../support/practice-engines';
import { copiesAtServer, fillQueue, PATIENT_ADDRESS, STAFF, syntheticRelease, testQueueIo } from '../../support/practice-queue';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { requireTool } from '../../support/tools';
import { enqueueRelease } from '../../../src/main/services/practice/queue-repo';

const hasOpenssl = requireTool('openssl');

describe.skipIf(!hasOpenssl).each(engines())('a workstation draining the shared queue on $name', (h) => {
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  let db: SqlEngine | undefined;
  let smtp: RunningSmtpServer | undefined;
  const others: SqlEngine[] = [];
  afterEach(async () => {
    for (const o of others.splice(0)) await o.close();
    await db?.close();
    await smtp?.close();
    db = undefined;
    smtp = undefined;
  });
  const io = testQueueIo(randomBytes(32));
  const worker = (engine: SqlEngine, id: string, srv: RunningSmtpServer, extra: Partial<QueueWorkerDeps> = {}) =>
    new QueueWorker({
      engine,
      io,
      workstation: { id },
      smtp: { host: '127.0.0.1', port: srv.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
      smtpCa: [srv.caPem],
      smtpTimeoutMs: 3000,
      leaseMs: 30_000,
      pollMs: 50,
      ...extra,
    });
  const start = async (opts: StartSmtpServerOptions = {}) => {
    smtp = await startSmtpServer(opts);
    return smtp;
  };

  it('delivers each stored message once, over verified TLS, with its stored Message-ID and DSN envelope id', async () => {
    db = await h.fresh();
    const srv = await start();
    const ids = await fillQueue(db, io, 6, { multiPartEvery: 3 });
    const s = await worker(db, 'ws-1', srv).drain();
    expect(s.delivered.map((d) => d.status)).toEqual(Array(6).fill('sent'));
    const copies = copiesAtServer(srv.received);
    expect([...copies.keys()].sort()).toEqual([...ids].sort());
    expect(Math.max(...copies.values())).toBe(1);
    expect(srv.received.every((m) => m.secure && m.rcptTo[0] === PATIENT_ADDRESS)).toBe(true);
    expect(srv.received.map((m) => m.dsn.envid).sort()).toEqual(expect.arrayContaining(['RD-2026-q0.1', 'RD-2026-q0.2', 'RD-2026-q1.1']));
    const log = await transmissionLog(db);
    expect(log.every((p) => p.status === 'sent' && p.acceptedAttempts === 1 && p.tlsProtocol?.startsWith('TLSv1.'))).toBe(true);
    expect((await io.verifyChain(db)).intact).toBe(true);
  });

  it('a server that stays silent after the final "." leaves the part unconfirmed: not resent, staff decide', async () => {
    db = await h.fresh();
    const srv = await start({ silentAfterDataAt: [0] });
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, new Date());
    const s = await worker(db, 'ws-1', srv, { smtpTimeoutMs: 700 }).drain();
    expect(s.delivered).toEqual([{ releaseId: 'rel-q1', status: 'unconfirmed' }]);
    expect((await queueParts(db, 'tx-q1'))[0]).toMatchObject({ status: 'unconfirmed', errorCode: 'SMTP_NO_REPLY' });
    expect(await worker(db, 'ws-2', srv).drain()).toMatchObject({ delivered: [] });
    expect(srv.received).toHaveLength(1);
  });

  it('a temporary refusal (451) queues the release again with a backoff; a refused recipient (550) fails it', async () => {
    db = await h.fresh();
    const srv = await start({ rejectDataAt: [0], rejectRecipients: ['nobody@patient.example.test'] });
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, new Date());
    const bad = syntheticRelease(2);
    bad.messages[0]!.envelope = { from: bad.messages[0]!.envelope.from, to: ['nobody@patient.example.test'] };
    await enqueueRelease(db, io, bad, STAFF, new Date(Date.now() + 1));
    const s = await worker(db, 'ws-1', srv).drain();
    expect(s.delivered).toEqual([
      { releaseId: 'rel-q1', status: 'queued' },
      { releaseId: 'rel-q2', status: 'failed' },
    ]);
    expect(s.waiting).toBe(1);
    const q1 = (await listQueuedReleases(db)).find((r) => r.releaseId === 'rel-q1')!;
    expect(q1).toMatchObject({ attempts: 1, errorCode: 'SMTP_TEMPORARY_FAILURE' });
    expect(q1.notBefore).toBeGreaterThan(Date.now() + 30_000);
  });

  it('a workstation that lost its claim before the final "." never ends the message; the new holder delivers it once', async () => {
    db = await h.fresh();
    const srv = await start();
    await enqueueRelease(db, io, syntheticRelease(1), STAFF, new Date());
    const other = h.another ? h.another() : db;
    if (other !== db) others.push(other);
    // While ws-1 connects, its lease is taken to have lapsed and ws-2 recovers the release.
    const slow = worker(db, 'ws-1', srv, {
      checkpoint: async (point) => {
        if (point === 'before-connect') await recoverLapsedClaims(other, io, { actor: 'Workstation ws-2', actorId: null }, new Date(Date.now() + 60_000));
      },
    });
    expect(await slow.deliverNext()).toEqual({ releaseId: 'rel-q1', status: 'claim_lost' });
    await new Promise((r) => setTimeout(r, 100));
    expect(srv.received).toHaveLength(0);
    expect(await worker(other, 'ws-2', srv).drain()).toMatchObject({ delivered: [{ releaseId: 'rel-q1', status: 'sent' }] });
    expect(srv.received).toHaveLength(1);
    expect((await transmissionLog(db))[0]).toMatchObject({ status: 'sent', attempts: 2, acceptedAttempts: 1 });
  });

  it('two workstations draining one queue together deliver every release exactly once', async () => {
    db = await h.fresh({ poolSize: 3 });
    const srv = await start();
    const ids = await fillQueue(db, io, 16);
    const other = h.another ? h.another({ poolSize: 3 }) : db;
    if (other !== db) others.push(other);
    const [a, b] = await Promise.all([worker(db, 'ws-1', srv).drain(), worker(other, 'ws-2', srv).drain()]);
    expect(a.delivered.length + b.delivered.length).toBe(16);
    const copies = copiesAtServer(srv.received);
    expect(copies.size).toBe(ids.length);
    expect(Math.max(...copies.values())).toBe(1);
    expect((await io.verifyChain(db)).intact).toBe(true);
  });
});
