/**
 * Synthetic releases for the practice server's shared queue: small composed messages (RFC 5322, CRLF) with unique
 * Message-IDs, a synthetic patient as the recipient, and helpers to fill a queue and count what a mail server got.
 */
import type { SqlEngine } from '../../src/main/services/practice/engine';
import { enqueueRelease, type PreparedRelease, type QueueActor, type QueueIo } from '../../src/main/services/practice/queue-repo';
import type { Msg } from './smtp';

export const SENDER = 'records@clinic.example.test';
export const PATIENT_ADDRESS = 'zyxwv.testpatient@patient.example.test';
export const PATIENT_NAME = 'Zyxwv Testpatient';
export const STAFF: QueueActor = { actor: 'Qwert Frontdesk', actorId: 'user-qwert' };

/**
 * Release `i` as a workstation would have prepared it: `parts` messages of about `bodyBytes` each (an armored-looking
 * body: no PHI in clear, as a PGP/MIME release would be), Message-IDs `<rd.i.part.x@clinic.example.test>`.
 */
export function syntheticRelease(i: number, opts: { parts?: number; bodyBytes?: number; tag?: string } = {}): PreparedRelease {
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

// --- INTERIM (until practice/sealing.ts and practice/audit-repo.ts land from pg-store): a test sealer and a linear
// HMAC chain in practice_audit_events, appended under the chain's advisory lock in the caller's transaction.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { ADVISORY_LOCKS, advisoryXactLock } from '../../src/main/services/practice/engine';
import type { QueueSealPlace } from '../../src/main/services/practice/queue-repo';

const placeText = (p: QueueSealPlace) => Buffer.from(`${p.table}|${p.column}|${p.rowId}`);

/** Queue io for tests: AES-256-GCM sealing and the shared chain, keyed by `dataKey` (32 bytes). */
export function testQueueIo(dataKey: Buffer): QueueIo & { verifyChain(engine: SqlEngine): Promise<{ intact: boolean; checked: number }> } {
  const keyId = createHmac('sha256', dataKey).update('key-id').digest('hex').slice(0, 16);
  const chainKey = createHmac('sha256', dataKey).update('chain').digest();
  const body = (r: { at: string; actor: string; action: string; outcome: string; subject_type: string | null; subject_id: string | null; detail: string }, prev: string) =>
    JSON.stringify([prev, r.at, r.actor, r.action, r.outcome, r.subject_type, r.subject_id, r.detail]);
  return {
    sealer: {
      seal(place, plain) {
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', dataKey, iv);
        c.setAAD(placeText(place));
        const b = Buffer.concat([c.update(plain), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), b]);
      },
      open(place, sealed) {
        const d = createDecipheriv('aes-256-gcm', dataKey, sealed.subarray(0, 12));
        d.setAAD(placeText(place));
        d.setAuthTag(sealed.subarray(12, 28));
        return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
      },
    },
    audit: async (tx, e) => {
      await advisoryXactLock(tx, ADVISORY_LOCKS.auditChain);
      await tx.run(`INSERT INTO practice_data_keys (key_id, created_at, created_by) VALUES ($1, $2, 'test') ON CONFLICT DO NOTHING`, [keyId, new Date(0).toISOString()]);
      const last = await tx.one<{ seq: number; hash: string }>('SELECT seq, hash FROM practice_audit_events ORDER BY seq DESC LIMIT 1');
      const prev = last?.hash ?? '0'.repeat(64);
      const row = { at: e.at.toISOString(), actor: e.actor, action: e.action, outcome: e.outcome, subject_type: e.subjectType ?? null, subject_id: e.subjectId ?? null, detail: JSON.stringify(e.detail ?? {}) };
      const hash = createHmac('sha256', chainKey).update(body(row, prev)).digest('hex');
      await tx.run(
        `INSERT INTO practice_audit_events (seq, at, actor, action, outcome, subject_type, subject_id, key_id, detail_sealed, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [Number(last?.seq ?? 0) + 1, row.at, row.actor, row.action, row.outcome, row.subject_type, row.subject_id, keyId, Buffer.from(row.detail), prev, hash],
      );
    },
    async verifyChain(engine) {
      const rows = await engine.all<{ at: string; actor: string; action: string; outcome: string; subject_type: string | null; subject_id: string | null; detail_sealed: Buffer; prev_hash: string; hash: string }>(
        'SELECT * FROM practice_audit_events ORDER BY seq',
      );
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const h = createHmac('sha256', chainKey).update(body({ ...r, detail: Buffer.from(r.detail_sealed).toString() }, prev)).digest('hex');
        if (r.prev_hash !== prev || r.hash !== h) return { intact: false, checked: rows.length };
        prev = r.hash;
      }
      return { intact: true, checked: rows.length };
    },
  };
}
