/**
 * The shared queue's proof (issue #17, "done when"): two workstation PROCESSES (scripts/practice-workstation.ts)
 * against one throwaway PostgreSQL on 127.0.0.1 (TLS verified) drain a queue of 200 releases to the real SMTP test
 * server, each killed with SIGKILL at random moments and started again until the queue is drained. Then a release
 * left 'unconfirmed' is resolved the way staff would — they check with the recipient (here: the server) and record
 * "recipient confirmed", or "resend" when it never arrived — and:
 * - every release is sent, every stored message reached the server exactly once (counted by Message-ID: never 2);
 * - the transmission records match the server: each part accepted once by a "250" or confirmed by staff, and the
 *   number of parts recorded as delivered equals the number of messages at the server;
 * - the shared audit chain verifies, and a pg_dump of the practice database holds no patient name or address.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { setUpPracticeKey } from '../../../src/main/services/practice/keys-repo';
import { migratePractice } from '../../../src/main/services/practice/migrate';
import { openPgEngine } from '../../../src/main/services/practice/pg-engine';
import { listQueuedReleases, resolveQueuedUnconfirmed, transmissionLog } from '../../../src/main/services/practice/queue-repo';
import { runWorkstationOnce, runWorkstations } from '../../crash/practice-drain';
import { pgConfig } from '../../support/practice-engines';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { copiesAtServer, fillQueue, keysQueueIo, PATIENT_ADDRESS, PATIENT_NAME, STAFF, type TestQueueIo } from '../../support/practice-queue';
import { startSmtpServer, testPki, type RunningSmtpServer } from '../../support/smtp';
import { requireTool } from '../../support/tools';

const RELEASES = 200;
const ready = requireTool('openssl') && requirePostgres();

describe.skipIf(!ready)('two workstation processes killed at random drain a shared queue of 200 releases exactly once', () => {
  let pg: RunningPostgres;
  let smtp: RunningSmtpServer;
  let db: SqlEngine;
  const staff = { id: 'user-qwert', passphrase: 'correct horse practice staple 58213' };
  let io: TestQueueIo;

  beforeAll(async () => {
    [pg, smtp] = await Promise.all([startPostgres(), startSmtpServer()]);
    db = openPgEngine(pgConfig(pg, 4));
    await migratePractice(db);
    io = keysQueueIo(await setUpPracticeKey(db, staff, new Date().toISOString()));
  });
  afterAll(async () => {
    await db?.close();
    await smtp?.close();
    await pg?.stop();
  });

  it('every release is delivered once (counted at the server by Message-ID), the records match, the audit chain verifies', { timeout: 240_000 }, async () => {
    const ids = await fillQueue(db, io, RELEASES, { multiPartEvery: 10, bodyBytes: 1200, concurrency: 4 });
    const run = await runWorkstations({ pg, smtp, staff, workstations: 2, leaseMs: 3000, kill: { times: 3, minMs: 200, maxMs: 1800 }, timeoutMs: 200_000 });
    expect(run.kills).toBeGreaterThanOrEqual(4);

    // Staff's decision on what was left unconfirmed: ask the recipient (the server), then record what they learned.
    const copies = () => copiesAtServer(smtp.received);
    const afterDrain = await listQueuedReleases(db);
    const unconfirmed = afterDrain.filter((r) => r.status === 'unconfirmed');
    let resent = 0;
    for (const r of unconfirmed) {
      const parts = (await transmissionLog(db)).filter((p) => p.releaseId === r.releaseId && p.status === 'unconfirmed');
      const arrived = parts.every((p) => copies().get(p.messageId) === 1);
      if (!arrived) resent++;
      await resolveQueuedUnconfirmed(db, io, r.releaseId, arrived ? 'recipient_confirmed' : 'resend', STAFF, new Date());
    }
    // A resent release, and a split release whose interrupted part the recipient confirmed while a later part was never
    // tried, are queued again: a workstation finishes them.
    const queuedAgain = (await listQueuedReleases(db)).filter((r) => r.status === 'queued').length;
    if (queuedAgain > 0) await runWorkstations({ pg, smtp, staff, workstations: 1, leaseMs: 3000, timeoutMs: 60_000 });

    const releases = await listQueuedReleases(db);
    expect(releases.filter((r) => r.status !== 'sent')).toEqual([]);
    const atServer = copies();
    expect([...atServer.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...atServer.keys()].sort()).toEqual([...ids].sort());

    const log = await transmissionLog(db);
    expect(log).toHaveLength(ids.length);
    for (const p of log) {
      expect(p.status).toBe('sent');
      // Delivered by a "250" recorded on the reply, or confirmed by staff after an interrupted reply: never both, never twice.
      expect(p.acceptedAttempts + (p.resolution === 'recipient_confirmed' ? 1 : 0)).toBe(1);
    }
    expect(log.filter((p) => p.status === 'sent').length).toBe(smtp.received.length);
    const chain = await io.verifyChain(db);
    expect(chain.intact).toBe(true);
    // What the server holds is ciphertext: a dump of the practice database names no patient and no address.
    const dump = pg.dump();
    expect(dump).toContain('queue_messages');
    expect(dump).not.toContain(PATIENT_NAME);
    expect(dump).not.toContain(PATIENT_ADDRESS);
    const interrupted = await db.one<{ n: number }>("SELECT count(*) AS n FROM practice_audit_events WHERE action = 'release.send_interrupted'");
    process.stdout.write(
      `shared-queue kill run: ${RELEASES} releases, ${ids.length} messages, ${run.kills} SIGKILLs, ${run.starts} process starts, ` +
        `${interrupted?.n ?? 0} interrupted sends recovered, ${unconfirmed.length} unconfirmed resolved by staff (${resent} resent), ${chain.checked} audit events\n`,
    );
  });

  it('a workstation signing in with a wrong passphrase stops with WRONG_PASSPHRASE, sends nothing and prints no secret', { timeout: 60_000 }, async () => {
    const before = smtp.received.length;
    const r = await runWorkstationOnce({ pg, smtp, staff, leaseMs: 3000 }, { RD_STAFF_PASSPHRASE: 'not the passphrase 11111' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['ERROR WRONG_PASSPHRASE']);
    expect(smtp.received.length).toBe(before);
  });

  it('a workstation without its database settings stops with VALIDATION_FAILED before connecting', { timeout: 60_000 }, async () => {
    const r = await runWorkstationOnce({ pg, smtp, staff, leaseMs: 3000 }, { RD_PG_HOST: undefined });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['ERROR VALIDATION_FAILED']);
  });

  it('a workstation that does not trust the database server’s certificate refuses to connect (PRACTICE_SERVER_TLS_UNTRUSTED)', { timeout: 60_000 }, async () => {
    // The CA file holds a certificate that did not sign the server's.
    const dir = mkdtempSync(join(tmpdir(), 'rd-wrong-ca-'));
    try {
      writeFileSync(join(dir, 'wrong-ca.pem'), testPki().otherCert);
      const r = await runWorkstationOnce({ pg, smtp, staff, leaseMs: 3000 }, { RD_PG_CA_FILE: join(dir, 'wrong-ca.pem') });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual(['ERROR PRACTICE_SERVER_TLS_UNTRUSTED']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
