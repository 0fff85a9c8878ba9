/**
 * The compliance dashboard ("Today").
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './common';

/**
 * Where an item on the dashboard is fixed, and the channel the fix needs (`needs`, e.g. 'backup.create') when only
 * some roles may make it: staff whose role may not call it are told whom to ask instead of being sent there.
 */
export const DashboardTarget = z.object({
  screen: z.enum(['request', 'wizard', 'outbox', 'settings', 'audit', 'requests']),
  id: Id.nullable(),
  needs: z.string().max(64).optional(),
});

export const DashboardItem = z.object({
  kind: z.enum([
    'request_overdue',
    'request_due',
    'release_failed',
    'release_bounced',
    'release_unconfirmed',
    'release_queued',
    'authorization_expiring',
    'key_expiring',
    'backup_due',
    'chain_problem',
    'patient_confirm_waiting',
  ]),
  severity: z.enum(['critical', 'warning', 'info']),
  /** PHI-free: references, counts and dates only. */
  title: z.string(),
  detail: z.string(),
  /** The link's words, e.g. "Open request Q-2026-00001". */
  action: z.string(),
  target: DashboardTarget,
});

export const PostureItem = z.object({
  key: z.enum(['tls', 'vault_encrypted', 'auto_lock', 'retention', 'bounce_mailbox', 'backup', 'mfa']),
  ok: z.boolean(),
  label: z.string(),
  /** What to do when not ok. */
  fix: z.string().nullable(),
  target: DashboardTarget.nullable(),
});

/** The compliance dashboard ("Today"): what needs attention, the audit chain, the configuration posture. PHI-free. */
export const Dashboard = z.object({
  asOf: IsoDate,
  items: z.array(DashboardItem),
  chain: z.object({ intact: z.boolean(), lastSeq: z.number().int(), latestCheckpointAt: IsoDateTime.nullable() }),
  posture: z.array(PostureItem),
  lastBackupAt: IsoDateTime.nullable(),
});

export type DashboardT = z.output<typeof Dashboard>;
