/**
 * The packaging worker thread (worker-client.ts + packaging-worker.ts), run from source through tsx:
 * what it makes is checked with the real oracles (qpdf --check / --show-encryption, pdftotext -upw,
 * pdftoppm renders), its failures come back coded and PHI-free, and a cancelled job stops the thread.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/shared/errors';
import { createPackagingJobs } from '../../../src/main/services/packaging/jobs';
import type { AssemblePacketInput, PackagingProgress } from '../../../src/main/services/packaging/packet';
import { PackagingWorker, sourceWorkerEntry } from '../../../src/main/services/packaging/worker-client';
import { UPLOAD_MIN_BYTES } from '../../../src/main/services/packaging/worker-protocol';
import { requireTool } from '../../support/tools';
import { ASSETS, run, tempDir, textPdf, writeTmp } from './fixtures';

const tools = ['qpdf', 'pdftotext', 'pdftoppm'].every((t) => requireTool(t));
const PASS = 'maple-river-stone-cloud-lamp';
const PATIENT = 'Zyxwv Testpatient';

function input(sources: AssemblePacketInput['sources'], onProgress?: (p: PackagingProgress) => void): AssemblePacketInput {
  return {
    practice: { name: 'Maple Street Family Medicine' },
    recipient: { name: PATIENT },
    purpose: 'At the request of the individual',
    reference: 'REQ-2026-0099',
    releaseNumberPrefix: 'W-',
    createdAt: new Date('2026-03-02T15:00:00Z'),
    timeZone: 'America/Chicago',
    sources,
    includePart2Notice: false,
    assetsRoot: ASSETS,
    ...(onProgress ? { onProgress } : {}),
  };
}

/** The files in the temp directory: a failed job must leave nothing behind. */
const filesIn = (dir: string) => readdirSync(dir).sort();

describe.skipIf(!tools)('packaging worker thread', () => {
  const t = tempDir();
  let worker: PackagingWorker;
  beforeAll(() => {
    worker = new PackagingWorker(sourceWorkerEntry());
  });
  afterAll(async () => {
    await worker.close();
    t.cleanup();
  });

  it('assembles a packet off the main thread (progress reported) and password-protects it: qpdf R6/AESv3, pdftotext -upw, pdftoppm pixels identical to the plain packet', async () => {
    const phases = new Set<string>();
    const big = await textPdf(`${PATIENT} chart`, 40); // with the other source, over the upload threshold once padded below
    const sources = [
      { id: 'a', bytes: await textPdf(`${PATIENT} note`, 3), mediaType: 'application/pdf' },
      { id: 'b', bytes: Buffer.concat([Buffer.from(big), Buffer.alloc(Math.max(0, UPLOAD_MIN_BYTES + 10 - big.length), 0x0a)]), mediaType: 'application/pdf' },
    ];
    const sourceDigests = sources.map((x) => createHash('sha256').update(x.bytes).digest('hex'));
    const packet = await worker.assemblePacket(input(sources, (p) => phases.add(p.phase)));
    // The caller's bytes are copied to the worker, never taken away (transferred) or changed.
    expect(sources.map((x) => createHash('sha256').update(x.bytes).digest('hex'))).toEqual(sourceDigests);
    expect(worker.threadId).not.toBeNull();
    expect(phases).toContain('normalize');
    expect(phases).toContain('stamp');
    expect(packet.pageCount).toBe(1 + 1 + 3 + 40);
    expect(createHash('sha256').update(packet.pdf).digest('hex')).toBe(packet.manifest.packetSha256);
    const plainPath = writeTmp(t.dir, 'plain.pdf', packet.pdf);

    // Encrypted from the document the worker still holds (same bytes, so no parse).
    const enc = await worker.encryptPdfAes256(packet.pdf, PASS);
    const encPath = writeTmp(t.dir, 'enc.pdf', enc);
    expect(run('qpdf', ['--check', `--password=${PASS}`, encPath]).status).toBe(0);
    const show = run('qpdf', ['--show-encryption', `--password=${PASS}`, encPath]).stdout;
    expect(show).toContain('R = 6');
    expect(show).toMatch(/stream encryption method: AESv3/);
    expect(show).toMatch(/string encryption method: AESv3/);
    expect(run('pdftotext', [encPath, '-']).status).not.toBe(0);
    const text = run('pdftotext', ['-upw', PASS, encPath, '-']).stdout;
    expect(text).toContain(`${PATIENT} chart page 40`);
    expect(text).toContain('W-000045');
    for (const page of ['1', '4', '45']) {
      const render = (path: string, pw?: string) => run('pdftoppm', ['-r', '40', '-f', page, '-l', page, '-gray', ...(pw ? ['-upw', pw] : []), path, join(t.dir, `r-${page}`)]).status === 0 && readFileSync(join(t.dir, `r-${page}-${page.padStart(2, '0')}.pgm`));
      const a = render(plainPath);
      const b = render(encPath, PASS);
      expect(a && b && Buffer.compare(a, b)).toBe(0);
    }
  });

  it('encrypts bytes it did not assemble by parsing them (the same oracles hold)', async () => {
    const src = await textPdf(`${PATIENT} letter`, 2);
    const enc = await worker.encryptPdfAes256(src, PASS);
    const path = writeTmp(t.dir, 'other.pdf', enc);
    expect(run('qpdf', ['--check', `--password=${PASS}`, path]).status).toBe(0);
    expect(run('pdftotext', ['-upw', PASS, path, '-']).stdout).toContain(`${PATIENT} letter page 2`);
  });

  it('a corrupt record PDF fails inside the worker with a coded, PHI-free error, returns nothing, and the worker takes the next job', async () => {
    const before = filesIn(t.dir);
    const good = await textPdf(`${PATIENT} good`, 1);
    const corrupt = Buffer.concat([Buffer.from(`%PDF-1.7\n1 0 obj << /Title (${PATIENT}) >> stream\n`), Buffer.alloc(2000, 0xff)]);
    const err = await worker
      .assemblePacket(input([{ id: 'good', bytes: good, mediaType: 'application/pdf' }, { id: 'bad', bytes: corrupt, mediaType: 'application/pdf' }]))
      .then(() => null, (e: unknown) => e);
    expect(isAppError(err)).toBe(true);
    const e = err as { code: string; message: string; detail?: Record<string, unknown> };
    expect(e.code).toMatch(/^PDF_|^FILE_|^PACKAGING_FAILED$/);
    expect(`${e.message} ${JSON.stringify(e.detail ?? {})}`).not.toContain('Zyxwv');
    expect(filesIn(t.dir)).toEqual(before); // nothing half-written
    const ok = await worker.assemblePacket(input([{ id: 'good', bytes: good, mediaType: 'application/pdf' }]));
    expect(ok.pageCount).toBe(3);
  });

  it('an invalid password is refused with VALIDATION_FAILED from the worker; bytes that are no PDF give PDF_ENCRYPTION_FAILED', async () => {
    const src = await textPdf('x', 1);
    await expect(worker.encryptPdfAes256(src, '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(worker.encryptPdfAes256(Buffer.from(`not a pdf, ${PATIENT}`), PASS)).rejects.toMatchObject({ code: 'PDF_ENCRYPTION_FAILED' });
  });

  it('cancelling a job terminates the worker at once (PACKAGING_CANCELLED); the next job starts a fresh thread', async () => {
    const sources = await Promise.all(Array.from({ length: 30 }, async (_, i) => ({ id: `d${i}`, bytes: await textPdf(`Doc ${i}`, 10), mediaType: 'application/pdf' })));
    const ctl = new AbortController();
    const job = worker.assemblePacket(input(sources, (p) => p.phase === 'normalize' && p.done === 2 && ctl.abort()), { signal: ctl.signal });
    await expect(job).rejects.toMatchObject({ code: 'PACKAGING_CANCELLED' });
    expect(worker.threadId).toBeNull();
    const after = await worker.assemblePacket(input([{ id: 'one', bytes: await textPdf('one', 1), mediaType: 'application/pdf' }]));
    expect(after.pageCount).toBe(3);
    expect(worker.threadId).not.toBeNull();
  });

  it.skipIf(!requireTool('gpg'))('signs a large part in the worker (uploaded in pieces): gpg --verify says GOODSIG, and BADSIG for a changed byte', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Maple Street Family Medicine', email: 'records@maple.example' }], format: 'armored' });
    const data = randomBytes(3 * UPLOAD_MIN_BYTES + 5);
    const sig = await worker.signDetached(data, privateKey);
    const home = mkdtempSync(join(tmpdir(), 'rd-gnupg-'));
    try {
      const env = { ...process.env, GNUPGHOME: home };
      execFileSync('gpg', ['--batch', '--import'], { env, input: publicKey, stdio: ['pipe', 'ignore', 'ignore'] });
      const dataPath = writeTmp(t.dir, 'part.bin', data);
      const sigPath = writeTmp(t.dir, 'part.bin.sig', sig);
      const ok = run('gpg', ['--batch', '--status-fd', '1', '--verify', sigPath, dataPath], { env });
      expect(ok.stdout).toContain('GOODSIG');
      data[2 * UPLOAD_MIN_BYTES] = (data[2 * UPLOAD_MIN_BYTES] ?? 0) ^ 1;
      const badPath = writeTmp(t.dir, 'part-changed.bin', data);
      expect(run('gpg', ['--batch', '--status-fd', '1', '--verify', sigPath, badPath], { env }).stdout).toContain('BADSIG');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it.skipIf(!requireTool('gpg'))('encrypts and signs a part in one job: qpdf --check and pdftotext -upw open it, gpg --verify says GOODSIG over the encrypted bytes', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Maple Street Family Medicine', email: 'records@maple.example' }], format: 'armored' });
    const big = await textPdf(`${PATIENT} part`, 30);
    const src = Buffer.concat([Buffer.from(big), Buffer.alloc(Math.max(0, UPLOAD_MIN_BYTES + 10 - big.length), 0x0a)]);
    const { bytes, signature } = await worker.encryptAndSignPart(src, PASS, privateKey);
    const path = writeTmp(t.dir, 'part-1-of-1.pdf', bytes);
    expect(run('qpdf', ['--check', `--password=${PASS}`, path]).status).toBe(0);
    expect(run('pdftotext', [path, '-']).status).not.toBe(0);
    expect(run('pdftotext', ['-upw', PASS, path, '-']).stdout).toContain(`${PATIENT} part page 30`);
    const home = mkdtempSync(join(tmpdir(), 'rd-gnupg-'));
    try {
      const env = { ...process.env, GNUPGHOME: home };
      execFileSync('gpg', ['--batch', '--import'], { env, input: publicKey, stdio: ['pipe', 'ignore', 'ignore'] });
      const sigPath = writeTmp(t.dir, 'part-1-of-1.pdf.sig', signature);
      expect(run('gpg', ['--batch', '--status-fd', '1', '--verify', sigPath, path], { env }).stdout).toContain('GOODSIG');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a worker that dies mid-job fails that job with PACKAGING_FAILED (no library message), and the next job runs', async () => {
    const sources = await Promise.all(Array.from({ length: 30 }, async (_, i) => ({ id: `d${i}`, bytes: await textPdf(`Doc ${i}`, 10), mediaType: 'application/pdf' })));
    let killed = false;
    const job = worker.assemblePacket(
      input(sources, (p) => {
        if (p.phase === 'normalize' && p.done === 2 && !killed) {
          killed = true;
          // What an out-of-memory or native crash looks like from the main thread: the thread is gone.
          void (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
        }
      }),
    );
    await expect(job).rejects.toMatchObject({ code: 'PACKAGING_FAILED' });
    expect((await worker.encryptPdfAes256(await textPdf('y', 1), PASS)).length).toBeGreaterThan(0);
  });

  it('a worker warmed before its first job runs that job on the same thread, and the packet is the one asked for (qpdf --check, its pages and stamps)', async () => {
    const w = new PackagingWorker(sourceWorkerEntry());
    try {
      await w.warm(ASSETS);
      const thread = w.threadId;
      expect(thread).not.toBeNull();
      const packet = await w.assemblePacket(input([{ id: 'after-warm', bytes: await textPdf('Zyxwv after warm-up', 3), mediaType: 'application/pdf' }]));
      expect(w.threadId).toBe(thread);
      expect(packet.pageCount).toBe(5);
      const path = writeTmp(t.dir, 'after-warm.pdf', packet.pdf);
      expect(run('qpdf', ['--check', path]).status).toBe(0);
      const text = run('pdftotext', [path, '-']).stdout;
      expect(text).toContain('Zyxwv after warm-up page 3');
      expect(text).toContain('W-000005');
      expect(text).not.toContain('Warm-up');
      // The password PDF is made from this packet (the warm-up's documents are not held).
      const enc = writeTmp(t.dir, 'after-warm-enc.pdf', await w.encryptPdfAes256(packet.pdf, PASS));
      expect(run('pdftotext', ['-upw', PASS, enc, '-']).stdout).toContain('Zyxwv after warm-up page 3');
    } finally {
      await w.close();
    }
  });
});

describe('packaging jobs on the calling thread', () => {
  it('encrypt from the held document only for the assembled bytes; changed bytes are parsed (output opens either way)', async () => {
    const jobs = createPackagingJobs();
    const packet = await jobs.assemblePacket(input([{ id: 'a', bytes: await textPdf('held', 2), mediaType: 'application/pdf' }]));
    const changed = Buffer.from(packet.pdf);
    changed[changed.length - 2] = 0x0a; // same length, other digest
    const a = await jobs.encryptPdfAes256(changed, PASS);
    const b = await jobs.encryptPdfAes256(packet.pdf, PASS);
    const c = await jobs.encryptPdfAes256(packet.pdf, PASS); // the held document was consumed: parsed now
    for (const enc of [a, b, c]) expect(await PDFDocument.load(enc, { ignoreEncryption: true }).then((d) => d.isEncrypted)).toBe(true);
  });

  it('a cancelled signal refuses the job before it starts', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(createPackagingJobs().encryptPdfAes256(await textPdf('z', 1), PASS, { signal: ctl.signal })).rejects.toMatchObject({ code: 'PACKAGING_CANCELLED' });
  });
});
