/**
 * A PGP/MIME release over the per-message limit is composed and stored one message at a time (memory bounded by one
 * message, not the release), through the real dispatch, vault, SMTP server and gpg: every message decrypts and
 * verifies; a preparation that fails half-way leaves only a closed transmission record (no parts, no stored bytes,
 * the release still a draft); bytes a stopped preparation left behind are removed at the next unlock; the release
 * then goes out once. Synthetic data only.
 */
import { describe, expect, it } from 'vitest';
import type { GpgHome } from '../../support/gpg';
import { bulkyRecord } from '../../support/records';
import { requireTool } from '../../support/tools';
import { file, PASSPHRASE, PATIENT, readyAccessRelease, type Backend } from '../../support/backend';
import { usePatientKeyBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg');
const DEST = 'zyxwv@patient.example.test';

describe.skipIf(!HAVE)('a PGP/MIME release stored one message at a time', () => {
  let b: Backend;
  let gpg: GpgHome;
  let keyArmored = '';
  usePatientKeyBackend(DEST, (r) => {
    ({ b, gpg, recipientKey: keyArmored } = r);
  });

  /** A right-of-access release to the patient with three ~36 KB records (one per message under a 60 KB limit). */
  async function release(): Promise<{ id: string; docIds: string[] }> {
    const records = () => Promise.all(['A', 'B', 'C'].map(async (t) => file(`visit ${t}.pdf`, await bulkyRecord(`Visit ${t} for ${PATIENT.name}`))));
    const r = await readyAccessRelease(b, DEST, { records, armoredKey: keyArmored, checkPatient: true });
    return { id: r.rel.id, docIds: r.documentIds };
  }

  const db = () => b.services.session.require().db;
  const storedCount = (transmissionId: string) => (db().prepare('SELECT count(*) AS n FROM outbox_messages WHERE transmission_id = ?').get(transmissionId) as { n: number }).n;

  it('sends three messages, each decrypted by gpg with a good signature, every record once', async () => {
    await b.call('settings.setDelivery', { messageLimitBytes: 60_000 });
    const { id } = await release();
    const before = b.smtp!.received.length;
    const out = await b.call('releases.send', { releaseId: id, method: 'openpgp-pgp-mime' });
    expect(out.release.status).toBe('sent');
    expect(out.transmission).toMatchObject({ partsTotal: 3, partsSent: 3, closedReason: null });
    const got = b.smtp!.received.slice(before);
    expect(got).toHaveLength(3);
    for (const m of got) {
      const d = gpg.decrypt(m.raw);
      expect(d.exitCode).toBe(0);
      expect(d.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
      expect(d.status).toContain('GOODMDC');
    }
    const names = got.map((m) => gpg.decrypt(m.raw).stdout.toString('latin1').match(/filename="?(record-\d\.pdf)/g)?.join(',')).join(';');
    expect(names).toMatch(/record-1\.pdf.*;.*record-2\.pdf.*;.*record-3\.pdf/);
  }, 120_000);

  it('a preparation that fails at the second message keeps only a closed record; stopped leftovers go at unlock; then it sends once', async () => {
    await b.call('settings.setDelivery', { messageLimitBytes: 60_000 });
    const { id, docIds } = await release();
    // Damage the second record in the vault: reading it for message 2 fails its integrity check.
    const chunk = db().prepare('SELECT data FROM document_chunks WHERE document_id = ? AND seq = 0').get(docIds[1]) as { data: Buffer };
    const damaged = Buffer.from(chunk.data);
    damaged[100] = damaged[100]! ^ 0xff;
    db().prepare('UPDATE document_chunks SET data = ? WHERE document_id = ? AND seq = 0').run(damaged, docIds[1]);
    const before = b.smtp!.received.length;
    await expect(b.call('releases.send', { releaseId: id, method: 'openpgp-pgp-mime' })).rejects.toBeTruthy();
    expect(b.smtp!.received.length).toBe(before);
    const detail = await b.call('releases.get', { id });
    expect(detail.status).toBe('draft');
    expect(detail.transmissions).toHaveLength(1);
    const staged = detail.transmissions[0]!;
    expect(staged).toMatchObject({ closedReason: 'superseded', parts: [] });
    expect(storedCount(staged.id)).toBe(0);

    // What a process stopped mid-preparation leaves: a stored message under the closed record. Unlock removes it.
    // (A message whose chunks were being written: its row without size and digest, one chunk.)
    db()
      .prepare("INSERT INTO outbox_messages (transmission_id, part, part_of, message_id, envelope_from, envelope_to) VALUES (?, 1, 3, '<left@clinic.example.test>', 'records@clinic.example.test', '[]')")
      .run(staged.id);
    db().prepare("INSERT INTO outbox_chunks (transmission_id, part, seq, data) VALUES (?, 1, 0, X'00')").run(staged.id);
    b.services.session.lock();
    await b.services.vault.unlock(PASSPHRASE);
    expect(storedCount(staged.id)).toBe(0);
    expect(db().prepare('SELECT count(*) AS n FROM outbox_chunks WHERE transmission_id = ?').get(staged.id)).toEqual({ n: 0 });

    db().prepare('UPDATE document_chunks SET data = ? WHERE document_id = ? AND seq = 0').run(chunk.data, docIds[1]);
    const out = await b.call('releases.send', { releaseId: id, method: 'openpgp-pgp-mime' });
    expect(out.release.status).toBe('sent');
    expect(out.transmission.partsSent).toBe(3);
    expect(b.smtp!.received.length).toBe(before + 3);
    expect(out.release.transmissions.map((t) => t.closedReason).sort()).toEqual([null, 'superseded']);
  }, 120_000);
});
