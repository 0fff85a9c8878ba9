/**
 * Synthetic fixtures for the packaging tests, generated at run time with the Debian tools
 * recipients and scanners produce files with (qpdf, ImageMagick convert, exiftool, tiffcp).
 * Names are invented ("Zyxwv Testpatient").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, degrees } from 'pdf-lib';
import type { PacketSource } from '../../../src/main/services/packaging/inputs';
import type { AssemblePacketInput } from '../../../src/main/services/packaging/packet';

export const ASSETS = join(__dirname, '..', '..', '..', 'assets');

/**
 * The input of a synthetic right-of-access packet over `sources` (no Part 2 notice, the bundled fonts), with `extra`
 * replacing any field.
 */
export const packetInput = (sources: PacketSource[], extra: Partial<AssemblePacketInput> = {}): AssemblePacketInput => ({
  practice: { name: 'Maple Street Family Medicine' },
  recipient: { name: 'Nguyễn Thị Zyxwv Testpatient' },
  purpose: 'At the request of the individual',
  reference: 'REQ-2026-0042',
  releaseNumberPrefix: 'RD0042-',
  createdAt: new Date('2026-03-02T15:04:00Z'),
  timeZone: 'America/Chicago',
  includePart2Notice: false,
  assetsRoot: ASSETS,
  sources,
  ...extra,
});

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rd-packaging-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Uint8Array } = {}): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(cmd, args, { env: opts.env ?? process.env, input: opts.input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    return { status: 0, stdout: stdout.toString('utf8'), stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { status: err.status ?? -1, stdout: err.stdout?.toString('utf8') ?? '', stderr: err.stderr?.toString('utf8') ?? '' };
  }
}

/** A PDF of `pages` Letter pages, each saying "<label> page k". No object streams (so its xref table can be damaged). */
export async function textPdf(label: string, pages: number, rotate = 0): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let k = 1; k <= pages; k++) {
    const p = doc.addPage([612, 792]);
    p.drawText(`${label} page ${k}`, { x: 72, y: 700, size: 18, font });
    if (rotate) p.setRotation(degrees(rotate));
  }
  return doc.save({ useObjectStreams: false });
}

/** Two AcroForm PDFs with the same field name ("patient_name") and different values. */
export async function formPdf(value: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  const form = doc.getForm();
  const f = form.createTextField('patient_name');
  f.setText(value);
  f.addToPage(page, { x: 72, y: 600, width: 300, height: 30 });
  return doc.save();
}

export function writeTmp(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** The plain text of one page (or all) via poppler's pdftotext. */
export function pdfText(path: string, page?: number, password?: string): string {
  const args = ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), ...(password ? ['-upw', password] : []), path, '-'];
  const r = run('pdftotext', args);
  if (r.status !== 0) throw new Error(`pdftotext failed (${r.status})`);
  return r.stdout;
}

/** Render one page to RGB pixels with pdftoppm. */
export function renderPage(path: string, page: number, dpi = 30): { w: number; h: number; px: (x: number, y: number) => [number, number, number] } {
  const ppm = execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), path]);
  const headerEnd = (() => {
    let fields = 0;
    let i = 0;
    while (fields < 4) {
      while (/\s/.test(String.fromCharCode(ppm[i]!))) i++;
      while (!/\s/.test(String.fromCharCode(ppm[i]!))) i++;
      fields++;
    }
    return i + 1;
  })();
  const [, w, h] = ppm.subarray(0, headerEnd).toString('latin1').trim().split(/\s+/).map(Number) as [number, number, number];
  const data = ppm.subarray(headerEnd);
  return { w, h, px: (x, y) => [data[(y * w + x) * 3]!, data[(y * w + x) * 3 + 1]!, data[(y * w + x) * 3 + 2]!] };
}

export function read(path: string): Uint8Array {
  return readFileSync(path);
}
