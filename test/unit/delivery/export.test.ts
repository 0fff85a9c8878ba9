import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPacket, printablePacket } from '../../../src/main/services/delivery/export';
import { preparePacketFiles } from '../../../src/main/services/delivery/packet-files';
import type { AssembledPacket } from '../../../src/main/services/packaging/packet';
import { generateSpokenPassphrase } from '../../../src/main/services/packaging/passphrase';
import { requireTool } from '../../support/tools';
import { ASSETS, PHI_MARKERS, PRACTICE, gpgVerify, makePacket, makePractice, pageCount, pdfText, run, tempDir, writeTmp, type Practice } from './packet-fixtures';

const tools = ['qpdf', 'pdftotext', 'gpg'].every((t) => requireTool(t));

describe.skipIf(!tools)('export to a folder and printing', () => {
  const t = tempDir('rd-export-');
  let practice: Practice;
  let packet: AssembledPacket;
  beforeAll(async () => {
    practice = await makePractice();
    packet = await makePacket(3);
  });
  afterAll(() => {
    practice?.gpg.cleanup();
    t.cleanup();
  });

  const prepare = (passphrase: string | null) =>
    preparePacketFiles({
      reference: 'R-2026-00001',
      packetPdf: packet.pdf,
      manifest: packet.manifest,
      practiceSigningKeyArmored: practice.key.armoredPrivate,
      passphrase,
      limitBytes: Infinity,
      assetsRoot: ASSETS,
    });

  it('writes the encrypted packet, signatures, manifest, key and README into an empty folder', async () => {
    const pass = generateSpokenPassphrase().passphrase;
    const dir = join(t.dir, 'usb');
    mkdirSync(dir);
    writeFileSync(join(dir, '.DS_Store'), 'x'); // operating-system entries do not count as content
    const res = await exportPacket(dir, await prepare(pass), { practiceName: PRACTICE.name });
    const expected = [
      'README.txt',
      'practice-key.asc',
      'release-R-2026-00001-manifest.json',
      'release-R-2026-00001-manifest.json.sig',
      'release-R-2026-00001.pdf',
      'release-R-2026-00001.pdf.sig',
    ];
    expect(res.files.map((f) => f.name).sort()).toEqual(expected);
    expect(readdirSync(dir).filter((n) => n !== '.DS_Store').sort()).toEqual(expected);
    for (const n of readdirSync(dir)) for (const w of PHI_MARKERS) expect(n).not.toContain(w.split(' ')[0]);

    const pdf = join(dir, 'release-R-2026-00001.pdf');
    expect(run('qpdf', ['--show-encryption', `--password=${pass}`, pdf]).stdout).toContain('R = 6');
    expect(pdfText(pdf).status).not.toBe(0);
    expect(pdfText(pdf, { password: pass }).text).toContain(PHI_MARKERS[0]);
    expect(pageCount(pdf, pass)).toBe(packet.pageCount);
    expect(gpgVerify(practice.gpg, `${pdf}.sig`, pdf).stdout).toContain('GOODSIG');

    const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
    expect(readme).toContain('locked with a passphrase');
    expect(readme).toContain('gpg --verify "release-R-2026-00001.pdf.sig" "release-R-2026-00001.pdf"');
    expect(readme).not.toContain(pass);
    for (const w of PHI_MARKERS) expect(readme).not.toContain(w);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).toString('latin1')).not.toContain(pass);
  });

  it('the README of an exported folder speaks of the files in this folder, never of attachments or “this email”', async () => {
    const dir = join(t.dir, 'usb-readme');
    mkdirSync(dir);
    await exportPacket(dir, await prepare(generateSpokenPassphrase().passphrase), { practiceName: PRACTICE.name });
    const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
    expect(readme).toContain('Keep both files, "release-R-2026-00001.pdf" and "release-R-2026-00001.pdf.sig", together in one folder');
    expect(readme).toContain('not with one written in this folder');
    expect(readme).toContain('The practice\'s public key is in this folder as "practice-key.asc".');
    expect(readme).not.toMatch(/attachment|attached|this email/i);
  });

  it('refuses a non-empty, missing or non-folder location and an unencrypted packet (EXPORT_FAILED), leaving nothing behind', async () => {
    const prepared = await prepare(generateSpokenPassphrase().passphrase);
    const full = join(t.dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'vacation.jpg'), 'x');
    await expect(exportPacket(full, prepared, { practiceName: PRACTICE.name })).rejects.toMatchObject({ code: 'EXPORT_FAILED', message: expect.stringMatching(/not empty/) });
    expect(readdirSync(full)).toEqual(['vacation.jpg']);
    await expect(exportPacket(join(t.dir, 'missing'), prepared, { practiceName: PRACTICE.name })).rejects.toMatchObject({ code: 'EXPORT_FAILED' });
    const file = writeTmp(t.dir, 'a-file', new Uint8Array([1]));
    await expect(exportPacket(file, prepared, { practiceName: PRACTICE.name })).rejects.toMatchObject({ code: 'EXPORT_FAILED', message: expect.stringMatching(/not a folder/) });
    const empty = join(t.dir, 'empty');
    mkdirSync(empty);
    await expect(exportPacket(empty, await prepare(null), { practiceName: PRACTICE.name })).rejects.toMatchObject({ code: 'EXPORT_FAILED', message: expect.stringMatching(/password-protected/) });
    expect(readdirSync(empty)).toEqual([]);
  });

  it('printablePacket: same pages, PHI-free title for the print queue, no scaling; refuses a packet that does not match its manifest', async () => {
    const p = await printablePacket({ packetPdf: packet.pdf, manifest: packet.manifest, reference: 'R-2026-00001' });
    expect(p.pageCount).toBe(packet.pageCount);
    expect(p.jobTitle).toBe('Release R-2026-00001');
    const doc = await PDFDocument.load(p.pdf);
    expect(doc.getTitle()).toBe('Release R-2026-00001');
    expect(doc.catalog.getViewerPreferences()?.getPrintScaling()).toBe('None');
    const path = writeTmp(t.dir, 'print.pdf', p.pdf);
    expect(pdfText(path, { page: 3 }).text).toContain('Record page 1 of 3');
    expect(run('qpdf', ['--check', path]).status).toBe(0);
    const changed = Uint8Array.from(packet.pdf);
    changed[changed.length - 10] = (changed[changed.length - 10] ?? 0) ^ 1;
    await expect(printablePacket({ packetPdf: changed, manifest: packet.manifest, reference: 'R-2026-00001' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
