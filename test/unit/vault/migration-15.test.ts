import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { sendRawMessage, type ChunkedMessage } from '../../../src/main/services/delivery/smtp';
import { outboxChunk, outboxEntries, outboxRaw } from '../../../src/main/services/releases/delivery-repo';
import { migrate } from '../../../src/main/services/vault/migrations';
import { startSmtpServer } from '../../support/smtp';
import { ENVELOPE, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';

/** A schema-14 vault with one release, its open transmission and a stored message of `raw` (the old one-blob form). */
function v14WithBlob(raw: Buffer): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 14)).toBe(14);
  db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'queued', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
  db.prepare(
    "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, recipient_key_fpr, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, parts_total, parts_sent) VALUES ('tx_1', 'rel_1', 't', 'records@clinic.example.test', 'Zyxwv', 'z@p.example.test', 'F', 'openpgp-pgp-mime', '[]', '<m@c>', '', '', '', 2, 0)",
  ).run();
  db.prepare(
    "INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to, raw) VALUES ('tx_1', 1, 2, '<m1@c>', 'records@clinic.example.test', '[\"z@p.example.test\"]', ?)",
  ).run(raw);
  db.prepare("INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to, raw) VALUES ('tx_1', 2, 2, '<m2@c>', 'records@clinic.example.test', '[]', X'')").run();
  return db;
}

describe('migration 15 (outbox messages as ordered chunks with size and SHA-256)', () => {
  it('cuts a message stored as one blob into 1 MiB chunks with its size and SHA-256, read back byte-identical', () => {
    const raw = randomBytes(2 * 1024 * 1024 + 123);
    const db = v14WithBlob(raw);
    expect(migrate(db)).toBeGreaterThanOrEqual(15);
    expect(db.prepare('SELECT part, seq, length(data) AS n FROM outbox_chunks ORDER BY part, seq').all()).toEqual([
      { part: 1, seq: 0, n: 1024 * 1024 },
      { part: 1, seq: 1, n: 1024 * 1024 },
      { part: 1, seq: 2, n: 123 },
    ]);
    const entries = outboxEntries(db, 'tx_1');
    expect(entries.map((e) => ({ part: e.part, size: e.sizeBytes, sha256: e.sha256, to: e.envelope.to }))).toEqual([
      { part: 1, size: raw.length, sha256: createHash('sha256').update(raw).digest('hex'), to: ['z@p.example.test'] },
      { part: 2, size: 0, sha256: createHash('sha256').update(Buffer.alloc(0)).digest('hex'), to: [] },
    ]);
    expect(outboxRaw(db, 'tx_1', 1).equals(raw)).toBe(true);
    expect(outboxChunk(db, 'tx_1', 1, 3)).toBeNull();
  });

  it('admits only complete messages (size and digest together) and chunks of a stored message', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    expect(() => db.prepare("INSERT INTO outbox_chunks (transmission_id, part, seq, data) VALUES ('tx_none', 1, 0, X'00')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO releases (id, reference, status, created_at, updated_at, patient_name, patient_dob, patient_mrn) VALUES ('rel_1', 'R-1', 'queued', 't', 't', 'Zyxwv', '1980-01-01', 'M')").run();
    db.prepare(
      "INSERT INTO transmissions (id, release_id, at, sender, recipient_name, recipient_email, recipient_key_fpr, method, documents_json, message_id, smtp_response, tls_protocol, tls_cipher, parts_total, parts_sent) VALUES ('tx_1', 'rel_1', 't', 's@c.example.test', 'Z', 'z@p.example.test', 'F', 'openpgp-pgp-mime', '[]', '<m@c>', '', '', '', 1, 0)",
    ).run();
    expect(() => db.prepare("INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to, size_bytes) VALUES ('tx_1', 1, 1, 'm', 'f', '[]', 3)").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to) VALUES ('tx_1', 1, 1, 'm', 'f', '[]')").run();
    expect(outboxEntries(db, 'tx_1')).toEqual([]); // still being written: not deliverable
  });

  it.skipIf(!requireTool('openssl'))('a message stored before the migration is delivered from its chunks byte-identical over SMTP', async () => {
    const raw = syntheticMessage(1024 * 1024 + 50_000);
    const db = v14WithBlob(raw);
    migrate(db);
    const [e] = outboxEntries(db, 'tx_1');
    const msg: ChunkedMessage = {
      sizeBytes: e!.sizeBytes,
      sha256: e!.sha256,
      chunks: function* () {
        for (let seq = 0; ; seq++) {
          const c = outboxChunk(db, 'tx_1', 1, seq);
          if (!c) return;
          yield c;
        }
      },
    };
    const srv = await startSmtpServer();
    try {
      const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, msg, { ca: [srv.caPem], timeoutMs: 10_000 });
      expect(r.response).toMatch(/^250 /);
      expect(r.messageId).toBe('<fault-1@clinic.example.test>');
      expect(srv.received).toHaveLength(1);
      expect(Buffer.compare(srv.received[0]!.raw, raw)).toBe(0);
    } finally {
      await srv.close();
    }
  }, 60_000);
});
