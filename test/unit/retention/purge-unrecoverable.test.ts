/**
 * The retention purge against the bytes on disk (issue 13, Done when): two releases are really sent (password PDF over
 * the real SMTP server with STARTTLS); 30 days after completion, in America/Chicago, the purge removes the expired
 * record file so its marker bytes are in neither the vault file nor its WAL — searched in copies decrypted page by page
 * with the raw key, free pages included (test/support/sqlcipher-pages.ts) — while the record file under a legal hold,
 * the signed authorization (documentation inside its six years) and the audit log stay. The purge's audit event names
 * kinds and counts only. A second test puts the documentation boundary (six years from the last effective date) on a
 * fixed clock: kept at 23:59 the day before, purged at 00:00 on the day, practice time.
 * Synthetic data only.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyring, unwrapVaultKey } from '../../../src/main/services/vault/keyring';
import { KDF_FILE, VAULT_FILE } from '../../../src/main/services/vault/vault';
import { decryptDatabaseFile, decryptWalFile } from '../../support/sqlcipher-pages';
import { requireTool } from '../../support/tools';
import { file, goodAuthorization, intake, PASSPHRASE, startBackend, TZ, type Backend } from '../../support/backend';

const HAVE = ['openssl', 'qpdf'].every((t) => requireTool(t));

let b: Backend | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

/**
 * A one-page PDF whose page carries `marker` in an uncompressed content stream (a PDF comment), so the marker stays
 * readable bytes through the import's normalising re-save (which compresses objects but keeps streams as they are).
 */
async function markedPdf(marker: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText('Synthetic record', { x: 72, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  page.node.addContentStream(doc.context.register(doc.context.stream(`% ${marker}\n`)));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The vault file and its WAL as they are on disk now, copied, then decrypted page by page (never through SQLite). */
async function decryptedCopy(backend: Backend): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-rawcopy-'));
  try {
    for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`]) if (existsSync(join(backend.dataDir, f))) copyFileSync(join(backend.dataDir, f), join(dir, f));
    // Staff accounts (issue #11): the passphrase unwraps the vault key from the keyring in vault.kdf.json.
    const ring = Keyring.parse(JSON.parse(readFileSync(join(backend.dataDir, KDF_FILE), 'utf8')));
    const key = (await unwrapVaultKey(ring.users[0]!, PASSPHRASE))!;
    const wal = existsSync(join(dir, `${VAULT_FILE}-wal`)) ? readFileSync(join(dir, `${VAULT_FILE}-wal`)) : Buffer.alloc(0);
    return Buffer.concat([decryptDatabaseFile(readFileSync(join(dir, VAULT_FILE)), key), decryptWalFile(wal, key)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A third-party request under a valid authorization whose signed form carries `docMarker` (documentation), and a
 * release of one record file carrying `recordMarker`, sent now as a password PDF over the real SMTP server.
 */
async function sentRelease(backend: Backend, patient: { name: string; dateOfBirth: string; mrn: string }, recordMarker: string, docMarker: string) {
  if (backend.clock.now().getTime() < Date.now()) backend.clock.set(new Date().toISOString());
  const req = await backend.call('requests.create', intake({ patient }));
  const auth = await backend.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
  backend.stage([file('signed authorization.pdf', await markedPdf(docMarker))]);
  await backend.call('authorizations.attachSignedForm', { authorizationId: auth.id });
  await backend.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await backend.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await backend.call('releases.create', { requestId: req.id });
  backend.stage([file('visit.pdf', await markedPdf(recordMarker))]);
  const picked = await backend.call('documents.pick', { releaseId: rel.id });
  await backend.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  await backend.call('releases.setRecipient', { releaseId: rel.id, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
  const out = await backend.call('releases.send', { releaseId: rel.id, method: 'password-pdf' });
  expect(out.release.status).toBe('sent');
  return { req, rel };
}

describe.skipIf(!HAVE)('retention purge on disk', () => {
  it('an expired record file’s marker bytes are gone from the raw vault file; a held record file, documentation inside six years and the audit log remain; the audit names kinds and counts only', async () => {
    b = await startBackend({ withSmtp: true });
    const expired = { marker: 'RD-MARKER-EXPIRED-RECORD-5b1f0c', doc: 'RD-MARKER-SIGNED-AUTHORIZATION-77a2e4' };
    const held = { marker: 'RD-MARKER-HELD-RECORD-c93d18', doc: 'RD-MARKER-HELD-AUTHORIZATION-0e6b2a' };
    const a = await sentRelease(b, { name: 'Zyxwv Expiredpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-EXP-1' }, expired.marker, expired.doc);
    await sentRelease(b, { name: 'Zyxwv Heldpatient', dateOfBirth: '1970-02-03', mrn: 'MRN-HOLD-2' }, held.marker, held.doc);
    expect((await b.call('requests.get', { id: a.req.id })).status).toBe('sent'); // closed: its documentation is kept only by the six years
    await b.call('retention.placeHold', { scope: 'patient', mrn: 'MRN-HOLD-2', reason: 'Litigation Zyxwv v. Clinic' });
    await b.call('retention.setPolicy', { documentationYears: 6, recordFileDays: 30, auditYears: 6, backupReminderDays: 7 });

    // Completion day in the practice's zone; record files expire 30 calendar days later at 00:00 Chicago time.
    const db = b.services.session.require().db;
    const completedAt = (db.prepare('SELECT updated_at FROM releases WHERE id = ?').get(a.rel.id) as { updated_at: string }).updated_at;
    const expiry = DateTime.fromISO(completedAt).setZone(TZ).startOf('day').plus({ days: 30 });
    b.clock.set(expiry.minus({ minutes: 1 }).toUTC().toISO()!);
    expect(await b.call('retention.purge', {})).toMatchObject({ recordFiles: 0, outboxMessages: 0, documentation: 0, heldBack: 0 });

    // Positive control: before the purge every marker is found in the decrypted copy.
    const before = await decryptedCopy(b);
    for (const m of [expired.marker, expired.doc, held.marker, held.doc]) expect(before.includes(Buffer.from(m)), `${m} before`).toBe(true);
    const auditBefore = (db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n;

    b.clock.set(expiry.toUTC().toISO()!);
    const r = await b.call('retention.purge', {});
    expect(r).toMatchObject({ recordFiles: 1, documentation: 0 });
    expect(r.heldBack).toBe(1); // the held patient's record file

    const after = await decryptedCopy(b);
    expect(after.includes(Buffer.from(expired.marker)), 'expired record file still on disk').toBe(false);
    expect(after.includes(Buffer.from(held.marker)), 'held record file').toBe(true);
    expect(after.includes(Buffer.from(expired.doc)), 'documentation inside six years').toBe(true);
    expect(after.includes(Buffer.from(held.doc))).toBe(true);

    // The audit log remains, whole: every earlier event, plus the purge, and the chain verifies.
    expect((db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n).toBe(auditBefore + 1);
    expect((await b.call('audit.verifyChain', {})).intact).toBe(true);
    // The rows stay as the record of what existed; only the content is gone.
    const rows = db.prepare("SELECT purged_at FROM documents WHERE release_id = ? AND kind = 'record'").all(a.rel.id) as Array<{ purged_at: string | null }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.purged_at).not.toBeNull();
    expect((await b.call('releases.get', { id: a.rel.id })).transmissions).toHaveLength(1);

    // The purge's audit event: kinds, counts, bytes, trigger — no names, MRNs, references or the hold's reason.
    const ev = (await b.call('audit.events', { limit: 5 })).find((e) => e.action === 'retention.purge' && e.detail.recordFiles === 1)!;
    expect(Object.keys(ev.detail).sort()).toEqual(['bytes', 'documentation', 'heldBack', 'outboxMessages', 'packets', 'policySet', 'recordFiles', 'trigger']);
    for (const [k, v] of Object.entries(ev.detail)) expect(typeof v === 'number' || typeof v === 'boolean' || k === 'trigger', k).toBe(true);
    expect(ev.detail.trigger).toBe('staff');
    expect(JSON.stringify(ev)).not.toMatch(/Zyxwv|MRN-|Litigation|Q-\d{4}|R-\d{4}|visit\.pdf/);
    expect(b.logText()).not.toMatch(/Zyxwv|MRN-|Litigation/);
  }, 120_000);
});

describe('documentation retention boundary', () => {
  it('keeps documentation until six years after its last effective day and purges it on that day (America/Chicago, fixed clock)', async () => {
    b = await startBackend();
    b.clock.set('2020-03-10T16:00:00Z'); // 11:00 Chicago (CDT from March 8, 2020)
    const req = await b.call('requests.create', intake({ receivedAt: '2020-03-10T15:00:00Z' }));
    const auth = await b.call('authorizations.save', {
      requestId: req.id,
      authorization: { ...goodAuthorization(), expiration: { date: '2020-06-30' }, signature: { signed: true, date: '2020-03-01', signerRole: 'patient' as const } },
    });
    b.stage([file('signed.pdf', await markedPdf('RD-MARKER-DOC-BOUNDARY'))]);
    await b.call('authorizations.attachSignedForm', { authorizationId: auth.id });
    await b.call('requests.withdraw', { requestId: req.id, note: '' }); // closed on 2020-03-10; the authorization was in effect until 2020-06-30
    await b.call('retention.setPolicy', { documentationYears: 6, recordFileDays: null, auditYears: 6, backupReminderDays: 7 });

    // Six years from the later of creation (2020-03-10) and last effect (2020-06-30): 2026-06-30, in Chicago (CDT, UTC-5).
    b.clock.set('2026-03-10T17:00:00Z'); // six years after creation only: kept (the last effective day counts)
    expect((await b.call('retention.purge', {})).documentation).toBe(0);
    b.clock.set('2026-06-30T04:59:00Z'); // 23:59 on 2026-06-29 in Chicago: the day before
    expect((await b.call('retention.purge', {})).documentation).toBe(0);
    b.clock.set('2026-06-30T05:00:00Z'); // 00:00 on 2026-06-30 in Chicago: the day of expiry
    const r = await b.call('retention.purge', {});
    expect(r.documentation).toBe(1);
    expect(r.recordFiles).toBe(0); // the policy keeps record files
    const after = await decryptedCopy(b);
    expect(after.includes(Buffer.from('RD-MARKER-DOC-BOUNDARY'))).toBe(false);
    expect((await b.call('audit.verifyChain', {})).intact).toBe(true);
  }, 60_000);
});
