import { sqlTypes, type Dialect } from '../engine';
import type { PracticeMigration } from './types';

/**
 * 0003 request synchronisation (issue #17, build item 5: offline workstations keep working and are synchronised when
 * the server returns, conflicts shown, never silently merged).
 *
 * - `practice_requests.version`: 1 at creation, + 1 on every accepted change; a workstation writes a change only if
 *   the row still has the version it last saw (optimistic concurrency). `origin_workstation` / `changed_by_workstation`:
 *   which workstation (random id, no PHI) made the request and the last change.
 * - `practice_requests.record_sealed`: the whole request as the workstation holds it (patient, requester, recipients,
 *   scope, extensions, closing reason…), sealed in the workstation (AES-256-GCM, AAD bound to the row), so another
 *   workstation can show and work the request (45 CFR 164.312(a)(2)(iv), 164.312(e)(1)). NULL for rows written by
 *   requests-repo.ts without a full record.
 * - `practice_workstations`: the workstations that joined (id, label, when), and per workstation the last local
 *   audit seq appended to the shared chain, written in the same transaction as the appends, so each local event
 *   reaches the chain once (45 CFR 164.312(b)).
 */
function up(dialect: Dialect): string[] {
  const t = sqlTypes(dialect);
  return [
    `ALTER TABLE practice_requests ADD COLUMN version ${t.bigint} NOT NULL DEFAULT 1`,
    `ALTER TABLE practice_requests ADD COLUMN origin_workstation ${t.key}`,
    `ALTER TABLE practice_requests ADD COLUMN changed_by_workstation ${t.key}`,
    `ALTER TABLE practice_requests ADD COLUMN record_sealed ${t.bytes}`,
    `CREATE TABLE practice_workstations (
      id ${t.key} PRIMARY KEY,
      label ${t.key} NOT NULL,
      joined_at ${t.key} NOT NULL,
      last_audit_seq ${t.bigint} NOT NULL DEFAULT 0 CHECK (last_audit_seq >= 0),
      last_seen_at ${t.key}
    )`,
  ];
}

export const migration: PracticeMigration = { version: 3, name: 'request-sync', up };
