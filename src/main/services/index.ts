import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { RulePack } from '../../shared/compliance';
import { AccountService } from './accounts/account-service';
import { AppService } from './app/app-service';
import { AuditService } from './audit/audit-service';
import { BounceService } from './bounces/service';
import { localDate } from './compliance';
import { DashboardService } from './dashboard/dashboard';
import { DocumentsService } from './documents/documents-service';
import type { FilePicker } from './documents/picker';
import type { FileSaver } from './documents/saver';
import type { FolderPicker } from './documents/folder-picker';
import type { ImportContext } from './documents/import';
import { PatientCheckService } from './documents/patient-check';
import { createPackagingJobs, type PackagingJobs } from './packaging/jobs';
import { PackagingWorker, type WorkerEntry } from './packaging/worker-client';
import { AddressConfirmationService } from './recipients/address-confirmation';
import { RecipientsService } from './recipients/recipients-service';
import { ReleasesService } from './releases/releases-service';
import type { CrashPoint, RetryPolicy } from './releases/send-workflow';
import { AuthorizationsService, Part2ConsentsService } from './requests/consent-services';
import { RequestService } from './requests/request-service';
import { BackupService } from './retention/backup-service';
import { RetentionService } from './retention/service';
import { Session } from './session';
import { SettingsService } from './settings/settings-service';
import { SetupService } from './setup/setup-service';
import { SmimeService } from './smime/service';
import type { CrlFetch } from './smime/revocation';
import { Background } from './support/background';
import { systemClock, type Clock } from './support/clock';
import { EventBus } from './support/events';
import { fileLogger, type Logger } from './support/logger';
import { practiceReferenceIssuer } from './practice/reference-issuer';
import { PracticeLinkService } from './practice/practice-link-service';
import { PracticeServerService } from './practice/practice-server-service';
import type { PracticeConnectionOptions } from './practice/connection';
import type { PracticeLink } from './practice/practice-link';
import { VaultService } from './vault/vault-service';

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
  /**
   * The link to the practice server (issue #17) through which releases are sent when it is not `local`; default this
   * workstation's own link (practice/practice-link-service.ts), which is `local` until a practice server is configured
   * and joined in Settings, so a workstation without one sends every release itself.
   */
  practiceLink?: PracticeLink;
  /** Crash-test hook of the send path (never set in the product). */
  checkpoint?: (point: CrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>;
}

export type Services = ReturnType<typeof createServices>;

/**
 * Wire every service with its dependencies. No singletons: the Electron main process and the test host each call
 * this once with their own config. Each channel namespace `'<namespace>.<verb>'` is served by `services.<namespace>`
 * (src/main/rpc/handlers.ts); the rest is what the shell and the tests need (session, events, logger, background work).
 */
export function createServices(config: ServicesConfig) {
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? fileLogger(config.dataDir);
  const session = new Session(config.dataDir, clock, logger);
  const events = new EventBus();
  const folderPicker = config.folderPicker ? { folderPicker: config.folderPicker } : {};
  const assetsRoot = config.assetsRoot ? { assetsRoot: config.assetsRoot } : {};
  const setup = new SetupService(session);

  const requests = new RequestService({ session, filePicker: config.filePicker, fileSaver: config.fileSaver, rulePacks: config.rulePacks, assetsRoot: config.assetsRoot });
  const patientChecks = new PatientCheckService(session);
  const smime = new SmimeService({ session, trustAnchors: config.smimeTrustAnchors, crlFetch: config.smimeCrlFetch });
  // The practice server link (issue #17): join, sync of requests and the audit trail; releases go through its shared
  // outbox when it is not `local`. Tests may pass their own link (config.practiceLink).
  const practiceServer = new PracticeServerService({ session, clock, connection: config.practiceServer });
  const practiceLink = new PracticeLinkService({ session, clock, logger, practiceServer, timeZone: () => requests.timeZone() });
  practiceServer.attachLink(practiceLink);
  // Practice-wide staff accounts: changes go to the practice staff directory; a practice-wide account can sign in on
  // any joined workstation (practice/staff-directory.ts).
  session.setPracticeSignIn(practiceLink.directory);
  const accounts = new AccountService(session, practiceLink.directory);
  const link: PracticeLink = config.practiceLink ?? practiceLink;
  requests.useReferenceIssuer(practiceReferenceIssuer(link));
  const packaging: PackagingJobs = config.packagingWorker ? new PackagingWorker(config.packagingWorker) : createPackagingJobs();
  const releases = new ReleasesService({
    packaging,
    patientChecks,
    smime,
    session,
    filePicker: config.filePicker,
    fileSaver: config.fileSaver,
    events,
    smtpCa: config.smtpCa,
    requests,
    ...folderPicker,
    ...assetsRoot,
    retry: config.queue?.retry,
    smtpTimeoutMs: config.smtpTimeoutMs,
    checkpoint: config.checkpoint,
    link,
  });
  const addressConfirmations = new AddressConfirmationService({ session, smtpCa: config.smtpCa, smtpTimeoutMs: config.smtpTimeoutMs });
  const bounces = new BounceService({ session, events, ca: config.bounces?.ca ?? config.smtpCa, timeoutMs: config.bounces?.timeoutMs, link });
  const retention = new RetentionService({ session, ...folderPicker });
  const audit = new AuditService({
    session,
    onProgress: (report, done, total) => events.emit('reportProgress', { report, done, total }),
    ...folderPicker,
    ...assetsRoot,
  });
  const settings = new SettingsService({ session, clock, smtpCa: config.smtpCa, fileSaver: config.fileSaver, bounces, smime, accounts });
  const vault = new VaultService({ session, audit, releases, retention });
  // Record file import (documents/import.ts): drops and protected PDFs; documents.pick goes through releases.importPicked.
  const importContext: ImportContext = { session, events, today: () => localDate(clock.now(), requests.timeZone()), ...assetsRoot };
  const app = new AppService({ session, accounts, mode: config.mode, version: config.version });
  const background = new Background({
    session,
    releases,
    bounces,
    packaging,
    assetsRoot: config.assetsRoot,
    logger,
    link,
    queueTickMs: config.queue?.tickMs,
    bouncePollMs: config.bounces?.pollMs,
    practiceLink,
  });

  return {
    config,
    session,
    events,
    logger,
    /** Where packaging runs (the worker thread when `packagingWorker` is set). */
    packaging,
    // ---- one service per channel namespace ----
    app,
    setup,
    vault,
    /** Staff accounts, MFA (accounts/account-service.ts). */
    accounts,
    settings,
    requests,
    authorizations: new AuthorizationsService(requests.ctx),
    part2Consents: new Part2ConsentsService(requests.ctx),
    releases,
    documents: new DocumentsService({ releases, requests: requests.ctx, patientChecks, filePicker: config.filePicker, importContext }),
    recipients: new RecipientsService({ session, addressConfirmations }),
    bounces,
    audit,
    /** Retention policy, legal holds, the purge (retention/service.ts). */
    retention,
    backup: new BackupService({ retention, vault }),
    dashboard: new DashboardService({ session, requests, releases, retention, audit, bounces }),
    /** This workstation's practice server: PostgreSQL connection settings and test (practice/practice-server-service.ts, issue #17). */
    practiceServer,
    /** The link to the practice server: join, sync of requests and the audit trail, conflicts (practice/practice-link-service.ts). */
    practiceLink,
    // ---- what the shell and the tests use besides the channels ----
    /** Record files compared with the release's patient (documents/patient-check.ts). */
    patientChecks,
    /** Recipient S/MIME certificates and the practice certificate (smime/service.ts, issue 18). */
    smime,
    /** The idle lock minutes for the Electron shell's system-idle check; null while locked. */
    idleLockMinutes: () => settings.idleLockMinutes(),
    auditInvalidInput: app.auditInvalidInput,
    startQueue: background.startQueue,
    stopQueue: background.stopQueue,
    startBounceWatch: background.startBounceWatch,
    stopBounceWatch: background.stopBounceWatch,
    startPracticeSync: background.startPracticeSync,
    stopPracticeSync: background.stopPracticeSync,
    warmPackaging: background.warmPackaging,
    stopPackaging: background.stopPackaging,
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
