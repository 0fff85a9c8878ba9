/**
 * The retention purge: remove content whose retention period has ended, unless a legal hold covers it, and make
 * the removed bytes unrecoverable from the vault file.
 *
 * What it removes: the content (chunks) of record files of completed releases `recordFileDays` after completion;
 * prepared packets and stored outgoing messages of those releases at the same time; documentation content
 * `documentationYears` after the later of creation and last effect (164.530(j)(2)). What it never removes: audit
 * events, disclosure records (transmissions, their parts and attempts, manual disclosures, bounce reports, notices),
 * requests, releases and the document rows themselves (size, SHA-256 and dates stay as the record of what existed).
 *
 * Unrecoverable: `PRAGMA secure_delete = ON` overwrites freed content with zeros as it is deleted; `VACUUM` then
 * rebuilds the file without free pages, and a WAL checkpoint (TRUNCATE) empties the write-ahead log, so no old page
 * image survives in either file.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PurgeResult } from '../../../shared/contract';
import { localDate } from '../compliance/dates';
import { documentationExpiry, isExpired, recordFileExpiry, type RetentionPolicyT } from './policy';
import {
  activeHoldSets,
  documentationCandidates,
  outboxCandidates,
  packetCandidates,
  purgeDocumentContent,
  purgeOutboxMessage,
  purgePacket,
  recordFileCandidates,
  type HoldKey,
} from './repo';
import type { z } from 'zod';

export type PurgeResultT = z.output<typeof PurgeResult>;

/** Request statuses in which documentation is still in effect (never purged). */
const OPEN_REQUEST_STATUSES = ['received', 'verifying', 'ready', 'partly_sent', 'failed'] as const;

/** The items one purge would remove, by kind, and how many expired items a hold keeps. */
export interface PurgePlan {
  recordFiles: Array<{ documentId: string; bytes: number }>;
  documentation: Array<{ documentId: string; bytes: number }>;
  packets: Array<{ artifactId: string; bytes: number }>;
  outboxMessages: Array<{ transmissionId: string; part: number; bytes: number }>;
  heldBack: number;
}

/**
 * Decide what has expired on `today` (YYYY-MM-DD in `timeZone`) under `policy`. Reads only.
 * @source 45 CFR 164.530(j)(2) (six years from creation or last effective date)
 */
export function planPurge(db: Database, policy: RetentionPolicyT, today: string, timeZone: string): PurgePlan {
  const holds = activeHoldSets(db);
  const held = (k: HoldKey) => (k.mrn !== null && holds.mrns.has(k.mrn)) || (k.requestId !== null && holds.requestIds.has(k.requestId));
  const plan: PurgePlan = { recordFiles: [], documentation: [], packets: [], outboxMessages: [], heldBack: 0 };
  const completedExpired = (completedAt: string) => isExpired(recordFileExpiry(localDate(completedAt, timeZone), policy), today);

  for (const c of recordFileCandidates(db)) {
    if (!completedExpired(c.completedAt)) continue;
    if (held(c)) plan.heldBack++;
    else plan.recordFiles.push({ documentId: c.documentId, bytes: c.bytes });
  }
  for (const c of packetCandidates(db)) {
    if (!completedExpired(c.completedAt)) continue;
    if (held(c)) plan.heldBack++;
    else plan.packets.push({ artifactId: c.artifactId, bytes: c.bytes });
  }
  for (const c of outboxCandidates(db)) {
    if (!completedExpired(c.completedAt)) continue;
    if (held(c)) plan.heldBack++;
    else plan.outboxMessages.push({ transmissionId: c.transmissionId, part: c.part, bytes: c.bytes });
  }
  for (const c of documentationCandidates(db, OPEN_REQUEST_STATUSES)) {
    if (c.requestOpen) continue; // still in effect
    const created = localDate(c.importedAt, timeZone);
    const lastEffective = [c.requestUpdatedAt ? localDate(c.requestUpdatedAt, timeZone) : null, ...authorizationEffectiveDays(c.authorizationJson)]
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1) ?? null;
    if (!isExpired(documentationExpiry(created, lastEffective, policy), today)) continue;
    if (held(c)) plan.heldBack++;
    else plan.documentation.push({ documentId: c.documentId, bytes: c.bytes });
  }
  return plan;
}

/** The days an authorization was last in effect: its expiration date or event day, or its revocation day. */
function authorizationEffectiveDays(json: string | null): string[] {
  if (!json) return [];
  try {
    const a = JSON.parse(json) as { expiration?: { date?: string; eventOccurredOn?: string }; revocation?: { receivedDate?: string } };
    return [a.expiration?.date, a.expiration?.eventOccurredOn, a.revocation?.receivedDate].filter((d): d is string => typeof d === 'string');
  } catch {
    return [];
  }
}

/** Number of items a plan removes. */
export function planSize(p: PurgePlan): number {
  return p.recordFiles.length + p.documentation.length + p.packets.length + p.outboxMessages.length;
}

/**
 * Remove what `plan` lists. Call inside the transaction that audits the purge, with secure_delete already on.
 * @returns kinds, counts and bytes (no PHI)
 */
export function applyPurge(db: Database, plan: PurgePlan, at: Date): PurgeResultT {
  let bytes = 0;
  for (const d of [...plan.recordFiles, ...plan.documentation]) {
    purgeDocumentContent(db, d.documentId, at);
    bytes += d.bytes;
  }
  for (const a of plan.packets) {
    purgePacket(db, a.artifactId, at);
    bytes += a.bytes;
  }
  for (const o of plan.outboxMessages) {
    purgeOutboxMessage(db, o.transmissionId, o.part);
    bytes += o.bytes;
  }
  return {
    at: at.toISOString(),
    recordFiles: plan.recordFiles.length,
    documentation: plan.documentation.length,
    packets: plan.packets.length,
    outboxMessages: plan.outboxMessages.length,
    bytes,
    heldBack: plan.heldBack,
  };
}

// compactVault (VACUUM and an emptied WAL after a purge) is SQL: ./repo.ts; re-exported for existing importers.
export { compactVault } from './repo';
