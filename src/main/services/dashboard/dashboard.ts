/**
 * The compliance dashboard ("Today"): what needs attention now, each with where it is fixed; the audit chain's
 * status; the configuration posture. PHI-free by construction — references, counts and dates only, no patient
 * names — so showing it is not an access to records.
 */
import type { DashboardItem, PostureItem, DashboardT } from '../../../shared/contract';
import { isAppError } from '../../../shared/errors';
import { verifyChainParallel } from '../audit/chain';
import { CHECKPOINT_KEY_PURPOSE } from '../audit/checkpoints';
import type { AuditService } from '../audit/audit-service';
import type { BounceService } from '../bounces/service';
import { addDays, daysBetween, localDate } from '../compliance/dates';
import { inspectRecipientKey } from '../openpgp/keys';
import type { ReleaseDeliveryService } from '../releases/delivery-service';
import type { RequestService } from '../requests/request-service';
import type { RetentionService } from '../retention/service';
import type { Session } from '../session';
import { activePracticeKey, idleLockSettings, requireSetting, securitySettings } from '../settings/settings';
import { listUsers } from '../accounts/users-repo';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { currentAuthorizations, releasesWithConfirmedForeignFiles, unfinishedReleaseKeys } from './repo';
import { listPatientChecks } from '../documents/patient-check';
import { activePracticeCertificate } from '../smime/repo';
import { daysUntilExpiry } from '../smime/practice-certificate';
import type { z } from 'zod';

type Item = z.output<typeof DashboardItem>;
type Posture = z.output<typeof PostureItem>;

/** Authorizations and keys expiring within this many calendar days are shown. */
export const EXPIRY_WARNING_DAYS = 30;

const OPEN_REQUEST_STATUSES = ['received', 'verifying', 'ready', 'partly_sent', 'failed'] as const;

export interface DashboardDeps {
  session: Session;
  requests: RequestService;
  releases: ReleaseDeliveryService;
  retention: RetentionService;
  audit: AuditService;
  bounces: BounceService;
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/**
 * Build the dashboard for today (practice time zone).
 * Items: requests overdue / due within 7 days (164.524(b)(2)); releases failed, bounced, unconfirmed, queued;
 * authorizations expiring within 30 days (164.508(c)(1)(v)); recipient and practice keys expiring within 30 days;
 * a backup older than the practice's reminder (164.308(a)(7)(ii)(A)); problems in the audit chain (164.312(b)).
 * @throws AppError VAULT_LOCKED
 */
export async function buildDashboard(d: DashboardDeps): Promise<DashboardT> {
  const v = d.session.require();
  const tz = requireSetting(v.db, 'practice').timeZone;
  const now = d.session.clock.now();
  const today = localDate(now, tz);
  const horizon = addDays(today, EXPIRY_WARNING_DAYS);
  const items: Item[] = [];
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

  for (const r of d.requests.list()) {
    if (r.overdue) {
      items.push({
        kind: 'request_overdue',
        severity: 'critical',
        title: `Request ${r.reference} is overdue`,
        detail: `It was due on ${r.dueDate} (${plural(-(r.daysLeft ?? 0), 'day')} ago). Send the records, deny in writing, or record an extension.`,
        action: `Open request ${r.reference}`,
        target: { screen: 'request', id: r.id },
      });
    } else if (r.dueThisWeek) {
      items.push({
        kind: 'request_due',
        severity: 'warning',
        title: `Request ${r.reference} is due ${r.daysLeft === 0 ? 'today' : `in ${plural(r.daysLeft ?? 0, 'day')}`}`,
        detail: `Due on ${r.dueDate}.`,
        action: `Open request ${r.reference}`,
        target: { screen: 'request', id: r.id },
      });
    }
  }

  for (const e of d.releases.workflow.outbox()) {
    if (e.status === 'failed') {
      items.push({
        kind: 'release_failed',
        severity: 'critical',
        title: `Release ${e.reference} failed`,
        detail: e.lastError ? `${e.lastError.message} Nothing more is sent until someone tries again.` : 'Nothing more is sent until someone tries again.',
        action: `Open release ${e.reference}`,
        target: { screen: 'wizard', id: e.releaseId },
      });
    } else if (e.status === 'bounced') {
      items.push({
        kind: 'release_bounced',
        severity: 'critical',
        title: `Release ${e.reference} was returned as undeliverable`,
        detail: 'The records did not arrive. Make a letter for the patient and send again to a confirmed address.',
        action: `Open release ${e.reference}`,
        target: { screen: 'wizard', id: e.releaseId },
      });
    } else if (e.status === 'unconfirmed') {
      items.push({
        kind: 'release_unconfirmed',
        severity: 'warning',
        title: `Release ${e.reference} is unconfirmed`,
        detail: 'The mail server did not answer after the message was handed over. Check with the recipient, then record what happened.',
        action: 'Open the outbox',
        target: { screen: 'outbox', id: null },
      });
    } else if (e.status === 'queued' || e.status === 'partly_sent') {
      items.push({
        kind: 'release_queued',
        severity: 'info',
        title: `Release ${e.reference} is waiting in the outbox`,
        detail: e.paused ? 'Paused by staff.' : 'ReleaseDesk sends it by itself; nothing to do unless it keeps failing.',
        action: 'Open the outbox',
        target: { screen: 'outbox', id: null },
      });
    }
  }

  // A confirmed file that shows another patient waits for a privacy officer (45 CFR 164.502(a), 164.530(c)).
  const officer = ['privacy_officer', 'administrator'].includes(d.session.currentUser()?.role ?? '');
  for (const r of releasesWithConfirmedForeignFiles(v.db)) {
    const waiting = listPatientChecks(v.db, r.releaseId).filter((c) => c.officerApproval === 'waiting').length;
    if (waiting === 0) continue;
    items.push({
      kind: 'patient_confirm_waiting',
      severity: 'critical',
      title: `Release ${r.reference} has ${plural(waiting, 'file')} that ${waiting === 1 ? 'shows' : 'show'} another patient`,
      detail: officer
        ? 'Staff confirmed it belongs, with a reason. A privacy officer must look at it and approve or decline it before anything is sent.'
        : 'A privacy officer must approve it before it can be sent. Ask your privacy officer to open the release.',
      action: `Approve or decline in release ${r.reference}`,
      // Only officers get the button; front desk are told whom to ask (renderer lib/roles.ts mayFix).
      target: { screen: 'wizard', id: r.releaseId, needs: 'documents.decidePatientConfirm' },
    });
  }

  for (const a of currentAuthorizations(v.db, OPEN_REQUEST_STATUSES)) {
    let auth: { expiration?: { date?: string }; revocation?: unknown };
    try {
      auth = JSON.parse(a.authorizationJson) as typeof auth;
    } catch {
      continue;
    }
    const until = auth.expiration?.date;
    if (auth.revocation || !until || until < today || until > horizon) continue;
    items.push({
      kind: 'authorization_expiring',
      severity: 'warning',
      title: `The authorization for request ${a.reference} expires on ${until}`,
      detail: `${until === today ? 'It expires today.' : `${plural(daysBetween(today, until), 'day')} left.`} Releases under it are blocked after that day; send before, or ask for a new authorization.`,
      action: `Open request ${a.reference}`,
      target: { screen: 'request', id: a.requestId },
    });
  }

  const keyItem = async (armored: string): Promise<{ expiresOn: string; expired: boolean } | null> => {
    try {
      const info = await inspectRecipientKey(armored, now);
      if (!info.expiresAt) return null;
      const on = localDate(info.expiresAt, tz);
      return on <= horizon ? { expiresOn: on, expired: false } : null;
    } catch (e) {
      return isAppError(e) && e.code === 'KEY_EXPIRED' ? { expiresOn: today, expired: true } : null;
    }
  };
  for (const k of unfinishedReleaseKeys(v.db)) {
    const x = await keyItem(k.armoredKey);
    if (!x) continue;
    items.push({
      kind: 'key_expiring',
      severity: x.expired ? 'critical' : 'warning',
      title: x.expired ? `The recipient's key for release ${k.reference} has expired` : `The recipient's key for release ${k.reference} expires on ${x.expiresOn}`,
      detail: 'Ask the recipient for a renewed key, or choose another delivery method.',
      action: `Open release ${k.reference}`,
      target: { screen: 'wizard', id: k.releaseId },
    });
  }
  const practice = await keyItem(activePracticeKey(v.db).armoredPublic);
  if (practice) {
    items.push({
      kind: 'key_expiring',
      severity: practice.expired ? 'critical' : 'warning',
      title: practice.expired ? 'The practice key has expired' : `The practice key expires on ${practice.expiresOn}`,
      detail: 'Recipients check the practice’s signature with it.',
      action: 'Open Settings',
      target: { screen: 'settings', id: null, needs: 'settings.importPracticeKey' },
    });
  }

  // The practice's S/MIME certificate (issue 18): warned 30 days ahead, like the keys.
  const smimeCert = activePracticeCertificate(v.db);
  if (smimeCert) {
    const left = daysUntilExpiry(smimeCert, now);
    const on = localDate(new Date(smimeCert.notAfter), tz);
    if (left <= EXPIRY_WARNING_DAYS) {
      items.push({
        kind: 'key_expiring',
        severity: left < 0 ? 'critical' : 'warning',
        title: left < 0 ? 'The practice S/MIME certificate has expired' : `The practice S/MIME certificate expires on ${on}`,
        detail:
          (left < 0 ? 'S/MIME releases are refused until it is renewed. ' : 'ReleaseDesk does not replace it by itself. ') +
          (smimeCert.selfSigned
            ? 'An administrator replaces it in Settings with a new self-made one; recipients will see a new fingerprint.'
            : 'Renew it with your certificate authority and import the new one in Settings.'),
        action: 'Open Settings',
        target: { screen: 'settings', id: null, needs: 'settings.importSmimeCertificate' },
      });
    }
  }

  const lastBackupAt = d.retention.lastBackupAt();
  const backupDue = d.retention.backupDue();
  if (backupDue) {
    items.push({
      kind: 'backup_due',
      severity: 'warning',
      title: lastBackupAt ? `The last backup is from ${localDate(lastBackupAt, tz)}` : 'No backup has been made yet',
      detail: `Back up at least every ${plural(d.retention.policy().backupReminderDays, 'day')}, to a drive kept away from this computer.`,
      action: 'Back up now in Settings',
      target: { screen: 'settings', id: null, needs: 'backup.create' },
    });
  }

  const chain = await verifyChainParallel(v.db, v.fileAccess(), d.session.auditKey(), v.subkey(CHECKPOINT_KEY_PURPOSE), d.session.dataDir, [], {
    onFallback: (code) => d.session.logger.warn('audit.verify_workers_unavailable', { code }),
  });
  if (!chain.intact) {
    items.push({
      kind: 'chain_problem',
      severity: 'critical',
      title: 'The audit log does not verify',
      detail: chain.problems[0]?.message ?? 'Open the audit log and check its integrity.',
      action: 'Open the audit log',
      target: { screen: 'audit', id: null, needs: 'audit.verify' },
    });
  }

  const view = d.retention.get();
  const mailbox = d.bounces.settings();
  const smtp = requireSetting(v.db, 'smtp');
  const posture: Posture[] = [
    { key: 'vault_encrypted', ok: true, label: 'Vault encrypted (AES-256); each person signs in with their own passphrase', fix: null, target: null },
    { key: 'tls', ok: true, label: `Email leaves only over verified TLS 1.2 or newer (${smtp.security === 'tls' ? 'TLS from the start' : 'STARTTLS required'})`, fix: null, target: null },
    { key: 'auto_lock', ok: true, label: `Locks itself after ${minutesText(idleLockSettings(v.db).idleMinutes)} without use`, fix: null, target: null },
    {
      key: 'retention',
      ok: view.policySet,
      label: view.policySet ? 'Retention policy set' : 'No retention policy chosen yet (record files are kept)',
      fix: view.policySet ? null : 'Choose how long record files of completed releases are kept.',
      target: view.policySet ? null : { screen: 'settings', id: null, needs: 'retention.setPolicy' },
    },
    {
      key: 'bounce_mailbox',
      ok: mailbox !== null,
      label: mailbox ? 'Bounce mailbox set: returned emails are noticed' : 'No bounce mailbox: returned emails go unnoticed',
      fix: mailbox ? null : 'Add the mailbox that receives returned emails.',
      target: mailbox ? null : { screen: 'settings', id: null, needs: 'settings.updateBounceMailbox' },
    },
    {
      key: 'backup',
      ok: !backupDue,
      label: backupDue ? 'Backup overdue' : `Last backup ${lastBackupAt ? localDate(lastBackupAt, tz) : ''}`.trim(),
      fix: backupDue ? 'Make a backup to a drive kept away from this computer.' : null,
      target: backupDue ? { screen: 'settings', id: null, needs: 'backup.create' } : null,
    },
    mfaPosture(v.db),
  ];

  items.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  return {
    asOf: today,
    items,
    chain: { intact: chain.intact, lastSeq: chain.lastSeq, latestCheckpointAt: chain.latestCheckpoint?.at ?? null },
    posture,
    lastBackupAt,
  };
}

/** "1 minute", "5 minutes". */
function minutesText(n: number): string {
  return `${n} ${n === 1 ? 'minute' : 'minutes'}`;
}

/**
 * Two-step sign-in (staff accounts, issue #11): ok when the practice requires it and every active account has it.
 * PHI-free (counts only). @source 45 CFR 164.312(d) person or entity authentication.
 */
function mfaPosture(db: Database): z.infer<typeof PostureItem> {
  const required = securitySettings(db).requireMfa;
  const users = listUsers(db).filter((u) => u.active);
  const without = users.filter((u) => u.mfaSecret === null).length;
  if (required && without === 0) return { key: 'mfa', ok: true, label: 'Two-step sign-in required and on for every account', fix: null, target: null };
  return {
    key: 'mfa',
    ok: false,
    label: required ? `${without} of ${users.length} accounts have not set up two-step sign-in yet` : 'Two-step sign-in is not required',
    fix: required ? 'Each person turns it on under Settings → Your account.' : 'An administrator can require it under Settings → Staff accounts.',
    target: required ? { screen: 'settings', id: null } : { screen: 'settings', id: null, needs: 'settings.setSecurity' },
  };
}

/** The `dashboard.*` channels: the compliance dashboard ("Today"), PHI-free (see {@link buildDashboard}). */
export class DashboardService {
  constructor(private readonly d: DashboardDeps) {}

  /** Today's dashboard (see {@link buildDashboard}). @throws AppError VAULT_LOCKED */
  get(): Promise<DashboardT> {
    return buildDashboard(this.d);
  }
}
