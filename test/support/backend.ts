/**
 * A real ReleaseDesk back end for workflow tests: services on a real encrypted
 * vault in a temp dir (one argon2 derivation per file), the real file logger,
 * a stepping clock at the real time (recipient keys made by gpg a moment ago
 * must be valid), an in-memory file picker and saver, the real SMTP test server.
 * All data is synthetic.
 */
import type { CrlFetch } from '../../src/main/services/smime/revocation';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createServices, type Services, type ServicesConfig } from '../../src/main/services';
import type { PracticeLink } from '../../src/main/services/practice/practice-link';
import type { PickedFile } from '../../src/main/services/documents/picker';
import { fixedClock } from '../../src/main/services/support/clock';
import { createDispatch } from '../../src/main/rpc/dispatch';
import { createHandlers } from '../../src/main/rpc/handlers';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src/shared/contract';
import type { DocumentCategory } from '../../src/shared/compliance';
import type { WireError } from '../../src/shared/errors';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from './smtp';

export const PATIENT = { name: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX' };
export const TZ = 'America/Chicago';
export const PASSPHRASE = 'orbit lantern cactus velvet harbor 42';

export interface Backend {
  services: Services;
  dataDir: string;
  clock: ReturnType<typeof fixedClock>;
  smtp: RunningSmtpServer | null;
  /** Files the next documents.pick / attachSignedForm returns. */
  stage(files: PickedFile[]): void;
  /** Files documents.export saved. */
  saved: Array<{ name: string; bytes: Buffer }>;
  /** Call a contract channel through the real dispatch (input and output validated); rejects with the wire error. */
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /** The operational log file's text. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * Start the back end, set up the vault (practice in America/Chicago). `withSmtp` starts the real SMTP test server
 * (with `smtpOptions`, e.g. rejectDataAt); `exportDir` is the folder releases.export writes into (the folder picker's answer).
 */
export async function startBackend(
  opts: {
    withSmtp?: boolean;
    smtpOptions?: StartSmtpServerOptions;
    exportDir?: string;
    smtpTimeoutMs?: number;
    smimeTrustAnchors?: string[];
    smimeCrlFetch?: CrlFetch | null;
    /** A running SMTP server shared with other back ends (not closed by this one); instead of `withSmtp`. */
    smtpServer?: RunningSmtpServer;
    /** The practice-server link (issue #17); default local. */
    practiceLink?: PracticeLink;
    /** Crash-test hook of the send path. */
    checkpoint?: ServicesConfig['checkpoint'];
    /** The outbox sender's interval (ms). */
    queueTickMs?: number;
  } = {},
): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rd-backend-'));
  const clock = fixedClock(new Date().toISOString());
  const ownSmtp = opts.withSmtp && !opts.smtpServer ? await startSmtpServer(opts.smtpOptions) : null;
  const smtp = opts.smtpServer ?? ownSmtp;
  let staged: PickedFile[] = [];
  const saved: Array<{ name: string; bytes: Buffer }> = [];
  const services = createServices({
    dataDir,
    mode: 'preview',
    version: 'test',
    clock,
    smtpCa: smtp ? [smtp.caPem] : undefined,
    ...(opts.smtpTimeoutMs ? { smtpTimeoutMs: opts.smtpTimeoutMs } : {}),
    ...(opts.smimeTrustAnchors ? { smimeTrustAnchors: opts.smimeTrustAnchors } : {}),
    ...(opts.smimeCrlFetch !== undefined ? { smimeCrlFetch: opts.smimeCrlFetch } : {}),
    ...(opts.practiceLink ? { practiceLink: opts.practiceLink } : {}),
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
    ...(opts.queueTickMs ? { queue: { tickMs: opts.queueTickMs } } : {}),
    filePicker: {
      pick: async () => {
        const f = staged;
        staged = [];
        return f;
      },
    },
    fileSaver: {
      save: async (name, bytes) => {
        saved.push({ name, bytes });
        return true;
      },
    },
    ...(opts.exportDir !== undefined ? { folderPicker: { chooseFolder: async () => opts.exportDir ?? null } } : {}),
  });
  await services.setup.createVault({
    passphrase: PASSPHRASE,
    staffName: 'Qwert Frontdesk',
    practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: TZ },
    smtp: { host: '127.0.0.1', port: smtp?.port ?? 2525, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
  });
  const dispatch = createDispatch(createHandlers(services), services.logger, { onInvalidInput: services.auditInvalidInput });
  return {
    services,
    dataDir,
    call: async (channel, input) => {
      const r = await dispatch(channel, input);
      if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), r.error as WireError);
      return r.value as never;
    },
    clock,
    smtp,
    saved,
    stage: (files) => {
      staged = files;
    },
    logText: () => {
      try {
        return readFileSync(join(dataDir, 'logs', 'releasedesk.log'), 'utf8');
      } catch {
        return '';
      }
    },
    close: async () => {
      await services.stopQueue();
      services.session.lock();
      await ownSmtp?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sign in as another staff member, as the sign-in screen does: lock the session, then unlock it with `name`,
 * `passphrase` and, for an account with MFA, the current TOTP `code` (RFC 6238).
 * @throws AppError as vault.unlock (wrong passphrase, code needed, …)
 */
export async function signInAs(b: Backend, name: string, passphrase: string, code?: string): Promise<void> {
  b.services.session.lock();
  await b.call('vault.unlock', { username: name, passphrase, ...(code ? { code } : {}) });
}

/** A one-page synthetic record PDF (its text carries the synthetic patient's name). */
export async function recordPdf(title = 'Visit note', patientName = PATIENT.name): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText(`${title} - synthetic record for ${patientName}`, { x: 72, y: 700, size: 12, font });
  return Buffer.from(await doc.save());
}

export const file = (name: string, bytes: Buffer): PickedFile => ({ name, read: async () => bytes });

/** The local calendar date `days` from the clock's now, in the practice zone. */
export function localDay(now: Date, days = 0): string {
  const d = new Date(now.getTime() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** An intake with sensible synthetic defaults. */
export function intake(over: Partial<ChannelInput<'requests.create'>> = {}): ChannelInput<'requests.create'> {
  return {
    patient: PATIENT,
    basis: 'authorization',
    receivedAt: new Date().toISOString(),
    requester: { role: 'third_party', name: 'Qwerty Insurance Co' },
    recipients: [{ name: 'Abcde Lawfirm Intake', destination: 'intake@lawfirm.example.test' }],
    scope: { categories: ['visit_notes', 'lab_results'], from: '2025-01-01', to: '2025-12-31' },
    form: { format: 'pdf', electronic: true },
    ...over,
  };
}

/** A complete, valid authorization (164.508(c)) covering visit notes and labs of 2025. */
export function goodAuthorization() {
  return {
    informationDescription: 'Visit notes and lab results from 2025',
    categories: ['visit_notes', 'lab_results'] as ('visit_notes' | 'lab_results')[],
    from: '2025-01-01',
    to: '2025-12-31',
    disclosers: ['Maplewood Family Practice'],
    recipients: ['Abcde Lawfirm Intake'],
    purposes: ['Legal claim'],
    expiration: { date: '2099-12-31' },
    signature: { signed: true, date: '2026-01-10', signerRole: 'patient' as const },
    statements: { rightToRevoke: true, conditioning: true, redisclosure: true },
    combinedWith: [],
    conditionsTreatment: false,
    knownFalse: false,
    copyGivenToIndividual: true,
  };
}

export interface ReleaseDocSpec {
  category: DocumentCategory;
  date: string;
}

/**
 * A verified, ready request with one release holding classified records (files named after the patient,
 * to prove names never leave) and a confirmed recipient with `recipientKey`.
 */
export async function prepareReadyRelease(
  b: Backend,
  recipientKey: string,
  over: Partial<ChannelInput<'requests.create'>> = {},
  docs: ReleaseDocSpec[] = [{ category: 'visit_notes', date: '2025-06-01' }],
) {
  const patientName = over.patient?.name ?? PATIENT.name;
  const req = await b.call('requests.create', intake(over));
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: 'driver licence' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await b.call('releases.create', { requestId: req.id });
  b.stage(await Promise.all(docs.map(async (_, i) => file(`${patientName} note ${i}.pdf`, await recordPdf(`Record ${i}`, patientName)))));
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  if (picked.imported.length !== docs.length) throw new Error(`expected ${docs.length} imported documents, got ${picked.imported.length}`);
  if (picked.imported.some((d) => d.classified)) throw new Error('imported documents must start unclassified');
  await b.call('documents.classify', {
    releaseId: rel.id,
    items: picked.imported.map((d, i) => ({ documentId: d.id, category: docs[i]!.category, documentDate: docs[i]!.date })),
  });
  await b.call('releases.setRecipient', {
    releaseId: rel.id,
    name: 'Abcde Lawfirm Intake',
    email: 'intake@lawfirm.example.test',
    armoredKey: recipientKey,
    fingerprintConfirmed: true,
  });
  return { req, rel, docIds: picked.imported.map((d) => d.id), imported: picked.imported };
}

/**
 * A ready right-of-access release to the synthetic patient at `destination`: identity verified, the request ready,
 * the records `opts.records()` makes (default: one visit note, `visit.pdf`) picked once the release exists, each
 * classified as a visit note of 2025-06-01, the recipient set — with `opts.armoredKey` and its fingerprint confirmed
 * when given (PGP/MIME), after the patient check when `opts.checkPatient`. The clock is moved to now first when it
 * lags (the SMTP server's certificate and gpg keys are made at the real time).
 * @param opts `over`: fields of the request to change (see {@link intake})
 * @returns the request, the release and the picked documents' ids (in file order)
 */
export async function readyAccessRelease(
  b: Backend,
  destination: string,
  opts: { over?: Partial<ChannelInput<'requests.create'>>; records?: () => Promise<PickedFile[]>; armoredKey?: string; checkPatient?: boolean } = {},
) {
  if (b.clock.now().getTime() < Date.now()) b.clock.set(new Date().toISOString());
  const req = await b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination }], ...opts.over }));
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  const rel = await b.call('releases.create', { requestId: req.id });
  b.stage(opts.records ? await opts.records() : [file('visit.pdf', await recordPdf('Visit'))]);
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  await b.call('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes' as const, documentDate: '2025-06-01' })) });
  if (opts.checkPatient) await b.call('documents.checkPatient', { releaseId: rel.id });
  const key = opts.armoredKey ? { armoredKey: opts.armoredKey, fingerprintConfirmed: true } : {};
  await b.call('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: destination, ...key });
  return { req, rel, documentIds: picked.imported.map((d) => d.id) };
}

/**
 * A right-of-access release to the patient at `destination`, identity verified, one visit note, sent by password
 * PDF through the real send path ({@link readyAccessRelease}, then releases.send).
 */
export async function sendAccessReleaseByPasswordPdf(b: Backend, destination: string, over: Partial<ChannelInput<'requests.create'>> = {}) {
  const { req, rel } = await readyAccessRelease(b, destination, { over });
  const sent = await b.call('releases.send', { releaseId: rel.id, method: 'password-pdf' });
  return { req, rel, sent };
}
