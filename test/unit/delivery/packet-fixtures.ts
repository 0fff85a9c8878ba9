/**
 * Synthetic fixtures for the delivery-method tests: a real release packet made by
 * assemblePacket from generated PDFs (marker PHI "Zyxwv Testpatient"), a practice key
 * (openpgp) and a GnuPG home that trusts it, and small helpers around the Debian tools.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { generatePracticeKey, type PracticeKeyPair } from '../../../src/main/services/openpgp/keys';
import { assemblePacket, type AssembledPacket } from '../../../src/main/services/packaging/packet';
import { createGpgHome, type GpgHome } from '../../support/gpg';

export const ASSETS = join(__dirname, '..', '..', '..', 'assets');
export const PRACTICE = { name: 'Qwerty Family Clinic', address: 'records@clinic.example.test' };
export const RECIPIENT = { name: 'Zyxwv Testpatient', address: 'zyxwv.testpatient@example.test' };
/** Strings that stand for PHI: none may appear in clear in a password-PDF message. */
export const PHI_MARKERS = ['Zyxwv Testpatient', 'MRN-58213-QX', 'Hypothetical Syndrome Q'];

export function tempDir(prefix = 'rd-delivery-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    return { status: 0, stdout: stdout.toString('utf8'), stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { status: err.status ?? -1, stdout: err.stdout?.toString('utf8') ?? '', stderr: err.stderr?.toString('utf8') ?? '' };
  }
}

export function writeTmp(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/**
 * A record PDF of `pages` Letter pages with marker PHI text; with `noiseKb`, each page also
 * carries a random-noise JPEG of about that size (incompressible, so the packet must be split).
 */
export async function recordPdf(pages: number, noiseKb = 0): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let k = 1; k <= pages; k++) {
    const p = doc.addPage([612, 792]);
    p.drawText(`Patient: ${PHI_MARKERS[0]}  MRN: ${PHI_MARKERS[1]}`, { x: 72, y: 720, size: 14, font });
    p.drawText(`Record page ${k} of ${pages}: ${PHI_MARKERS[2]}`, { x: 72, y: 696, size: 14, font });
    if (noiseKb > 0) {
      const side = Math.round(Math.sqrt(noiseKb * 1024 / 1.5));
      const jpg = execFileSync('convert', ['-size', `${side}x${side}`, 'xc:gray', '+noise', 'Random', '-quality', '85', `jpg:-`]);
      const img = await doc.embedJpg(jpg);
      p.drawImage(img, { x: 72, y: 200, width: 300, height: 300 });
    }
  }
  return doc.save();
}

/** The release packet (cover, manifest page, records) exactly as the workflow makes it. */
export async function makePacket(pages: number, noiseKb = 0, reference = 'R-2026-00001'): Promise<AssembledPacket> {
  return assemblePacket({
    practice: { name: PRACTICE.name },
    recipient: { name: RECIPIENT.name },
    purpose: 'At the request of the individual',
    reference,
    releaseNumberPrefix: 'RD-00001-',
    createdAt: new Date('2026-03-02T15:00:00Z'),
    timeZone: 'America/Chicago',
    sources: [{ id: 'doc-1', bytes: await recordPdf(pages, noiseKb), mediaType: 'application/pdf' }],
    includePart2Notice: false,
    assetsRoot: ASSETS,
  });
}

export interface Practice {
  key: PracticeKeyPair;
  /** A GnuPG home with the practice public key imported (the recipient's side). */
  gpg: GpgHome;
}

export async function makePractice(): Promise<Practice> {
  const key = await generatePracticeKey({ name: PRACTICE.name, email: PRACTICE.address });
  const gpg = createGpgHome();
  gpg.importKey(key.armoredPublic);
  return { key, gpg };
}

/** `gpg --verify sig file` in the practice's gpg home: exit code and status lines. */
export function gpgVerify(gpg: GpgHome, sigPath: string, filePath: string): { status: number; stdout: string } {
  return run('gpg', ['--homedir', gpg.home, '--batch', '--status-fd', '1', '--verify', sigPath, filePath]);
}

/** Page count via qpdf. */
export function pageCount(path: string, password?: string): number {
  const r = run('qpdf', [...(password ? [`--password=${password}`] : []), '--show-npages', path]);
  if (r.status !== 0) throw new Error(`qpdf --show-npages failed (${r.status})`);
  return Number(r.stdout.trim());
}

/** pdftotext of one page (or all). */
export function pdfText(path: string, opts: { page?: number; password?: string } = {}): { status: number; text: string } {
  const r = run('pdftotext', [...(opts.page ? ['-f', String(opts.page), '-l', String(opts.page)] : []), ...(opts.password ? ['-upw', opts.password] : []), path, '-']);
  return { status: r.status, text: r.stdout };
}
