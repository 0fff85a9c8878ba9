/**
 * Bench row: how responsive the main process stays while a large release is prepared through the
 * product's path (PackagingJobs.assemblePacket, then preparePacketFiles: split under the email limit,
 * every part password-protected and signed), measured with perf_hooks.monitorEventLoopDelay on the
 * main thread. Ours: the packaging worker thread (what the app runs); reference: the same work on the
 * main thread (what the app did before). Size: BENCH_SIZE_MIB (default 500) of scanned-page records.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PDFDocument, PDFName, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { preparePacketFiles } from '../src/main/services/delivery/packet-files';
import { generatePracticeKey } from '../src/main/services/openpgp/keys';
import type { PacketSource } from '../src/main/services/packaging/inputs';
import { createPackagingJobs, type PackagingJobs } from '../src/main/services/packaging/jobs';
import { PackagingWorker, sourceWorkerEntry } from '../src/main/services/packaging/worker-client';

/** A record of `pages` scanned pages: each a 1 MiB image stored as a scanner stores it (DCT-labelled, not recompressed). */
async function scanPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const side = 591;
  for (let i = 0; i < pages; i++) {
    const img = doc.context.register(doc.context.stream(randomBytes(2 ** 20), { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: PDFName.of('DCTDecode') }));
    const page = doc.addPage([612, 792]);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(540, 0, 0, 540, 36, 126), drawObject(page.node.newXObject('Im', img)), popGraphicsState());
  }
  return doc.save({ useObjectStreams: true });
}

interface Run {
  ms: number;
  p99: number;
  max: number;
  parts: number;
  bytes: number;
}

async function prepare(jobs: PackagingJobs, sources: PacketSource[], key: { armoredPrivate: string }, assetsRoot: string): Promise<Run> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const packet = await jobs.assemblePacket({
    practice: { name: 'Maple Street Family Medicine' }, recipient: { name: 'Zyxwv Testpatient' }, purpose: 'Benchmark', reference: 'BENCH-EL',
    releaseNumberPrefix: 'EL-', createdAt: new Date(), timeZone: 'America/Chicago', includePart2Notice: false, sources, assetsRoot,
  });
  const prepared = await preparePacketFiles({
    reference: 'BENCH-EL', packetPdf: packet.pdf, manifest: packet.manifest, practiceSigningKeyArmored: key.armoredPrivate,
    passphrase: 'maple-river-stone-cloud', assetsRoot, packaging: jobs,
  });
  const ms = performance.now() - t0;
  h.disable();
  return { ms, p99: h.percentile(99) / 1e6, max: h.max / 1e6, parts: prepared.parts.length, bytes: prepared.parts.reduce((n, p) => n + p.file.bytes.length, 0) };
}

/** The delay p99 and max (ms) of this thread's event loop doing nothing for `ms`: what the machine's load alone costs. */
async function idleDelay(ms: number): Promise<{ p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

/** The event-loop row (see the module comment). */
export async function benchEventLoop(): Promise<{ task: string; input: string; ours: string; oursMs: number; reference: string; refMs: number; note: string }> {
  const mib = Number(process.env.BENCH_SIZE_MIB ?? 500);
  const perDoc = 8;
  const sources: PacketSource[] = [];
  for (let i = 0; i * perDoc < mib; i++) sources.push({ id: `s${i}`, bytes: await scanPdf(Math.min(perDoc, mib - i * perDoc)), mediaType: 'application/pdf' });
  const key = await generatePracticeKey({ name: 'Maple Street Family Medicine', email: 'records@maple.example.test' });
  const assetsRoot = join(__dirname, '..', 'assets');
  const worker = new PackagingWorker(sourceWorkerEntry());
  try {
    const idle = await idleDelay(5000);
    const ours = await prepare(worker, sources, key, assetsRoot);
    const ref = await prepare(createPackagingJobs(), sources, key, assetsRoot);
    return {
      task: 'Event-loop delay p99 (main thread)',
      input: `${mib} MiB release, ${sources.length} scanned PDFs`,
      ours: 'packaging worker thread: assemble + split + password PDF + sign',
      oursMs: ours.p99,
      reference: 'same work on the main thread',
      refMs: ref.p99,
      note: `max ${ours.max.toFixed(0)} vs ${ref.max.toFixed(0)} ms; whole job ${(ours.ms / 1000).toFixed(1)} vs ${(ref.ms / 1000).toFixed(1)} s; ${ours.parts} parts, ${(ours.bytes / 2 ** 20).toFixed(0)} MiB encrypted; idle main thread under the same load: p99 ${idle.p99.toFixed(0)}, max ${idle.max.toFixed(0)} ms; target p99 ≤ 50 ms`,
    };
  } finally {
    await worker.close();
  }
}
