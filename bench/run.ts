/**
 * Benchmarks: `npx tsx bench/run.ts` (or `npm run bench`). Prints ONE table, each row measuring
 * ReleaseDesk's code and the reference command-line tool side by side on the same input in the same run.
 * Inputs are generated in a temp dir and removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { encryptPdfAes256 } from '../src/main/services/packaging/encrypt';
import type { PacketSource } from '../src/main/services/packaging/inputs';
import { assemblePacket } from '../src/main/services/packaging/packet';

interface Row {
  task: string;
  input: string;
  ours: string;
  oursMs: number | null;
  reference: string;
  refMs: number | null;
  note?: string;
}

async function time<T>(f: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

/** A PDF of about `mb` MiB: one page per MiB, each an uncompressed random RGB image (incompressible). */
async function bigPdf(mb: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const side = 591; // 591*591*3 ≈ 1 MiB
  for (let i = 0; i < mb; i++) {
    const img = doc.context.register(doc.context.stream(randomBytes(side * side * 3), { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }));
    const page = doc.addPage([612, 792]);
    const name = page.node.newXObject('Im', img);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(540, 0, 0, 540, 36, 126), drawObject(name), popGraphicsState());
  }
  return doc.save({ useObjectStreams: false });
}

async function textPdf(label: string, pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let k = 1; k <= pages; k++) doc.addPage([612, 792]).drawText(`${label} page ${k}: Zyxwv Testpatient progress note, synthetic.`, { x: 72, y: 700, size: 12, font });
  return doc.save();
}

/** Slot for the openpgp 500 MiB encrypt+sign vs gpg row (built by another engineer): return a Row. */
export async function benchOpenpgpVsGpg(): Promise<Row> {
  return { task: 'OpenPGP encrypt+sign', input: '500 MiB', ours: 'openpgp 6.3.2 (streams)', oursMs: null, reference: 'gpg --encrypt --sign', refMs: null, note: 'not built yet (slot: benchOpenpgpVsGpg in bench/run.ts)' };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-'));
  const rows: Row[] = [];
  try {
    // 1. AES-256 encryption of a ~40 MB PDF.
    const big = await bigPdf(40);
    const bigPath = join(dir, 'big.pdf');
    writeFileSync(bigPath, big);
    const pass = 'bench-pass-phrase-words';
    const [oursEnc, enc] = await time(() => encryptPdfAes256(big, pass));
    const [refEnc] = await time(() => execFileSync('qpdf', ['--encrypt', pass, 'owner', '256', '--', bigPath, join(dir, 'big-enc.pdf')]));
    rows.push({ task: 'AES-256 (R6) encrypt', input: `${(big.length / 2 ** 20).toFixed(1)} MiB PDF`, ours: 'qpdf-wasm in-process', oursMs: oursEnc, reference: 'qpdf --encrypt (native)', refMs: refEnc, note: `out ${(enc.length / 2 ** 20).toFixed(1)} vs ${(statSync(join(dir, 'big-enc.pdf')).size / 2 ** 20).toFixed(1)} MiB` });

    // 2. Assembling and stamping 1,000 pages (100 PDFs x 10 pages).
    const files: string[] = [];
    const sources: PacketSource[] = [];
    for (let i = 0; i < 100; i++) {
      const b = await textPdf(`Doc ${i}`, 10);
      const p = join(dir, `d${i}.pdf`);
      writeFileSync(p, b);
      files.push(p);
      sources.push({ id: `d${i}`, bytes: b, mediaType: 'application/pdf' });
    }
    const rssBefore = process.memoryUsage().rss;
    const [oursAsm, packet] = await time(() =>
      assemblePacket({
        practice: { name: 'Maple Street Family Medicine' }, recipient: { name: 'Zyxwv Testpatient' }, purpose: 'Benchmark', reference: 'BENCH-1',
        releaseNumberPrefix: 'B-', createdAt: new Date(), timeZone: 'America/Chicago', includePart2Notice: true, sources,
        assetsRoot: join(__dirname, '..', 'assets'),
      }),
    );
    const rssAfter = process.memoryUsage().rss;
    const [refAsm] = await time(() => execFileSync('qpdf', ['--empty', '--pages', ...files, '--', join(dir, 'merged.pdf')]));
    rows.push({ task: 'Assemble + stamp 1,000 pages', input: '100 PDFs x 10 pages', ours: 'assemblePacket (cover, manifest, stamps)', oursMs: oursAsm, reference: 'qpdf --empty --pages (merge only)', refMs: refAsm, note: `${packet.pageCount} pages, ${(packet.pdf.length / 2 ** 20).toFixed(1)} MiB, RSS +${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB` });

    rows.push(await benchOpenpgpVsGpg());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const fmt = (ms: number | null) => (ms === null ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  const table = [
    ['Task', 'Input', 'Ours', 'Time', 'Reference', 'Time', 'Ours/Ref', 'Note'],
    ...rows.map((r) => [r.task, r.input, r.ours, fmt(r.oursMs), r.reference, fmt(r.refMs), r.oursMs !== null && r.refMs ? `${(r.oursMs / r.refMs).toFixed(2)}x` : '—', r.note ?? '']),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  process.stdout.write([line(table[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(line)].join('\n') + '\n');
}

void main();
