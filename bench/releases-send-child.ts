/**
 * Child process for the `releases.send` bench rows, in two phases so the send runs in a fresh process:
 *   `bench/releases-send-child.ts setup MIB` — a real back end (encrypted vault, services, dispatch:
 *     test/unit/requests/harness.ts) in a kept temp folder; one ready right-of-access release whose records are imported
 *     through `documents.pick` in batches (MIB = 0: a 30-page release of three 10-page text records; otherwise about
 *     MIB MiB of 12 MiB scans that do not compress), patient check run, recipient with a confirmed OpenPGP key;
 *   `bench/releases-send-child.ts send DATADIR RELEASEID` — services on that vault, unlock, the real SMTP test server
 *     (STARTTLS, AUTH, counting and discarding what it receives) in ITS OWN process (the `smtp` phase, forked), so the
 *     send's memory, CPU and event loop are the product's alone, as against a remote mail server; then ONE
 *     `releases.send` (PGP/MIME) through the dispatcher, measured. Peak RSS of the send: the kernel's high-water mark
 *     is reset (/proc/self/clear_refs, 5) after a GC just before the call and read (VmHWM) after it; RSS is also
 *     sampled every 20 ms. Event-loop delay of the main thread during the send: perf_hooks.monitorEventLoopDelay
 *     (10 ms resolution), p99 and max, next to the same measure for 2 s of idle just before (the machine's load alone);
 *   `bench/releases-send-child.ts smtp` — the SMTP test server (discarding) for the send phase, over IPC.
 * Each phase prints one JSON line (bytes, ms).
 */
import { fork } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { generatePracticeKey } from '../src/main/services/openpgp/keys';
import { createServices } from '../src/main/services';
import { systemClock } from '../src/main/services/support/clock';
import { createDispatch } from '../src/main/rpc/dispatch';
import { createHandlers } from '../src/main/rpc/handlers';
import type { ChannelInput, ChannelName, ChannelOutput } from '../src/shared/contract';
import { SMTP_PASSWORD, startSmtpServer } from '../test/support/smtp';
import { file, intake, PASSPHRASE, PATIENT, startBackend } from '../test/support/backend';

const MiB = 2 ** 20;
const DOC_MIB = 12; // under the default 18 MB message limit once base64 and armor are counted

/** VmHWM / VmRSS of this process in bytes (Linux). */
function procStatus(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A record file: page 1 text naming the synthetic patient, page 2 a `mib` MiB random RGB image (a scan that does not compress). */
async function scanPdf(i: number, mib: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText(`Scanned record ${i} - synthetic record for ${PATIENT.name}, DOB ${PATIENT.dateOfBirth}`, { x: 72, y: 700, size: 12, font });
  const side = Math.floor(Math.sqrt((mib * MiB) / 3));
  const img = doc.context.register(doc.context.stream(randomBytes(side * side * 3), { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }));
  const page = doc.addPage([612, 792]);
  const name = page.node.newXObject('Im', img);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(540, 0, 0, 540, 36, 126), drawObject(name), popGraphicsState());
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A 10-page text record. */
async function textPdf(i: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let k = 1; k <= 10; k++) doc.addPage([612, 792]).drawText(`Record ${i} page ${k} - synthetic progress note for ${PATIENT.name}`, { x: 72, y: 700, size: 12, font });
  return Buffer.from(await doc.save());
}

/** Phase 1 (`setup MIB`): a vault in a kept temp folder with one ready release; prints { dataDir, releaseId, recordBytes }. */
async function setup(mib: number): Promise<void> {
  const b = await startBackend({ withSmtp: false });
  if (b.clock.now().getTime() < Date.now()) b.clock.set(new Date().toISOString());
  const dest = 'zyxwv@patient.example.test';
  const recipientKey = await generatePracticeKey({ name: 'Zyxwv Testpatient', email: dest });
  const req = await b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: dest }] }));
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await b.call('releases.create', { requestId: req.id });
  const count = mib === 0 ? 3 : Math.max(1, Math.round(mib / DOC_MIB));
  let recordBytes = 0;
  for (let i = 0; i < count; i += 4) {
    const batch: Buffer[] = [];
    for (let j = i; j < Math.min(count, i + 4); j++) batch.push(mib === 0 ? await textPdf(j) : await scanPdf(j, DOC_MIB));
    recordBytes += batch.reduce((n, x) => n + x.length, 0);
    b.stage(batch.map((x, k) => file(`scan ${i + k}.pdf`, x)));
    const picked = await b.call('documents.pick', { releaseId: rel.id });
    await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  }
  await b.call('documents.checkPatient', { releaseId: rel.id });
  await b.call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: dest, armoredKey: recipientKey.armoredPublic, fingerprintConfirmed: true });
  b.services.session.lock();
  process.stdout.write(`${JSON.stringify({ dataDir: b.dataDir, releaseId: rel.id, recordBytes })}\n`);
}

/**
 * Phase 2 (`send DATADIR RELEASEID`), in a fresh process: services on the kept vault, unlock, the SMTP test server
 * (discarding), then the measured `releases.send`. The folder is removed at the end.
 */
async function send(dataDir: string, releaseId: string): Promise<void> {
  const smtp = await remoteSmtpServer();
  const services = createServices({ dataDir, mode: 'preview', version: 'bench', clock: systemClock, smtpCa: [smtp.caPem], smtpTimeoutMs: 300_000, filePicker: { pick: async () => [] }, fileSaver: { save: async () => false } });
  const dispatch = createDispatch(createHandlers(services), services.logger, { onInvalidInput: services.auditInvalidInput });
  const call = async <C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const r = await dispatch(channel, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as ChannelOutput<C>;
  };
  try {
    await call('vault.unlock', { passphrase: PASSPHRASE });
    const settings = await call('settings.get', {});
    await call('settings.updateSmtp', { ...settings.smtp, port: smtp.port, password: SMTP_PASSWORD });
    (globalThis as { gc?: () => void }).gc?.();
    try {
      writeFileSync('/proc/self/clear_refs', '5'); // reset VmHWM to the current RSS (Linux >= 4.0)
    } catch {
      /* not Linux: VmHWM then covers start-up too */
    }
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 2000));
    idle.disable();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const rssBefore = procStatus('VmRSS');
    let sampledPeakRss = rssBefore;
    /** process.memoryUsage() at the highest sampled RSS: how much of it is V8's heap and how much Buffers (external). */
    let atPeak = process.memoryUsage();
    // process.memoryUsage.rss() is cheap; the full breakdown (which walks V8's heap spaces) only at a new peak, so the
    // sampling itself does not add to the event-loop delay being measured.
    const timer = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > sampledPeakRss) {
        sampledPeakRss = rss;
        atPeak = process.memoryUsage();
      }
    }, 20);
    loop.enable();
    const t0 = performance.now();
    const out = await call('releases.send', { releaseId, method: 'openpgp-pgp-mime' });
    const ms = performance.now() - t0;
    loop.disable();
    clearInterval(timer);
    const peakRss = procStatus('VmHWM');
    const received = await smtp.received();
    process.stdout.write(
      `${JSON.stringify({
        ms,
        status: out.release.status,
        parts: out.transmission.partsTotal,
        messages: received.messages,
        bytesSent: received.bytes,
        rssBefore,
        peakRss,
        sampledPeakRss,
        heapUsedAtPeak: atPeak.heapUsed,
        heapTotalAtPeak: atPeak.heapTotal,
        arrayBuffersAtPeak: atPeak.arrayBuffers,
        loopP99: loop.percentile(99) / 1e6,
        loopMax: loop.max / 1e6,
        idleP99: idle.percentile(99) / 1e6,
        idleMax: idle.max / 1e6,
      })}\n`,
    );
  } finally {
    services.session.lock();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The SMTP test server in a forked process of this script (phase `smtp`): its port and CA, and what it received. */
async function remoteSmtpServer(): Promise<{ port: number; caPem: string; received(): Promise<{ messages: number; bytes: number }>; close(): Promise<void> }> {
  const child = fork(process.argv[1]!, ['smtp'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  const ready = await new Promise<{ port: number; caPem: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; caPem: string }));
    child.once('exit', (code) => reject(new Error(`the SMTP server process ended (${code})`)));
  });
  return {
    ...ready,
    received: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { messages: number; bytes: number }));
        child.send('received');
      }),
    close: async () => {
      child.send('close');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Phase `smtp`: the discarding test server; answers 'received' with counts, ends on 'close'. */
async function smtpPhase(): Promise<void> {
  const smtp = await startSmtpServer({ discard: true });
  process.on('message', (m) => {
    if (m === 'received') process.send!({ messages: smtp.received.length, bytes: smtp.received.reduce((n, x) => n + x.sizeBytes, 0) });
    else if (m === 'close') void smtp.close().then(() => process.exit(0));
  });
  process.send!({ port: smtp.port, caPem: smtp.caPem });
}

const [phase, a, c] = process.argv.slice(2);
void (phase === 'setup' ? setup(Number(a ?? 0)) : phase === 'smtp' ? smtpPhase() : send(a!, c!));
