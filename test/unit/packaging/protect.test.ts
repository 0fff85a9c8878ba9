import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptPdfAes256 } from '../../../src/main/services/packaging/encrypt';
import { assemblePacket } from '../../../src/main/services/packaging/packet';
import { PASSPHRASE_ENTROPY_BITS, generateSpokenPassphrase } from '../../../src/main/services/packaging/passphrase';
import { signDetached, verificationInstructions } from '../../../src/main/services/packaging/sign';
import { rawLimitForMessage, splitPacket, withParts } from '../../../src/main/services/packaging/split';
import { requireTool } from '../../support/tools';
import { ASSETS, pdfText, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext', 'gpg', 'convert'].every((t) => requireTool(t));

describe('generateSpokenPassphrase', () => {
  it('gives 6 list words, at least 60 bits, different each time', () => {
    expect(PASSPHRASE_ENTROPY_BITS).toBeGreaterThan(61.7);
    expect(PASSPHRASE_ENTROPY_BITS).toBeLessThan(61.8);
    const a = generateSpokenPassphrase();
    const b = generateSpokenPassphrase();
    expect(a.words).toHaveLength(6);
    for (const w of a.words) expect(wordlist).toContain(w);
    expect(a.passphrase).toBe(a.words.join('-'));
    expect(a.passphrase).toMatch(/^[a-z]+(-[a-z]+){5}$/);
    expect(a.entropyBits).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < 200; i++) expect(generateSpokenPassphrase().passphrase.length).toBeLessThanOrEqual(32);
    expect(a.passphrase).not.toBe(b.passphrase);
  });
});

describe.skipIf(!tools)('encrypt, sign, split with the recipients\' tools', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('encrypts AES-256 R6: qpdf --check passes, pdftotext opens it only with the password', async () => {
    for (let i = 0; i < 5; i++) {
      // several random passphrases: poppler must open every one (it failed on > 32-byte R6 passwords)
      const p = generateSpokenPassphrase().passphrase;
      const e = writeTmp(t.dir, `enc${i}.pdf`, await encryptPdfAes256(await textPdf('Zyxwv secret', 1), p));
      expect(pdfText(e, 1, p)).toContain('Zyxwv secret page 1');
    }
    await expect(encryptPdfAes256(await textPdf('x', 1), 'a'.repeat(33))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const pass = generateSpokenPassphrase().passphrase;
    const enc = await encryptPdfAes256(await textPdf('Zyxwv secret', 2), pass);
    const path = writeTmp(t.dir, 'enc.pdf', enc);
    const show = run('qpdf', ['--show-encryption', `--password=${pass}`, path]);
    expect(show.stdout).toContain('R = 6');
    expect(show.stdout).toMatch(/file encryption method: AESv3/);
    expect(run('qpdf', ['--check', `--password=${pass}`, path]).status).toBe(0);
    expect(pdfText(path, 2, pass)).toContain('Zyxwv secret page 2');
    expect(run('pdftotext', [path, '-']).status).not.toBe(0);
    expect(Buffer.from(enc).toString('latin1')).not.toContain('Zyxwv secret');
  });

  it('signs detached; gpg --verify accepts the signature and rejects a changed file', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Maple Street Family Medicine', email: 'records@maple.example' }], format: 'armored' });
    const data = await textPdf('Zyxwv signed', 1);
    const sig = await signDetached(data, privateKey);
    const home = mkdtempSync(join(tmpdir(), 'rd-gnupg-'));
    try {
      const env = { ...process.env, GNUPGHOME: home };
      execFileSync('gpg', ['--batch', '--import'], { env, input: publicKey, stdio: ['pipe', 'ignore', 'ignore'] });
      const pdfPath = writeTmp(t.dir, 'signed.pdf', data);
      const sigPath = writeTmp(t.dir, 'signed.pdf.sig', sig);
      const ok = run('gpg', ['--batch', '--status-fd', '1', '--verify', sigPath, pdfPath], { env });
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('GOODSIG');
      const changed = Uint8Array.from(data);
      changed[100] = (changed[100] ?? 0) ^ 1;
      const badPath = writeTmp(t.dir, 'changed.pdf', changed);
      const bad = run('gpg', ['--batch', '--status-fd', '1', '--verify', sigPath, badPath], { env });
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toContain('BADSIG');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const text = verificationInstructions({ packetFileName: 'release-REQ-2026-0042.pdf', signatureFileName: 'release-REQ-2026-0042.pdf.sig', fingerprint: 'a'.repeat(40), practiceName: 'Maple Street Family Medicine' });
    expect(text).toContain('gpg --verify "release-REQ-2026-0042.pdf.sig" "release-REQ-2026-0042.pdf"');
    expect(text).toContain('AAAA AAAA');
  });

  it('splits a large packet into openable parts under the limit whose pages reassemble to the packet', async () => {
    // 6 pages of incompressible noise (~400 KB each) make a ~2.4 MB packet.
    const noise = Array.from({ length: 6 }, (_, i) => {
      const p = join(t.dir, `noise${i}.png`);
      run('convert', ['-size', '360x360', `xc:`, '+noise', 'Random', '-seed', String(i), p]);
      return { id: `n${i}`, bytes: new Uint8Array(execFileSync('cat', [p])), mediaType: 'image/png' };
    });
    const packet = await assemblePacket({
      practice: { name: 'Maple Street Family Medicine' }, recipient: { name: 'Zyxwv Testpatient' }, purpose: 'At the request of the individual',
      reference: 'REQ-2026-0099', releaseNumberPrefix: 'RD0099-', createdAt: new Date('2026-03-02T15:04:00Z'), timeZone: 'America/New_York',
      includePart2Notice: false, assetsRoot: ASSETS, sources: noise,
    });
    const limit = Math.ceil(packet.pdf.length / 2.5);
    const parts = await splitPacket(packet.pdf, limit, { assetsRoot: ASSETS });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const paths: string[] = [];
    for (const p of parts) {
      expect(p.pdf.length).toBeLessThanOrEqual(limit);
      const path = writeTmp(t.dir, `part${p.part}.pdf`, p.pdf);
      paths.push(path);
      expect(run('qpdf', ['--check', path]).status).toBe(0);
      expect(pdfText(path, 1)).toContain(`Part ${p.part} of ${parts.length}`);
    }
    expect(parts[0]!.firstPage).toBe(1);
    expect(parts[parts.length - 1]!.lastPage).toBe(packet.pageCount);
    const merged = join(t.dir, 'merged.pdf');
    expect(run('qpdf', ['--empty', '--pages', ...paths, '--', merged]).status).toBe(0);
    const packetPath = writeTmp(t.dir, 'big.pdf', packet.pdf);
    expect(run('qpdf', ['--show-npages', merged]).stdout.trim()).toBe(String(packet.pageCount));
    const strip = (s: string) => s.split('\n').filter((l) => !/Part \d+ of \d+/.test(l)).join(' ').replace(/\s+/g, ' ').trim();
    for (let n = 1; n <= packet.pageCount; n++) expect(strip(pdfText(merged, n))).toBe(strip(pdfText(packetPath, n)));
    const m = withParts(packet.manifest, parts);
    expect(m.parts?.map((p) => [p.firstPage, p.lastPage])).toEqual(parts.map((p) => [p.firstPage, p.lastPage]));
    const small = await splitPacket(await textPdf('Zyxwv small', 1), limit);
    expect(small).toHaveLength(1);
  });

  it('computes the raw limit for a 25 MB message after base64 growth', () => {
    const raw = rawLimitForMessage(25_000_000);
    expect(raw).toBeGreaterThan(18_000_000);
    expect(Math.ceil(raw / 3) * 4 * (78 / 76)).toBeLessThan(25_000_000);
  });
});

