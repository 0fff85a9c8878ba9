/**
 * After a bounce: the PHI-free delivery-failure notice (a letter in the language recorded at intake, English or
 * Spanish; checked on the PDF bytes and its text with poppler) and delivering the bounced release again by password
 * PDF to a corrected address — a new transmission, the bounced one kept as it was (its part bounced, closed as
 * superseded), the request's due date unchanged. Real vault, SMTP test server, pdftotext. Synthetic data only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryStatusReport } from '../../support/bounce-messages';
import { requireTool } from '../../support/tools';
import { PATIENT, sendAccessReleaseByPasswordPdf, startBackend, type Backend } from '../../support/backend';

const HAVE = ['openssl', 'qpdf', 'pdftotext'].every((t) => requireTool(t));
const DEST = 'zyxwv@patient.example.test';
const FIXED = 'zyxwv.new@patient.example.test';

function dsnFor(envid: string): Buffer {
  return deliveryStatusReport({ envid, rcpt: DEST, boundary: 'BND', text: { lines: ['Not delivered.'] } });
}

async function bouncedRelease(b: Backend, preferredLanguage?: 'en' | 'es') {
  const { req, rel, sent } = await sendAccessReleaseByPasswordPdf(b, DEST, preferredLanguage ? { preferredLanguage } : {});
  expect((await b.services.bounces.applyRaw(dsnFor(`${sent.release.reference}.1`), 'test')).outcome).toBe('bounced');
  return { requestId: req.id, releaseId: rel.id, reference: sent.release.reference };
}

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-notice-'));
  try {
    writeFileSync(join(dir, 'n.pdf'), pdf);
    if (process.env.RD_NOTICE_PNG) execFileSync('pdftoppm', ['-png', '-r', '60', join(dir, 'n.pdf'), process.env.RD_NOTICE_PNG + (pdf.length % 2 ? '-a' : '-b')]);
    return execFileSync('pdftotext', [join(dir, 'n.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PHI = [PATIENT.name, 'Zyxwv', 'Testpatient', PATIENT.dateOfBirth, '07/14/1961', 'July 14, 1961', PATIENT.mrn, DEST];

describe.skipIf(!HAVE)('after a bounce', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend({ withSmtp: true });
  }, 60_000);
  afterAll(async () => b?.close());

  it('makes a PHI-free notice in Spanish when the patient asked for Spanish at intake, kept in the vault and audited', async () => {
    const r = await bouncedRelease(b, 'es');
    const req = await b.call('requests.get', { id: r.requestId });
    expect(req.request.preferredLanguage).toBe('es');
    const n = await b.call('releases.failureNotice', { releaseId: r.releaseId });
    expect(n).toMatchObject({ language: 'es', pageCount: 1, saved: true });
    const saved = b.saved.at(-1)!;
    expect(saved.name).toBe(`delivery-notice-${r.reference}.pdf`);
    const text = pdfText(saved.bytes);
    expect(text).toContain('No pudimos entregar sus expedientes');
    expect(text).toContain(r.reference);
    expect(text).toMatch(/a más tardar el \d{1,2} de \p{L}+ de \d{4}/u);
    for (const phi of PHI) {
      expect(saved.bytes.includes(Buffer.from(phi))).toBe(false);
      expect(text).not.toContain(phi);
    }
    const ev = (await b.call('audit.events', {})).find((e) => e.action === 'release.failure_notice' && e.subjectId === r.releaseId);
    expect(ev?.detail).toMatchObject({ language: 'es', pageCount: 1 });
  });

  it('writes the notice in English by default, with the request due date, and refuses one for a release that did not fail', async () => {
    const r = await bouncedRelease(b);
    const due = (await b.call('requests.get', { id: r.requestId })).dueDate!;
    await b.call('releases.failureNotice', { releaseId: r.releaseId });
    const text = pdfText(b.saved.at(-1)!.bytes);
    expect(text).toContain('We could not deliver your records by email');
    const long = new Date(`${due}T12:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric', year: 'numeric' });
    expect(text).toContain(`complete your request by ${long}`);
    for (const phi of PHI) expect(text).not.toContain(phi);

    const draft = await b.call('releases.create', { requestId: r.requestId });
    await expect(b.call('releases.failureNotice', { releaseId: draft.id })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
  });

  it('delivers a bounced release again by password PDF to a corrected address: a new transmission, the bounced one kept, the clock unchanged', async () => {
    const r = await bouncedRelease(b);
    const due = (await b.call('requests.get', { id: r.requestId })).dueDate;
    // The bounce opened the request again (failed): a new delivery may be made; staff confirmed the new address with the patient.
    expect((await b.call('requests.get', { id: r.requestId })).status).toBe('failed');
    await b.call('releases.setRecipient', { releaseId: r.releaseId, name: PATIENT.name, email: FIXED, addressConfirmed: true });
    const before = b.smtp!.received.length;
    const again = await b.call('releases.send', { releaseId: r.releaseId, method: 'password-pdf' });
    expect(again.release.status).toBe('sent');
    expect(again.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(b.smtp!.received.length).toBe(before + 1);
    expect(b.smtp!.received.at(-1)!.rcptTo).toEqual([FIXED]);

    const d = await b.call('releases.get', { id: r.releaseId });
    expect(d.transmissions).toHaveLength(2);
    const old = d.transmissions.find((t) => t.id !== again.transmission.id)!;
    expect(old.parts.map((p) => p.status)).toEqual(['bounced']);
    expect(old.closedReason).toBe('superseded');
    expect(again.transmission.parts.map((p) => p.status)).toEqual(['sent']);
    const after = await b.call('requests.get', { id: r.requestId });
    expect(after.dueDate).toBe(due);
    expect(after.status).toBe('sent');
  });
});
