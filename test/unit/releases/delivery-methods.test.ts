/**
 * Issue #4 delivery methods through the real dispatch, vault and SMTP server: the ladder per release,
 * password-protected PDF (AES-256 R6, passphrase shown once and nowhere else), TLS-only email only with the
 * individual's recorded choice, a split send where the server refuses part 2 (partly_sent, retry sends only
 * the rest), export into a folder, and the print-ready packet. Synthetic data only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { bulkyRecord } from '../../support/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';
import { UNENCRYPTED_EMAIL_WARNING_VERSION } from '../../../src/shared/compliance-text';
import { file, goodAuthorization, intake, PATIENT, prepareReadyRelease, recordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = ['qpdf', 'pdftotext', 'openssl', 'gpg'].every((t) => requireTool(t));

const work = mkdtempSync(join(tmpdir(), 'rd-delivery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


/** A right-of-access request by the patient, ready, with a release of `n` one-page records and a recipient WITHOUT a key. */
async function accessRelease(b: Backend, n = 1, make: (title: string) => Promise<Buffer> = (t) => recordPdf(t)) {
  const req = await b.call(
    'requests.create',
    intake({
      basis: 'right_of_access',
      requester: { role: 'patient', name: PATIENT.name },
      recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }],
    }),
  );
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await b.call('releases.create', { requestId: req.id });
  b.stage(await Promise.all(Array.from({ length: n }, async (_, i) => file(`${PATIENT.name} visit ${i}.pdf`, await make(`Record ${i}`)))));
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  const detail = await b.call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: 'zyxwv@patient.example.test' });
  return { req, rel, detail };
}

const pdfAttachments = async (raw: Buffer) => (await simpleParser(raw)).attachments.filter((a) => a.contentType === 'application/pdf');

function writeTmp(name: string, bytes: Buffer): string {
  const p = join(work, name);
  writeFileSync(p, bytes);
  return p;
}

/** `qpdf --show-encryption` output (exit code 0 or 3 = warnings). */
function showEncryption(path: string, password?: string): string {
  try {
    return execFileSync('qpdf', [...(password ? [`--password=${password}`] : []), '--show-encryption', path], { encoding: 'utf8' });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

/** Every file under `dir`, concatenated (the vault, its WAL, logs). */
function allBytes(dir: string): Buffer {
  const out: Buffer[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(allBytes(p));
    else out.push(readFileSync(p));
  }
  return Buffer.concat(out);
}

describe.skipIf(!HAVE)('delivery methods wired into the release workflow', () => {
  let b: Backend;
  let gpg: GpgHome;
  const exportDir = join(work, 'usb-drive');

  beforeAll(async () => {
    execFileSync('mkdir', ['-p', exportDir]);
    b = await startBackend({ withSmtp: true, exportDir });
    gpg = createGpgHome();
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    gpg?.cleanup();
  });

  it('sends a password-protected PDF: AES-256 R6 attachment that opens with the passphrase, which is shown once and found nowhere else', async () => {
    const { rel, detail } = await accessRelease(b);
    expect(detail.recipient).toMatchObject({ key: null, fingerprintConfirmed: false });
    const opts = await b.call('releases.deliveryOptions', { releaseId: rel.id });
    expect(opts.rungs.map((r) => [r.method, r.available])).toEqual([
      ['openpgp-pgp-mime', false],
      ['smime', false],
      ['password-pdf', true],
      ['tls-only-email', false],
      ['export', true],
      ['print', true],
    ]);
    expect(opts).toMatchObject({ defaultMethod: 'password-pdf', acknowledgmentId: null, messageLimitBytes: 18_000_000 });
    // Without a key there is no default: the method must be chosen.
    await expect(b.call('releases.send', { releaseId: rel.id })).rejects.toMatchObject({ code: 'RELEASE_NOT_READY' });

    const before = b.smtp!.received.length;
    const out = await b.call('releases.send', { releaseId: rel.id, method: 'password-pdf' });
    const pass = out.passphrase!;
    expect(pass).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(out.staffInstructions).toMatch(/Call the recipient/);
    expect(out.release).toMatchObject({ status: 'sent', deliveryMethod: 'password-pdf' });
    expect(out.transmission).toMatchObject({ method: 'password-pdf', partsTotal: 1, partsSent: 1, acknowledgmentId: null, recipientKeyFingerprint: '' });
    expect(out.transmission.packetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.transmission.parts).toMatchObject([{ part: 1, of: 1, status: 'sent', errorCode: null }]);

    const msgs = b.smtp!.received.slice(before);
    expect(msgs).toHaveLength(1);
    const raw = msgs[0]!.raw;
    const [pdf] = await pdfAttachments(raw);
    expect(pdf!.filename).toMatch(/^release-R-\d{4}-\d{5}\.pdf$/);
    const path = writeTmp('pw.pdf', pdf!.content);
    const enc = showEncryption(path, pass);
    expect(enc).toMatch(/R = 6/);
    expect(enc).toMatch(/AESv3/);
    expect(() => execFileSync('pdftotext', [path, '-'], { stdio: 'pipe' })).toThrow();
    const text = execFileSync('pdftotext', ['-upw', pass, path, '-'], { encoding: 'utf8' });
    expect(text).toContain('Release of Medical Records');
    expect(text).toContain('Record 0');

    // The passphrase is nowhere but in that one response.
    const needle = Buffer.from(pass);
    expect(raw.includes(needle)).toBe(false);
    expect(raw.toString('latin1')).not.toContain(PATIENT.name);
    expect(b.logText()).not.toContain(pass);
    expect(JSON.stringify(await b.call('audit.events', { limit: 1000 }))).not.toContain(pass);
    expect(JSON.stringify(await b.call('releases.get', { id: rel.id }))).not.toContain(pass);
    expect(JSON.stringify(await b.call('audit.transmissions', {}))).not.toContain(pass);
    expect(allBytes(b.dataDir).includes(needle)).toBe(false);
    const events = await b.call('audit.events', { limit: 50 });
    expect(events.find((e) => e.action === 'release.send' && e.subjectId === rel.id)).toMatchObject({ outcome: 'success', detail: { method: 'password-pdf', partsSent: 1 } });
  }, 60_000);

  it('refuses TLS-only email without the recorded choice (nothing reaches the server), sends it with one and links the acknowledgment', async () => {
    const { req, rel } = await accessRelease(b);
    const before = b.smtp!.received.length;
    await expect(b.call('releases.send', { releaseId: rel.id, method: 'tls-only-email' })).rejects.toMatchObject({ code: 'UNENCRYPTED_NOT_ACKNOWLEDGED' });
    expect(b.smtp!.received.length).toBe(before);
    expect((await b.call('releases.get', { id: rel.id })).status).toBe('draft');

    const r = await b.call('requests.recordUnencryptedEmailChoice', {
      requestId: req.id,
      warningVersion: UNENCRYPTED_EMAIL_WARNING_VERSION,
      prefersUnencrypted: true,
      chosenBy: 'patient',
      scope: 'this_release',
    });
    const ackId = r.acknowledgments.at(-1)!.id;
    const opts = await b.call('releases.deliveryOptions', { releaseId: rel.id });
    expect(opts.rungs.find((x) => x.method === 'tls-only-email')).toMatchObject({ available: true, reason: null });
    expect(opts.acknowledgmentId).toBe(ackId);

    const out = await b.call('releases.send', { releaseId: rel.id, method: 'tls-only-email' });
    expect(out.passphrase).toBeUndefined();
    expect(out.transmission).toMatchObject({ method: 'tls-only-email', acknowledgmentId: ackId, partsSent: 1 });
    const msgs = b.smtp!.received.slice(before);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.secure).toBe(true);
    const [pdf] = await pdfAttachments(msgs[0]!.raw);
    expect(showEncryption(writeTmp('tls.pdf', pdf!.content))).toMatch(/not encrypted/);
  }, 60_000);

  it('ladder: a confirmed OpenPGP key opens PGP/MIME and makes it the default; send without method stays PGP/MIME', async () => {
    const key = gpg.exportPublic(gpg.generateKey({ name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' }));
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    const { req, rel } = await prepareReadyRelease(b, key);
    await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    const opts = await b.call('releases.deliveryOptions', { releaseId: rel.id });
    // No S/MIME certificate was imported: that rung stays closed.
    expect(opts.rungs.every((r) => (r.method === 'tls-only-email' || r.method === 'smime' ? !r.available : r.available))).toBe(true);
    expect(opts.defaultMethod).toBe('openpgp-pgp-mime');
    const out = await b.call('releases.send', { releaseId: rel.id });
    expect(out.transmission).toMatchObject({ method: 'openpgp-pgp-mime', partsTotal: 1, partsSent: 1, packetSha256: null });
    expect(out.passphrase).toBeUndefined();
  }, 60_000);

  it('exports the password-protected packet into the chosen folder and records the disclosure', async () => {
    const { rel } = await accessRelease(b);
    const out = await b.call('releases.export', { releaseId: rel.id });
    expect(out.saved).toBe(true);
    const names = readdirSync(exportDir).sort();
    expect(names).toEqual(out.files.map((f) => f.name).sort());
    expect(names).toEqual(expect.arrayContaining(['README.txt', 'practice-key.asc']));
    const pdfName = names.find((n) => n.endsWith('.pdf'))!;
    expect(names).toContain(`${pdfName}.sig`);
    expect(names.join(' ')).not.toContain('Zyxwv');
    const enc = showEncryption(join(exportDir, pdfName), out.passphrase!);
    expect(enc).toMatch(/R = 6/);
    expect(execFileSync('pdftotext', ['-upw', out.passphrase!, join(exportDir, pdfName), '-'], { encoding: 'utf8' })).toContain('Record 0');
    expect(readFileSync(join(exportDir, 'README.txt'), 'utf8')).not.toContain(out.passphrase!);
    expect(out.transmission).toMatchObject({ method: 'export', partsTotal: 1, partsSent: 1 });
    expect(out.release).toMatchObject({ status: 'sent', deliveryMethod: 'export' });
    const ev = await b.call('audit.events', { limit: 20 });
    expect(ev.find((e) => e.action === 'release.export' && e.subjectId === rel.id)?.outcome).toBe('success');
    expect(JSON.stringify(ev)).not.toContain(out.passphrase!);
  }, 60_000);

  it('prepares the print-ready packet in the vault and records it as a disclosure', async () => {
    const { rel } = await accessRelease(b, 2);
    const out = await b.call('releases.printable', { releaseId: rel.id });
    expect(out.jobTitle).toMatch(/^Release R-\d{4}-\d{5}$/);
    expect(out.pageCount).toBe(4); // cover, manifest, two records
    expect(out.transmission).toMatchObject({ method: 'print', partsSent: 1 });
    const { pdf } = b.services.releases.printablePdf(out.printableId);
    const text = execFileSync('pdftotext', [writeTmp('print.pdf', pdf), '-'], { encoding: 'utf8' });
    expect(text).toContain('Record 1');
    await expect(b.call('releases.printable', { releaseId: rel.id })).rejects.toMatchObject({ code: 'RELEASE_ALREADY_SENT' });
  }, 60_000);

  it('the cover carries the authorization redisclosure notice (45 CFR 164.508(c)(2)(iii)) only on a disclosure under an authorization, never on a right-of-access copy', async () => {
    const coverOf = async (releaseId: string) => {
      const out = await b.call('releases.printable', { releaseId });
      const path = writeTmp(`cover-${releaseId}.pdf`, b.services.releases.printablePdf(out.printableId).pdf);
      return execFileSync('pdftotext', ['-f', '1', '-l', '1', path, '-'], { encoding: 'utf8' });
    };
    const access = await coverOf((await accessRelease(b)).rel.id);
    expect(access).toContain('CONFIDENTIAL');
    expect(access).not.toContain('Redisclosure notice');

    const req = await b.call('requests.create', intake({ recipients: [{ name: 'Abcde Lawfirm Intake', destination: 'intake@lawfirm.example.test' }] }));
    await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await b.call('releases.create', { requestId: req.id });
    b.stage([file(`${PATIENT.name} note.pdf`, await recordPdf('Record A'))]);
    const picked = await b.call('documents.pick', { releaseId: rel.id });
    await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
    await b.call('releases.setRecipient', { releaseId: rel.id, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
    const authorized = await coverOf(rel.id);
    expect(authorized).toContain('Redisclosure notice');
    expect(authorized).toContain('Legal claim');
  }, 60_000);

  it('settings.setDelivery changes the per-message limit, audited as a setting change', async () => {
    expect(await b.call('settings.setDelivery', { messageLimitBytes: 5_000_000 })).toEqual({ messageLimitBytes: 5_000_000 });
    expect((await b.call('settings.get', {})).delivery).toEqual({ messageLimitBytes: 5_000_000 });
    const ev = (await b.call('audit.events', { limit: 5 })).find((e) => e.action === 'settings.change');
    expect(ev?.detail).toMatchObject({ key: 'delivery.messageLimitBytes', before: 18_000_000, after: 5_000_000 });
    await expect(b.call('settings.setDelivery', { messageLimitBytes: 10 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe.skipIf(!HAVE)('split password-PDF send with a refused part', () => {
  let b: Backend;
  beforeAll(async () => {
    // The server refuses the DATA of the second message it sees (part 2 of the first attempt).
    b = await startBackend({ withSmtp: true, smtpOptions: { rejectDataAt: [1] } });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('a temporary refusal of part 2 keeps part 1 sent and queues the rest; "try again" sends only the missing parts, same passphrase', async () => {
    await b.call('settings.setDelivery', { messageLimitBytes: 80_000 });
    const { rel } = await accessRelease(b, 3, bulkyRecord);
    const first = await b.call('releases.send', { releaseId: rel.id, method: 'password-pdf' });
    const pass = first.passphrase!;
    expect(pass).toBeTruthy();
    const n = first.transmission.partsTotal;
    expect(n).toBeGreaterThanOrEqual(2);
    // 451 at DATA is temporary: the release waits in the outbox for the next automatic try.
    expect(first.release.status).toBe('queued');
    expect(first.release.queue.nextAttemptAt).not.toBeNull();
    expect(first.release.lastError?.code).toMatch(/^SMTP_/);
    expect(first.transmission.partsSent).toBe(1);
    expect(first.transmission.parts.map((p) => p.status)).toEqual(['sent', 'failed', ...Array(n - 2).fill('pending')]);
    expect(b.smtp!.received).toHaveLength(1);

    // The release can no longer change, and cannot switch method half-way.
    await expect(b.call('releases.send', { releaseId: rel.id, method: 'openpgp-pgp-mime' })).rejects.toMatchObject({ code: 'RELEASE_ALREADY_SENT' });
    await expect(b.call('releases.printable', { releaseId: rel.id })).rejects.toMatchObject({ code: 'RELEASE_ALREADY_SENT' });
    await expect(b.call('releases.withdraw', { releaseId: rel.id, how: 'withdraw' })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });

    const retry = await b.call('releases.send', { releaseId: rel.id });
    expect(retry.passphrase).toBeUndefined();
    expect(retry.release.status).toBe('sent');
    expect(retry.transmission).toMatchObject({ id: first.transmission.id, partsTotal: n, partsSent: n });
    expect(retry.transmission.parts.every((p) => p.status === 'sent')).toBe(true);
    expect(retry.transmission.parts.map((p) => p.attempts)).toEqual([1, 2, ...Array(n - 2).fill(1)]);

    // Each part reached the server exactly once, all open with the one passphrase.
    const subjects = await Promise.all(b.smtp!.received.map(async (m) => (await simpleParser(m.raw)).subject ?? ''));
    expect(subjects).toHaveLength(n);
    expect(subjects.map((s) => Number(/part (\d+) of/.exec(s)?.[1])).sort()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (const [i, m] of b.smtp!.received.entries()) {
      const [pdf] = await pdfAttachments(m.raw);
      const p = writeTmp(`part-${i}.pdf`, pdf!.content);
      expect(showEncryption(p, pass)).toMatch(/R = 6/);
      expect(m.raw.includes(Buffer.from(pass))).toBe(false);
    }
    expect(allBytes(b.dataDir).includes(Buffer.from(pass))).toBe(false);
    const ev = (await b.call('audit.events', { limit: 100 })).filter((e) => e.subjectId === rel.id);
    expect(ev.filter((e) => e.action === 'release.part_sent').map((e) => Number(e.detail.part)).sort()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(ev.filter((e) => e.action === 'release.part_failed').map((e) => [e.detail.part, e.detail.transient])).toEqual([[2, true]]);
    expect(ev.filter((e) => e.action === 'release.send').map((e) => e.outcome)).toEqual(expect.arrayContaining(['failure', 'success']));
  }, 90_000);
});
