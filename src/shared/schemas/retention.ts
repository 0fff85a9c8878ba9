/**
 * Retention policy, legal holds, purges and backups (45 CFR 164.530(j), 164.316(b)(2)(i)).
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { line } from '../text-rules';
import { Count, Id, IsoDateTime } from './common';

/** The shortest documentation and audit-log retention allowed: six years (45 CFR 164.530(j)(2); 164.316(b)(2)(i)). */
export const RETENTION_MINIMUM_YEARS = 6;

/**
 * The practice's retention policy. Years/days are counted in calendar days in the practice's time zone.
 * `recordFileDays` null: record files are kept (nothing purged) until the practice chooses a period.
 */
export const RetentionPolicy = z
  .object({
    /** Documentation (authorizations, forms, notices, representative authority) kept this many years from creation or last effective date; at least 6. */
    documentationYears: z.number().int().min(1).max(100),
    /** Record files (and prepared packets) of a completed release kept this many days after completion; null: kept. */
    recordFileDays: z.number().int().min(1).max(36_500).nullable(),
    /** Audit log kept at least this many years (ReleaseDesk never deletes audit events); at least 6. */
    auditYears: z.number().int().min(1).max(100),
    /** Remind staff when the last backup is older than this many days. */
    backupReminderDays: z.number().int().min(1).max(365),
  })
  .strict();

export const LegalHoldView = z.object({
  id: Id,
  scope: z.enum(['patient', 'request']),
  patientMrn: z.string().nullable(),
  patientName: z.string().nullable(),
  requestId: Id.nullable(),
  requestReference: z.string().nullable(),
  reason: z.string(),
  placedBy: z.string(),
  placedAt: IsoDateTime,
});

/** What one purge removed: kinds and counts only (no PHI). */
export const PurgeResult = z.object({
  at: IsoDateTime,
  /** Record files of completed releases whose content was removed. */
  recordFiles: Count,
  /** Documentation files past their retention whose content was removed. */
  documentation: Count,
  /** Prepared packets (print-ready PDFs) removed. */
  packets: Count,
  /** Stored outgoing messages of completed releases removed. */
  outboxMessages: Count,
  /** Bytes of content removed. */
  bytes: Count,
  /** Expired items kept because a legal hold covers them. */
  heldBack: Count,
});

export const RetentionView = z.object({
  policy: RetentionPolicy,
  /** False until the practice saved a policy (defaults shown). */
  policySet: z.boolean(),
  /** Whether the person signed in may change retention and holds (the privacy officer). */
  canChange: z.boolean(),
  holds: z.array(LegalHoldView),
  lastPurge: PurgeResult.nullable(),
  lastBackupAt: IsoDateTime.nullable(),
  /** No backup yet, or the last one is older than `backupReminderDays`. */
  backupDue: z.boolean(),
});

export const PlaceHoldInput = z
  .object({
    scope: z.enum(['patient', 'request']),
    /** The patient's MRN (scope 'patient'). */
    mrn: line(64).optional(),
    /** The request's reference, e.g. "Q-2026-00001" (scope 'request'). */
    requestReference: line(40).optional(),
    /** Why (e.g. the matter); kept in the vault, never in the audit detail or logs. */
    reason: line(500),
  })
  .strict()
  .refine((x) => (x.scope === 'patient' ? Boolean(x.mrn) && !x.requestReference : Boolean(x.requestReference) && !x.mrn), {
    message: 'a patient hold names an MRN; a request hold names a request reference',
  });

export const BackupResult = z.object({
  /** False when staff cancelled the folder choice (nothing written). */
  saved: z.boolean(),
  /** The backup folder made inside the chosen folder. */
  folder: z.string().nullable(),
  bytes: Count,
  /** Audit events whose chain was verified in the copy. */
  eventsVerified: Count,
  at: IsoDateTime.nullable(),
});

export const RestoreResult = z.object({
  /** False when staff cancelled the folder choice (nothing changed). */
  restored: z.boolean(),
  requests: Count,
  releases: Count,
  eventsVerified: Count,
});

export type RetentionViewT = z.output<typeof RetentionView>;
export type BackupResultT = z.output<typeof BackupResult>;
export type RestoreResultT = z.output<typeof RestoreResult>;
export type RetentionPolicyT = z.output<typeof RetentionPolicy>;
export type PlaceHoldInputT = z.output<typeof PlaceHoldInput>;
