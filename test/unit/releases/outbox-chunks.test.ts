/**
 * The outbox stores each composed message as ordered 1 MiB chunks with its size and SHA-256, streams them into the
 * SMTP DATA and checks them before the final "." — through the real dispatch, vault, SMTP server (STARTTLS) and gpg:
 * a message over several chunks arrives byte-identical to what was stored and gpg decrypts it; a chunk changed in the
 * vault ends the DATA without the final "." (OUTBOX_INTEGRITY), nothing reaches the server and the part is not handed
 * over; an accepted part's chunks are erased. Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GpgHome } from '../../support/gpg';
import { bulkyRecord } from '../../support/records';
import { requireTool } from '../../support/tools';
import { file, PATIENT, readyAccessRelease, type Backend } from '../../support/backend';
import { usePatientKeyBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg');
const DEST = 'zyxwv@patient.example.test';

describe.skipIf(!HAVE)('outbox messages stored as chunks', () => {
  let b: Backend;
  let gpg: GpgHome;
  let keyArmored = '';
  usePatientKeyBackend(DEST, (r) => {
    ({ b, gpg, recipientKey: keyArmored } = r);
  });

  const db = () => b.services.session.require().db;

  /** A right-of-access release with one ~2.9 MB record (one message of about 4 MB after encoding: several chunks). */
  async function release(): Promise<string> {
    const records = async () => [file('visit A.pdf', await bulkyRecord(`Visit A for ${PATIENT.name}`, 1700))];
    return (await readyAccessRelease(b, DEST, { records, armoredKey: keyArmored, checkPatient: true })).rel.id;
  }

  /** Keep (in this connection's temp schema) what the outbox stored: each completed message's size and SHA-256, and its chunk count. */
  function recordStored(): () => { messages: Array<{ part: number; size: number; sha256: string }>; chunks: number } {
    db().exec(`
      DROP TABLE IF EXISTS temp.kept; DROP TABLE IF EXISTS temp.kept_chunks;
      CREATE TEMP TABLE kept (part INTEGER, size INTEGER, sha256 TEXT);
      CREATE TEMP TABLE kept_chunks (part INTEGER, seq INTEGER);
      CREATE TEMP TRIGGER keep_message AFTER UPDATE OF sha256 ON main.outbox_messages WHEN NEW.sha256 IS NOT NULL
        BEGIN INSERT INTO temp.kept VALUES (NEW.part, NEW.size_bytes, NEW.sha256); END;
      CREATE TEMP TRIGGER keep_chunk AFTER INSERT ON main.outbox_chunks BEGIN INSERT INTO temp.kept_chunks VALUES (NEW.part, NEW.seq); END;
    `);
    return () => ({
      messages: db().prepare('SELECT part, size, sha256 FROM temp.kept ORDER BY part').all() as Array<{ part: number; size: number; sha256: string }>,
      chunks: (db().prepare('SELECT count(*) AS n FROM temp.kept_chunks').get() as { n: number }).n,
    });
  }
  const dropRecorders = () => db().exec('DROP TRIGGER IF EXISTS temp.keep_message; DROP TRIGGER IF EXISTS temp.keep_chunk; DROP TRIGGER IF EXISTS temp.tamper;');

  it('a message stored over several chunks is delivered byte-identical to what was stored, gpg decrypts it, and its chunks are erased', async () => {
    const id = await release();
    const stored = recordStored();
    const before = b.smtp!.received.length;
    try {
      const out = await b.call('releases.send', { releaseId: id, method: 'openpgp-pgp-mime' });
      expect(out.release.status).toBe('sent');
      const got = b.smtp!.received.slice(before);
      expect(got).toHaveLength(1);
      const kept = stored();
      expect(kept.chunks).toBeGreaterThanOrEqual(3);
      expect(kept.messages).toEqual([{ part: 1, size: got[0]!.raw.length, sha256: createHash('sha256').update(got[0]!.raw).digest('hex') }]);
      const d = gpg.decrypt(got[0]!.raw);
      expect(d.exitCode).toBe(0);
      expect(d.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
      expect(d.status).toContain('GOODMDC');
      expect(db().prepare('SELECT count(*) AS n FROM outbox_chunks WHERE transmission_id = ?').get(out.transmission.id)).toEqual({ n: 0 });
      expect(db().prepare('SELECT count(*) AS n FROM outbox_messages WHERE transmission_id = ?').get(out.transmission.id)).toEqual({ n: 0 });
    } finally {
      dropRecorders();
    }
  }, 180_000);

  it('a chunk changed in the vault ends the DATA before the final "." with OUTBOX_INTEGRITY: nothing is handed over or delivered', async () => {
    const id = await release();
    // Change the second chunk as it is stored (after its SHA-256 was taken): what a damaged vault page would give.
    db().exec(`CREATE TEMP TRIGGER tamper AFTER INSERT ON main.outbox_chunks WHEN NEW.seq = 1
      BEGIN UPDATE main.outbox_chunks SET data = zeroblob(length(NEW.data)) WHERE transmission_id = NEW.transmission_id AND part = NEW.part AND seq = 1; END;`);
    const before = b.smtp!.received.length;
    try {
      const out = await b.call('releases.send', { releaseId: id, method: 'openpgp-pgp-mime' });
      expect(out.release.status).toBe('failed');
      expect(out.release.lastError?.code).toBe('OUTBOX_INTEGRITY');
      expect(b.smtp!.received.length).toBe(before);
      const part = db().prepare('SELECT status, error_code, handed_over_at FROM transmission_parts WHERE transmission_id = ?').get(out.transmission.id);
      expect(part).toEqual({ status: 'failed', error_code: 'OUTBOX_INTEGRITY', handed_over_at: null });
      const attempt = db().prepare('SELECT outcome, error_code, transient FROM transmission_attempts WHERE transmission_id = ?').get(out.transmission.id);
      expect(attempt).toEqual({ outcome: 'failed', error_code: 'OUTBOX_INTEGRITY', transient: 0 });
    } finally {
      dropRecorders();
    }
  }, 180_000);
});
