/**
 * The real send path in a child process, for the crash matrix (test/unit/releases/crash-matrix.test.ts and
 * `npm run crash-matrix`). Run with tsx; argv[2] is JSON:
 *   { mode: 'setup', dataDir, smtpPort, caPem, method, recipientKey? }  → makes the vault and a ready 4-record release;
 *   { mode: 'send', dataDir, smtpPort, caPem, releaseId, method, crashAt?, crashPart? } → sends; at the crash point it
 *       prints "CHECKPOINT <point>" and blocks synchronously until the parent kills it (SIGKILL);
 *   { mode: 'recover', dataDir, smtpPort, caPem, releaseId, resolve? } → unlocks (recovery), optionally resolves an
 *       unconfirmed release, lets the outbox deliver what is due, and prints the final state.
 * Every result is one line "RESULT <json>". Synthetic data only.
 */
import { bulkyRecord } from '../support/records';
import { createDispatch } from '../../src/main/rpc/dispatch';
import { createHandlers } from '../../src/main/rpc/handlers';
import { createServices } from '../../src/main/services';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src/shared/contract';
import type { CrashPoint } from '../../src/main/services/releases/send-workflow';
import { verifyAudit } from '../../src/main/services/audit/audit';
import { PASSPHRASE, PATIENT, intake, file } from '../support/backend';
import { SMTP_PASSWORD, SMTP_USER } from '../support/smtp';

interface Cfg {
  mode: 'setup' | 'send' | 'recover';
  dataDir: string;
  smtpPort: number;
  caPem: string;
  method?: 'openpgp-pgp-mime' | 'password-pdf';
  recipientKey?: string;
  releaseId?: string;
  crashAt?: CrashPoint;
  crashPart?: number;
  resolve?: 'recipient_confirmed' | 'resend';
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Cfg;
const out = (o: unknown) => process.stdout.write(`RESULT ${JSON.stringify(o)}\n`);


function services() {
  let staged: ReturnType<typeof file>[] = [];
  return {
    stage: (f: ReturnType<typeof file>[]) => (staged = f),
    s: createServices({
      dataDir: cfg.dataDir,
      mode: 'preview',
      version: 'crash-test',
      smtpCa: [cfg.caPem],
      smtpTimeoutMs: 5000,
      filePicker: { pick: async () => staged.splice(0) },
      checkpoint: (point, info) => {
        if (point !== cfg.crashAt || (cfg.crashPart !== undefined && info.part !== cfg.crashPart)) return;
        process.stdout.write(`CHECKPOINT ${point}\n`);
        // Stop right here, synchronously: nothing else of the send path may run before the parent's SIGKILL.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      },
    }),
  };
}

async function setup(): Promise<void> {
  const { s, stage } = services();
  await s.setup.createVault({
    passphrase: PASSPHRASE,
    staffName: 'Qwert Frontdesk',
    practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: 'America/Chicago' },
    smtp: { host: '127.0.0.1', port: cfg.smtpPort, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
  });
  const dispatch = createDispatch(createHandlers(s), s.logger);
  const call = async <C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const r = await dispatch(channel, input);
    if (!r.ok) throw Object.assign(new Error(r.error.code), r.error);
    return r.value as ChannelOutput<C>;
  };
  const dest = 'zyxwv@patient.example.test';
  const req = await call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: dest }] }));
  await call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await call('releases.create', { requestId: req.id });
  stage(await Promise.all([1, 2, 3, 4].map(async (i) => file(`record ${i}.pdf`, await bulkyRecord(`Record ${i}`)))));
  const picked = await call('documents.pick', { releaseId: rel.id });
  await call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  await call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: dest, ...(cfg.recipientKey ? { armoredKey: cfg.recipientKey, fingerprintConfirmed: true } : {}) });
  // One record per message: four parts.
  await call('settings.setDelivery', { messageLimitBytes: cfg.method === 'password-pdf' ? 100_000 : 60_000 });
  out({ releaseId: rel.id });
  s.session.lock();
}

async function send(): Promise<void> {
  const { s } = services();
  await s.vault.unlock(PASSPHRASE);
  const r = await s.releases.send(cfg.releaseId!, cfg.method);
  out({ status: r.release.status, passphrase: r.passphrase ?? null });
  s.session.lock();
}

async function recover(): Promise<void> {
  const { s } = services();
  await s.vault.unlock(PASSPHRASE);
  const afterRecovery = (await s.releases.detail(cfg.releaseId!)).status;
  if (cfg.resolve && afterRecovery === 'unconfirmed') await s.releases.resolveUnconfirmed(cfg.releaseId!, cfg.resolve);
  for (let i = 0; i < 3; i++) await s.releases.workflow.runDue();
  const d = await s.releases.detail(cfg.releaseId!);
  const email = d.transmissions.filter((t) => t.method !== 'export' && t.method !== 'print');
  const v = s.session.require();
  let passphrase: string | null;
  try {
    passphrase = s.releases.workflow.revealPassphrase(cfg.releaseId!).passphrase;
  } catch {
    passphrase = null;
  }
  out({
    afterRecovery,
    status: d.status,
    transmissions: email.length,
    parts: email[0]?.parts.map((p) => ({ part: p.part, status: p.status, messageId: p.messageId, attempts: p.attempts, resolution: p.resolution })) ?? [],
    auditIntact: verifyAudit(v.db, s.session.auditKey()).intact,
    passphrase,
  });
  s.session.lock();
}

void (cfg.mode === 'setup' ? setup() : cfg.mode === 'send' ? send() : recover()).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`RESULT ${JSON.stringify({ error: e && typeof e === 'object' && 'code' in e ? (e as { code: string }).code : 'INTERNAL' })}\n`);
    process.exit(1);
  },
);
