/**
 * Synthetic releases for the practice server's shared queue: small composed messages (RFC 5322, CRLF) with unique
 * Message-IDs, a synthetic patient as the recipient, and helpers to fill a queue and count what a mail server got.
 */
import type { SqlEngine } from '../../src/main/services/practice/engine';
import { enqueueRelease, type PreparedMessage, type PreparedRelease, type QueueActor, type QueueIo } from '../../src/main/services/practice/queue-repo';
import { verifyPracticeAudit } from '../../src/main/services/practice/audit-repo';
import { practiceQueueIo } from '../../src/main/services/practice/queue-io';
import { practiceKeys, type PracticeKeys } from '../../src/main/services/practice/sealing';
import type { Msg } from './smtp';

export const SENDER = 'records@clinic.example.test';
export const PATIENT_ADDRESS = 'zyxwv.testpatient@patient.example.test';
export const PATIENT_NAME = 'Zyxwv Testpatient';
export const STAFF: QueueActor = { actor: 'Qwert Frontdesk', actorId: 'user-qwert' };

/**
 * Release `i` as a workstation would have prepared it: `parts` messages of about `bodyBytes` each (an armored-looking
 * body: no PHI in clear, as a PGP/MIME release would be), Message-IDs `<rd.i.part.x@clinic.example.test>`.
 */
export function syntheticRelease(i: number, opts: { parts?: number; bodyBytes?: number; tag?: string } = {}): PreparedRelease & { messages: Array<PreparedMessage & { raw: Buffer }> } {
  const of = opts.parts ?? 1;
  const tag = opts.tag ?? 'q';
  const body = 'hQEMA5yntheticArmoredCiphertext0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.repeat(Math.ceil((opts.bodyBytes ?? 1500) / 76)).slice(0, opts.bodyBytes ?? 1500);
  const lines = body.match(/.{1,76}/g) ?? [];
  const messages = Array.from({ length: of }, (_, k) => {
    const part = k + 1;
    const messageId = `<rd.${tag}${i}.${part}.${of}@clinic.example.test>`;
    const raw = Buffer.from(
      [
        `From: Maplewood Records <${SENDER}>`,
        `To: ${PATIENT_NAME} <${PATIENT_ADDRESS}>`,
        `Subject: Records you asked for (${part} of ${of})`,
        `Date: Mon, 07 Dec 2026 09:00:00 +0000`,
        `Message-ID: ${messageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        '-----BEGIN PGP MESSAGE-----',
        '',
        ...lines,
        '-----END PGP MESSAGE-----',
        '',
      ].join('\r\n'),
    );
    return { part, of, messageId, envelope: { from: SENDER, to: [PATIENT_ADDRESS] }, raw };
  });
  return {
    releaseId: `rel-${tag}${i}`,
    reference: `RD-2026-${String(i).padStart(5, '0')}`,
    requestId: `req-${tag}${i}`,
    method: 'openpgp-pgp-mime',
    transmissionId: `tx-${tag}${i}`,
    envid: `RD-2026-${tag}${i}`,
    recipient: { name: PATIENT_NAME, address: PATIENT_ADDRESS },
    messages,
  };
}

/**
 * Queue `n` synthetic releases (every `multiPartEvery`-th has two parts), `concurrency` enqueues at a time (each
 * its own transaction, as workstations queueing at once). @returns every Message-ID queued
 */
export async function fillQueue(
  engine: SqlEngine,
  io: QueueIo,
  n: number,
  opts: { multiPartEvery?: number; bodyBytes?: number; tag?: string; concurrency?: number } = {},
): Promise<string[]> {
  const releases = Array.from({ length: n }, (_, i) =>
    syntheticRelease(i, { parts: opts.multiPartEvery && i % opts.multiPartEvery === 0 ? 2 : 1, ...(opts.bodyBytes ? { bodyBytes: opts.bodyBytes } : {}), ...(opts.tag ? { tag: opts.tag } : {}) }),
  );
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < releases.length; i = next++) await enqueueRelease(engine, io, releases[i]!, STAFF, new Date(Date.UTC(2026, 11, 7, 9) + i));
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, lane));
  return releases.flatMap((r) => r.messages.map((m) => m.messageId));
}

/** The Message-ID header of a received message ('' when none). */
export function receivedMessageId(m: Msg): string {
  const head = m.raw.subarray(0, Math.max(0, m.raw.indexOf('\r\n\r\n'))).toString('latin1');
  return /^Message-ID:\s*(<[^>\r\n]*>)/im.exec(head)?.[1] ?? '';
}

/** How many copies of each Message-ID the server holds. */
export function copiesAtServer(received: Msg[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const m of received) {
    const id = receivedMessageId(m);
    n.set(id, (n.get(id) ?? 0) + 1);
  }
  return n;
}

/** A queue io for tests, with a check of the shared audit chain. */
export type TestQueueIo = QueueIo & { keys: PracticeKeys; verifyChain(engine: SqlEngine): Promise<{ intact: boolean; checked: number }> };

/** The real queue io (practice sealing, the shared audit chain) for practice keys already set up in the database. */
export function keysQueueIo(keys: PracticeKeys): TestQueueIo {
  return {
    ...practiceQueueIo(keys),
    keys,
    async verifyChain(engine) {
      const v = await verifyPracticeAudit(engine, keys);
      return { intact: v.intact, checked: v.checked };
    },
  };
}

/**
 * The real queue io for a bare test data key: the key's public id is registered in `practice_data_keys` (what
 * keys-repo setUpPracticeKey does, without the per-user wrap and its argon2id cost) before the first audit event.
 */
export function testQueueIo(dataKey: Buffer): TestQueueIo {
  const io = keysQueueIo(practiceKeys(dataKey));
  return {
    ...io,
    audit: async (tx, e) => {
      await tx.run("INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, 'test') ON CONFLICT DO NOTHING", [io.keys.keyId, '2026-01-01T00:00:00.000Z']);
      return io.audit(tx, e);
    },
  };
}
