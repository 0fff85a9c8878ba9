import { readFileSync } from 'node:fs';
import type { ChannelOutput, ParsedInput, DashboardT, RestoreResultT, ReleaseEvaluationT, IdleLockSettingsT, PracticeDetailsInputT } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { listAudit } from './audit/audit';
import { AuditService } from './audit/audit-service';
import type { RulePack } from '../../shared/compliance';
import type { FilePicker } from './documents/picker';
import { discardPendingPdf, importFiles, supplyPdfPassword, type ImportContext } from './documents/import';
import type { FileSaver } from './documents/saver';
import { RequestService } from './requests/request-service';
import { inspectRecipientKey } from './openpgp/keys';
import { checkEmailAddress } from './recipients/email';
import { listTransmissions } from './releases/repo';
import type { CrashPoint, RetryPolicy } from './releases/send-workflow';
import { ReleaseDeliveryService } from './releases/delivery-service';
import { BounceService } from './bounces/service';
import { saveFailureNotice } from './releases/failure-notice';
import type { FolderPicker } from './documents/folder-picker';
import { Session, type UnlockOptions } from './session';
import { SmimeService } from './smime/service';
import type { CrlFetch } from './smime/revocation';
import { AccountService } from './accounts/account-service';
import { approveRelease } from './accounts/approvals';
import { localDate } from './compliance';
import { PatientCheckService } from './documents/patient-check';
import { AddressConfirmationService } from './recipients/address-confirmation';
import { getSetting } from './settings/settings';
import { SetupService } from './setup/setup-service';
import { SettingsService } from './settings/settings-service';
import { RetentionService } from './retention/service';
import { buildDashboard } from './dashboard/dashboard';
import { systemClock, type Clock } from './support/clock';
import { EventBus } from './support/events';
import { fileLogger, type Logger } from './support/logger';
import { createPackagingJobs, type PackagingJobs } from './packaging/jobs';
import { PackagingWorker, type WorkerEntry } from './packaging/worker-client';
import { PracticeServerService } from './practice/practice-server-service';
import type { PracticeConnectionOptions } from './practice/connection';

export interface ServicesConfig {
  /** Folder holding the vault and logs (created if missing). */
  dataDir: string;
  mode: 'electron' | 'preview';
  version: string;
  filePicker: FilePicker;
  /** Where documents.export saves (Electron: a save dialog). Without it, export answers EXPORT_UNAVAILABLE. */
  fileSaver?: FileSaver;
  /** Where releases.export writes (Electron: a folder dialog). Without it, export answers EXPORT_UNAVAILABLE. */
  folderPicker?: FolderPicker;
  /** Sensitive-category rule packs (default: the federal pack and the California HIV pack). */
  rulePacks?: readonly RulePack[];
  /** Assets root (fonts) for generated PDFs; default `<cwd>/assets`. */
  assetsRoot?: string;
  clock?: Clock;
  logger?: Logger;
  /** Extra trusted CA certificates (PEM) for SMTP, e.g. a practice's private CA or a test CA. */
  smtpCa?: string[];
  /** The outbox sender: how often it looks for due releases (ms, default 15 000) and its retry backoff. */
  queue?: { tickMs?: number; retry?: RetryPolicy };
  /** Per-wait SMTP timeout in ms (default 30 000). */
  smtpTimeoutMs?: number;
  /** Bounces (issue 8): extra trusted CAs for the bounce mailbox (IMAP over TLS; default: smtpCa), per-wait timeout, poll interval (ms, default 300 000). */
  bounces?: { ca?: string[]; timeoutMs?: number; pollMs?: number };
  /** S/MIME (issue 18): roots a recipient certificate's chain may end in (PEM); default: the roots Node trusts. */
  smimeTrustAnchors?: string[];
  /** S/MIME: how CRLs are fetched from distribution points (null: offline, only imported/cached CRLs); default HTTP(S), 5 s timeout. */
  smimeCrlFetch?: CrlFetch | null;
  /**
   * Run packet assembly, stamping, image decoding, splitting and the password PDF in a worker thread
   * (packaging/worker-client.ts), so the main process's event loop stays responsive: the Electron app passes
   * its built worker script (`builtWorkerEntry(buildDir)`), the preview the source (`sourceWorkerEntry()`).
   * Absent: the work runs on the calling thread (tools, unit tests).
   */
  packagingWorker?: WorkerEntry;
  /** The practice server (issue #17): connect and statement timeouts (default 10 s / 30 s, practice/connection.ts). */
  practiceServer?: PracticeConnectionOptions;
  /** Crash-test hook of the send path (never set in the product). */
  checkpoint?: (point: CrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>;
}

export type Services = ReturnType<typeof createServices>;

/**
 * Wire every service with its dependencies. No singletons: the Electron main
 * process and the test host each call this once with their own config.
 */
export function createServices(config: ServicesConfig) {
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? fileLogger(config.dataDir);
  const session = new Session(config.dataDir, clock, logger);
  const events = new EventBus();
  const setup = new SetupService(session);
  const accounts = new AccountService(session);
  const requests = new RequestService({
    session,
    filePicker: config.filePicker,
    fileSaver: config.fileSaver,
    rulePacks: config.rulePacks,
    assetsRoot: config.assetsRoot,
  });
  const patientChecks = new PatientCheckService(session);
  const smime = new SmimeService({ session, trustAnchors: config.smimeTrustAnchors, crlFetch: config.smimeCrlFetch });
  const packaging: PackagingJobs = config.packagingWorker ? new PackagingWorker(config.packagingWorker) : createPackagingJobs();
  const releases = new ReleaseDeliveryService({
    packaging,
    patientChecks,
    smime,
    session,
    filePicker: config.filePicker,
    events,
    smtpCa: config.smtpCa,
    requests,
    ...(config.folderPicker ? { folderPicker: config.folderPicker } : {}),
    ...(config.assetsRoot ? { assetsRoot: config.assetsRoot } : {}),
    retry: config.queue?.retry,
    smtpTimeoutMs: config.smtpTimeoutMs,
    checkpoint: config.checkpoint,
  });
  const addressConfirmations = new AddressConfirmationService({ session, smtpCa: config.smtpCa, smtpTimeoutMs: config.smtpTimeoutMs });
  let queueTimer: NodeJS.Timeout | null = null;
  let queueRun: Promise<unknown> | null = null;
  const bounces = new BounceService({ session, events, ca: config.bounces?.ca ?? config.smtpCa, timeoutMs: config.bounces?.timeoutMs });
  let bounceTimer: NodeJS.Timeout | null = null;
  let bounceRun: Promise<unknown> | null = null;

  const retention = new RetentionService({
    session,
    ...(config.folderPicker ? { folderPicker: config.folderPicker } : {}),
  });

  const settingsService = new SettingsService({ session, clock, smtpCa: config.smtpCa, fileSaver: config.fileSaver });
  const practiceServer = new PracticeServerService({ session, clock, connection: config.practiceServer });

  const auditReports = new AuditService({
    session,
    onProgress: (report, done, total) => events.emit('reportProgress', { report, done, total }),
    ...(config.folderPicker ? { folderPicker: config.folderPicker } : {}),
    ...(config.assetsRoot ? { assetsRoot: config.assetsRoot } : {}),
  });

  // Record file import (documents/import.ts): drops and protected PDFs; documents.pick goes through releases.importPicked.
  const importContext: ImportContext = {
    session,
    events,
    today: () => localDate(clock.now(), requests.timeZone()),
    ...(config.assetsRoot ? { assetsRoot: config.assetsRoot } : {}),
  };
  const documents = {
    importDropped: async (releaseId: string) => importFiles(importContext, releaseId, (await config.filePicker.takeDropped?.()) ?? []),
    unlockPdf: (releaseId: string, passwordRequestId: string, password: string) => supplyPdfPassword(importContext, releaseId, passwordRequestId, password),
    discardPending: (passwordRequestId: string) => discardPendingPdf(importContext, passwordRequestId),
  };

  return {
    config,
    session,
    auditReports,
    events,
    logger,
    setup,
    /** Staff accounts, MFA, security settings (accounts/account-service.ts). */
    accounts,
    requests,
    releases,
    documents,
    /** Record files compared with the release's patient; page previews (documents/patient-check.ts). */
    patientChecks,
    /** The address confirmation round trip: a PHI-free code emailed, read back, the address confirmed (recipients/address-confirmation.ts). */
    addressConfirmations,
    bounces,
    /** Retention policy, legal holds, the purge, backup and restore (retention/service.ts). */
    retention,
    /** Recipient S/MIME certificates and the practice certificate (smime/service.ts, issue 18). */
    smime,
    /** This workstation's practice server: PostgreSQL connection settings and test (practice/practice-server-service.ts, issue #17). */
    practiceServer,

    /** The compliance dashboard ("Today"), PHI-free (dashboard/dashboard.ts). @throws AppError VAULT_LOCKED */
    dashboard(): Promise<DashboardT> {
      return buildDashboard({ session, requests, releases, retention, auditReports, bounces });
    },

    /**
     * Restore a backup into the empty data folder (before setup), then unlock it like a normal unlock.
     * @throws AppError RESTORE_TARGET_NOT_EMPTY | BACKUP_NOT_FOUND | WRONG_PASSPHRASE | BACKUP_INVALID
     */
    restore(passphrase: string): Promise<RestoreResultT> {
      return retention.restore(passphrase, (p) => this.unlock(p));
    },

    /**
     * Approve a third-party release under the two-person rule (accounts/approvals.ts), then the gate's evaluation.
     * @throws AppError APPROVAL_NOT_NEEDED | APPROVAL_NOT_PERMITTED | VAULT_LOCKED
     */
    async approveRelease(releaseId: string): Promise<ReleaseEvaluationT> {
      approveRelease(session, releaseId);
      return releases.evaluate(releaseId);
    },

    /**
     * Start reading the bounce mailbox every `pollMs` (default 5 minutes) while the vault is unlocked and a
     * mailbox is set. Failures are audited by BounceService.checkNow and logged as codes; nothing is thrown.
     */
    startBounceWatch(): void {
      if (bounceTimer) return;
      bounceTimer = setInterval(() => {
        if (bounceRun || session.state !== 'unlocked' || !bounces.settings()) return;
        bounceRun = bounces
          .checkNow('mailbox')
          .catch((e: unknown) => logger.warn('bounces.check_failed', { code: (e as { code?: string })?.code ?? 'INTERNAL' }))
          .finally(() => {
            bounceRun = null;
          });
      }, config.bounces?.pollMs ?? 300_000);
      bounceTimer.unref?.();
    },

    /**
     * The PHI-free delivery-failure notice of a bounced or failed release, offered to save (releases/failure-notice.ts).
     * Audited as `release.failure_notice`.
     */
    failureNotice(releaseId: string): Promise<ChannelOutput<'releases.failureNotice'>> {
      return saveFailureNotice({ session, assetsRoot: config.assetsRoot, fileSaver: config.fileSaver }, releaseId);
    },

    /** Where packaging runs (the worker thread when `packagingWorker` is set). */
    packaging,

    /** End the packaging worker thread, if any (at quit). Jobs still running fail with PACKAGING_CANCELLED. */
    async stopPackaging(): Promise<void> {
      if (packaging instanceof PackagingWorker) await packaging.close();
    },

    /** Stop the bounce poll and wait for a check in progress. */
    async stopBounceWatch(): Promise<void> {
      if (bounceTimer) clearInterval(bounceTimer);
      bounceTimer = null;
      await bounceRun;
    },

    /** What the app shell needs before anything else: mode, version, vault state, names. */
    appInfo(): ChannelOutput<'app.info'> {
      const unlocked = session.state === 'unlocked';
      return {
        mode: config.mode,
        version: config.version,
        vault: session.state,
        practiceName: unlocked ? (getSetting(session.require().db, 'practice')?.name ?? null) : null,
        staffName: unlocked ? session.actor() : null,
        user: unlocked ? session.currentUser() : null,
        mfaEnrollmentDue: unlocked ? accounts.mfaEnrollmentDue() : false,
      };
    },

    /**
     * Audit input refused at the IPC boundary (contract validation), when the vault is open.
     * Detail: the channel and the field paths only — never the values.
     */
    auditInvalidInput(channel: string, fields: string[]): void {
      if (session.state !== 'unlocked') return;
      session.recordFailure('rpc.input_refused', { type: 'channel', id: channel }, new AppError('VALIDATION_FAILED', 'Invalid input.'), {
        fields: fields.join(',').slice(0, 500),
      });
    },

    /** Unlock as a staff account (name, passphrase, MFA code), then recover any send interrupted by a crash (SendWorkflow.recover: unconfirmed or queued again). */
    async unlock(passphrase: string, opts: UnlockOptions = {}): Promise<void> {
      await session.unlock(passphrase, opts);
      await auditReports.afterUnlock(); // the log against its checkpoints: a cut tail or rewritten chain is recorded now
      releases.workflow.recover();
      // Retention purge at start (issue #13): never blocks the unlock; a failure is audited and logged as a code.
      try {
        retention.purge('unlock');
      } catch (e) {
        session.recordFailure('retention.purge', { type: 'retention', id: null }, e, { trigger: 'unlock' });
      }
    },

    /**
     * Start the outbox sender: every `tickMs` (default 15 s) it delivers the queued releases that are due, while
     * the vault is unlocked. Idempotent; one run at a time.
     */
    startQueue(): void {
      if (queueTimer) return;
      queueTimer = setInterval(() => {
        if (queueRun || session.state !== 'unlocked') return;
        queueRun = releases.workflow.runDue().finally(() => {
          queueRun = null;
        });
      }, config.queue?.tickMs ?? 15_000);
      queueTimer.unref?.();
    },

    /** Stop the outbox sender and wait for a run in progress. */
    async stopQueue(): Promise<void> {
      if (queueTimer) clearInterval(queueTimer);
      queueTimer = null;
      await queueRun;
    },

    // Settings (settings/settings-service.ts): SMTP, the practice's details and key, the idle lock.
    updateSmtp: (input: ParsedInput<'settings.updateSmtp'>) => settingsService.updateSmtp(input),
    testSmtp: (input: ParsedInput<'settings.testSmtp'>) => settingsService.testSmtp(input),
    exportPracticeKey: () => settingsService.exportPracticeKey(),
    importPracticeKey: (input: ParsedInput<'settings.importPracticeKey'>) => settingsService.importPracticeKey(input),
    settings: () => settingsService.settings(),
    idleLock: () => settingsService.idleLock(),
    setIdleLock: (input: IdleLockSettingsT) => settingsService.setIdleLock(input),
    idleLockMinutes: () => settingsService.idleLockMinutes(),
    updatePractice: (input: PracticeDetailsInputT) => settingsService.updatePractice(input),

    checkEmail: checkEmailAddress,

    /** Facts about a pasted recipient key. @throws AppError KEY_* */
    async inspectKey(armored: string) {
      session.require();
      return inspectRecipientKey(armored, clock.now());
    },

    audit: {
      events: (limit: number) => listAudit(session.require().db, limit),
      transmissions: () => listTransmissions(session.require().db),
      /** The chain and every checkpoint (audit/chain.ts); audited. */
      verify: () => auditReports.verify(),
    },
  };
}

/** Read PEM files named in a path list (e.g. from an environment variable), for `smtpCa`. */
export function readCaFiles(paths: string[]): string[] {
  return paths.map((p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      throw new AppError('VALIDATION_FAILED', 'A configured certificate authority file could not be read.');
    }
  });
}
