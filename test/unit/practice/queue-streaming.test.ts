/**
 * The practice sender streams a stored message from the shared outbox into SMTP DATA, on both engines, against the
 * real SMTP test server (STARTTLS, verified against the test CA): a message stored as many sealed chunks arrives
 * byte-identical (SHA-256 of what the server received equals the stored digest) with its stored Message-ID; the
 * chunks are read from the server one at a time while DATA is written (never all before the connection); a stored
 * chunk that is gone half-way ends DATA without the final "." — nothing delivered, nothing handed over, the part
 * failed with a coded, PHI-free error. Synthetic data only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlEngine } from '../../../src/main/services/practice/engine';
import { enqueueRelease, queueParts, type PreparedRelease } from '../../../src/main/services/practice/queue-repo';
import { QueueWorker } from '../../../src/main/services/practice/queue-worker';
import { engines } from '../../support/practice-engines';
import { useEngineHarness } from '../../support/practice-suite';
import { PATIENT_ADDRESS, PATIENT_NAME, SENDER, STAFF, receivedMessageId, testQueueIo } from '../../support/practice-queue';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer } from '../../support/smtp';
import { requireTool } from '../../support/tools';

const CHUNK = 64 * 1024;

/** A PGP/MIME-looking message of about `bytes` (armored random data, CRLF lines), stored as chunks of CHUNK bytes. */
function bigRelease(i: number, bytes: number): { r: PreparedRelease; raw: Buffer } {
  const messageId = `<rd.stream${i}.1.1@clinic.example.test>`;
  const head = [
    `From: Maplewood Records <${SENDER}>`,
    `To: ${PATIENT_NAME} <${PATIENT_ADDRESS}>`,
    'Subject: Records you asked for (1 of 1)',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    '-----BEGIN PGP MESSAGE-----',
    '',
  ].join('\r\n');
  const body = (randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  const raw = Buffer.from(`${head}\r\n${body}\r\n-----END PGP MESSAGE-----\r\n`);
  const pieces: Buffer[] = [];
  for (let off = 0; off < raw.length; off += CHUNK) pieces.push(raw.subarray(off, off + CHUNK));
  return {
    raw,
    r: {
      releaseId: `rel-stream${i}`,
      reference: `RD-2026-S${i}`,
      requestId: null,
      method: 'openpgp-pgp-mime',
      transmissionId: `tx-stream${i}`,
      envid: `RD-2026-S${i}`,
      recipient: { name: PATIENT_NAME, address: PATIENT_ADDRESS },
      messages: [
        { part: 1, of: 1, messageId, envelope: { from: SENDER, to: [PATIENT_ADDRESS] }, raw: { sizeBytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex'), chunks: () => pieces } },
      ],
    },
  };
}

/** The engine, recording each statement that reads a stored chunk and whether the SMTP server had seen DATA by then. */
function countingChunkReads(e: SqlEngine, smtp: () => RunningSmtpServer): { engine: SqlEngine; reads: Array<{ afterData: boolean }> } {
  const reads: Array<{ afterData: boolean }> = [];
  const one: SqlEngine['one'] = (sql, p) => {
    if (/FROM queue_message_chunks/.test(sql)) reads.push({ afterData: smtp().commands.some((c) => /^DATA\b/i.test(c)) });
    return e.one(sql, p);
  };
  return { engine: { ...e, dialect: e.dialect, one, all: e.all.bind(e), run: e.run.bind(e), transaction: e.transaction.bind(e), close: e.close.bind(e) }, reads };
}

describe.skipIf(!requireTool('openssl')).each(engines())('the practice sender streams stored messages into SMTP DATA on $name', (h) => {
  const fresh = useEngineHarness(h);
  const io = testQueueIo(randomBytes(32));
  let smtp: RunningSmtpServer | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });
  const worker = (engine: SqlEngine, srv: RunningSmtpServer) =>
    new QueueWorker({
      engine,
      io,
      workstation: { id: 'ws-stream' },
      smtp: { host: '127.0.0.1', port: srv.port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
      smtpCa: [srv.caPem],
      smtpTimeoutMs: 10_000,
      leaseMs: 30_000,
      pollMs: 50,
    });

  it('a message stored as many sealed chunks arrives over STARTTLS byte-identical (same SHA-256), read one chunk at a time while DATA is written', async () => {
    const db = await fresh();
    const srv = (smtp = await startSmtpServer());
    const { r, raw } = bigRelease(1, 3 * 2 ** 20);
    await enqueueRelease(db, io, r, STAFF, new Date());
    const chunkRows = Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM queue_message_chunks WHERE transmission_id = $1', [r.transmissionId]))!.n);
    expect(chunkRows).toBe(Math.ceil(raw.length / CHUNK));
    expect(chunkRows).toBeGreaterThan(40);

    const { engine, reads } = countingChunkReads(db, () => srv);
    const s = await worker(engine, srv).drain();
    expect(s.delivered).toEqual([{ releaseId: r.releaseId, status: 'sent' }]);
    expect(srv.received).toHaveLength(1);
    const got = srv.received[0]!;
    expect(got.secure).toBe(true);
    expect(receivedMessageId(got)).toBe(r.messages[0]!.messageId);
    expect(createHash('sha256').update(got.raw).digest('hex')).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(got.raw.equals(raw)).toBe(true);
    // Every chunk read exactly once, one statement each, and only once DATA had begun: never the whole message
    // gathered before the connection (the connection pulls the next chunk when it takes more).
    expect(reads).toHaveLength(chunkRows);
    expect(reads.every((x) => x.afterData)).toBe(true);
    expect((await queueParts(db, r.transmissionId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(got.dsn.envid).toBe(`${r.envid}.1`);
  });

  it('a stored chunk gone half-way ends DATA without the final ".": nothing delivered, nothing handed over, the part failed with a coded error', async () => {
    const db = await fresh();
    const srv = (smtp = await startSmtpServer());
    const { r } = bigRelease(2, 2 ** 20);
    await enqueueRelease(db, io, r, STAFF, new Date());
    // The chunk in the middle no longer opens (its sealed bytes replaced by others: the AAD binds each to its place).
    const other = await db.one<{ sealed: Buffer }>('SELECT sealed FROM queue_message_chunks WHERE transmission_id = $1 AND seq = 0', [r.transmissionId]);
    await db.run('UPDATE queue_message_chunks SET sealed = $3 WHERE transmission_id = $1 AND seq = $2', [r.transmissionId, 8, Buffer.from(other!.sealed)]);
    const s = await worker(db, srv).drain({ maxMs: 5000 });
    expect(s.delivered).toEqual([{ releaseId: r.releaseId, status: 'failed' }]);
    expect(srv.received).toHaveLength(0);
    const [p] = await queueParts(db, r.transmissionId);
    expect(p).toMatchObject({ status: 'failed', errorCode: 'INTERNAL', handedOverAt: null });
    expect(srv.commands.some((c) => /^DATA\b/i.test(c))).toBe(true); // DATA had begun: the chunk was read while sending
    expect((await io.verifyChain(db)).intact).toBe(true);
  });
});
