/**
 * Child process for the "practice-route send" bench row (bench/practice-route.ts), in a fresh process:
 *   `practice-route-child.ts send DATADIR RELEASEID PG_JSON` — services on a vault made by releases-send-child.ts
 *     `setup MIB` (one ready release of about MIB MiB of 12 MiB scans), unlock, the real SMTP test server (STARTTLS,
 *     AUTH, counting and discarding) in ITS OWN process (phase `smtp`), the practice server configured in Settings
 *     (`practiceServer.configure`: a throwaway PostgreSQL on 127.0.0.1, TLS verified against its CA, given as JSON)
 *     and this workstation joined (`practiceServer.join`); then, measured: ONE `releases.send` (PGP/MIME) through the
 *     dispatcher — prepared and handed to the practice's shared outbox ('with_practice_server') — and the background
 *     pass that sends it (releases/practice-route.ts cycle: claim, stream the stored message from the server chunk
 *     by chunk into SMTP DATA, record, bring the outcome back: 'sent'). Peak RSS from the kernel's high-water mark
 *     (VmHWM reset after a GC just before), RSS sampled every 20 ms; main-thread event-loop delay (p99, max).
 *   `practice-route-child.ts smtp` — the discarding SMTP test server for the send phase, over IPC.
 * Prints one JSON line.
 */
import { fork } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServices } from '../src/main/services';
import { systemClock } from '../src/main/services/support/clock';
import { createDispatch } from '../src/main/rpc/dispatch';
import { createHandlers } from '../src/main/rpc/handlers';
import type { ChannelInput, ChannelName, ChannelOutput } from '../src/shared/contract';
import { SMTP_PASSWORD, startSmtpServer } from '../test/support/smtp';
import { PASSPHRASE } from '../test/support/backend';

/** VmHWM / VmRSS of this process in bytes (Linux). */
function procStatus(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The send phase (see the module comment). The vault folder is removed at the end. */
async function send(dataDir: string, releaseId: string, pgJson: string): Promise<void> {
  const pg = JSON.parse(pgJson) as ChannelInput<'practiceServer.configure'>;
  const smtp = await remoteSmtpServer();
  const services = createServices({
    dataDir,
    mode: 'preview',
    version: 'bench',
    clock: systemClock,
    smtpCa: [smtp.caPem],
    smtpTimeoutMs: 300_000,
    filePicker: { pick: async () => [] },
    fileSaver: { save: async () => false },
  });
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
    await call('practiceServer.configure', pg);
    await call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Bench desk' });
    (globalThis as { gc?: () => void }).gc?.();
    try {
      writeFileSync('/proc/self/clear_refs', '5');
    } catch {
      /* not Linux */
    }
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 2000));
    idle.disable();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const rssBefore = procStatus('VmRSS');
    let sampledPeakRss = rssBefore;
    const timer = setInterval(() => {
      sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
    }, 20);
    loop.enable();
    const t0 = performance.now();
    const out = await call('releases.send', { releaseId, method: 'openpgp-pgp-mime' });
    const pushedMs = performance.now() - t0;
    const route = services.releases.workflow.practice;
    // The background pass as it runs in the app: push what waits (nothing), drain the shared outbox, pull outcomes.
    await route.cycle();
    const ms = performance.now() - t0;
    loop.disable();
    clearInterval(timer);
    const peakRss = procStatus('VmHWM');
    const status = (await call('releases.get', { id: releaseId })).status;
    const received = await smtp.received();
    process.stdout.write(
      `${JSON.stringify({
        ms,
        pushedMs,
        pushedStatus: out.release.status,
        status,
        parts: out.transmission.partsTotal,
        messages: received.messages,
        bytesSent: received.bytes,
        rssBefore,
        peakRss,
        sampledPeakRss,
        loopP99: loop.percentile(99) / 1e6,
        loopMax: loop.max / 1e6,
        idleP99: idle.percentile(99) / 1e6,
      })}\n`,
    );
  } finally {
    await services.practiceLink.close();
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

const [phase, a, b, c] = process.argv.slice(2);
void (phase === 'smtp' ? smtpPhase() : send(a!, b!, c!));
