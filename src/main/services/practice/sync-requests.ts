/**
 * Synchronising the requests of this workstation's vault with the practice server (issue #17, build item 5). The
 * local vault stays the working store (offline first); the server is the authority for what other workstations see.
 *
 * For each request, against the last version both sides had in common (vault practice_sync_requests: the server
 * version and a content hash, sync-record.ts contentHash):
 * - changed here only → written to the server as a new version, only if the server still has the common version
 *   (optimistic concurrency, sync-repo.ts updateServerRecord); a new request is inserted at version 1;
 * - changed on the server only → the server's version replaces the local row (status included: the server is the
 *   authority for states);
 * - changed on both sides → NOTHING is merged: a conflict is recorded in the vault with both versions (never
 *   deleted) and audited `practice_sync.conflict`; the request is left alone until staff decide
 *   (practice-link-service.ts resolveConflict);
 * - a request the server has and the vault lacks is added to the vault.
 *
 * Source: 45 CFR 164.312(c)(1) integrity (no lost update, no silent merge), 164.312(b) audit controls, 164.530(j)
 * (both versions of a conflict retained).
 */
import { AppError } from '../../../shared/errors';
import type { Session } from '../session';
import { newId } from '../support/ids';
import type { SqlEngine } from './engine';
import {
  insertConflict,
  localRequestRow,
  localRequestRows,
  openConflicts,
  putLocalRequestRow,
  referenceTaken,
  resolveConflictRow,
  setSyncBase,
  syncBases,
  type ConflictRow,
  type LocalRequestRow,
} from './link-vault-repo';
import type { PracticeKeys } from './sealing';
import { getServerRecord, insertServerRecord, practiceRequestVersions, updateServerRecord, type ServerRecord } from './sync-repo';
import { contentHash, metaOf, recordOfRow, rowOfRecord, type SyncRecord } from './sync-record';
import { registerReference, serverRowVersion } from './sync-records-repo';
import { forgetLocalChange } from './sync-vault-repo';

/** What the request part of a synchronisation needs. */
export interface SyncContext {
  session: Session;
  engine: SqlEngine;
  keys: PracticeKeys;
  workstationId: string;
  now: () => Date;
  timeZone: string;
}

/** What it did (counts only; no PHI). */
export interface RequestSyncCounts {
  pushed: number;
  pulled: number;
  conflicts: number;
}

/**
 * One pass over every request (see the module comment), or only over `only` (the requests changed here or on the
 * server since the last pass). Requests with an open conflict are skipped. Stops at the
 * first store error (what was done so far stays done and consistent: each request's server write and its local
 * bookkeeping are one step each, repeated safely on the next pass).
 * @throws AppError the link's errors (PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE when the server cannot be reached)
 */
export async function syncRequests(c: SyncContext, only?: ReadonlySet<string>): Promise<RequestSyncCounts> {
  const counts: RequestSyncCounts = { pushed: 0, pulled: 0, conflicts: 0 };
  const db = () => c.session.require().db;
  let serverVersions: Map<string, number>;
  let local: Map<string, LocalRequestRow>;
  if (only) {
    // Only what changed since the last pass (the change outbox and the server's change sequence; sync-pass.ts).
    serverVersions = new Map();
    local = new Map();
    for (const id of only) {
      const sv = await serverRowVersion(c.engine, 'request', id);
      if (sv !== undefined) serverVersions.set(id, sv);
      const row = localRequestRow(db(), id);
      if (row) local.set(id, row);
    }
  } else {
    serverVersions = await practiceRequestVersions(c.engine);
    local = new Map(localRequestRows(db()).map((r) => [r.id, r]));
  }
  const bases = syncBases(db());
  const blocked = new Set(openConflicts(db()).map((x) => x.requestId));
  const ids = [...new Set([...local.keys(), ...serverVersions.keys()])].sort();
  for (const id of ids) {
    if (blocked.has(id)) continue;
    const row = local.get(id);
    const base = bases.get(id);
    const sv = serverVersions.get(id);
    if (!row) {
      // The server has it, this vault does not: take it in.
      const server = await getServerRecord(c.engine, c.keys, id);
      if (server) {
        applyServer(c, server);
        counts.pulled++;
      }
      continue;
    }
    let rec: SyncRecord;
    try {
      rec = recordOfRow(row);
    } catch {
      c.session.logger.warn('practice_sync.request_unreadable', { code: 'VALIDATION_FAILED' });
      continue;
    }
    const hash = contentHash(rec);
    const localChanged = !base || base.baseHash !== hash;
    const serverChanged = sv !== undefined && (!base || sv > base.serverVersion);
    if (!localChanged && !serverChanged) continue;
    if (!base && sv === undefined) {
      if (await insertServerRecord(c.engine, c.keys, rec, metaOf(rec, c.timeZone, c.now()), c.workstationId, c.now().toISOString())) {
        // A reference this workstation issued itself (offline, or before it joined) is registered practice-wide; a
        // server reference was registered when it was allocated. A clash changes nothing printed: it is audited.
        if (!(await registerReference(c.engine, rec.reference, id, 'workstation', c.workstationId, c.now().toISOString()))) {
          c.session.require().tx(() =>
            c.session.audit({ action: 'practice_sync.reference_clash', outcome: 'success', subjectType: 'request', subjectId: id, detail: { reference: rec.reference } }),
          );
        }
        c.session.require().tx(() => setSyncBase(db(), { requestId: id, serverVersion: 1, serverReference: rec.reference, baseHash: hash }, c.now().toISOString()));
        counts.pushed++;
        continue;
      }
    }
    if (localChanged && !serverChanged && base) {
      const pushed = { ...rec, reference: base.serverReference };
      const v = await updateServerRecord(c.engine, c.keys, pushed, metaOf(rec, c.timeZone, c.now()), base.serverVersion, c.workstationId, c.now().toISOString());
      if (v !== null) {
        c.session.require().tx(() => setSyncBase(db(), { requestId: id, serverVersion: v, serverReference: base.serverReference, baseHash: hash }, c.now().toISOString()));
        counts.pushed++;
        continue;
      }
    }
    // The server moved on (or both sides changed): look at its version.
    const server = await getServerRecord(c.engine, c.keys, id);
    if (!server) continue;
    if (contentHash(server.record) === hash) {
      // Both sides made the same change: nothing to decide.
      c.session.require().tx(() => setSyncBase(db(), { requestId: id, serverVersion: server.version, serverReference: server.record.reference, baseHash: hash }, c.now().toISOString()));
      continue;
    }
    if (!localChanged) {
      applyServer(c, server);
      counts.pulled++;
      continue;
    }
    recordConflict(c, rec, server);
    counts.conflicts++;
  }
  return counts;
}

/** Take the server's version into the vault (the local reference kept; a clashing reference made unique). */
function applyServer(c: SyncContext, server: ServerRecord): void {
  const v = c.session.require();
  v.tx(() => {
    const existing = localRequestRow(v.db, server.record.id);
    let reference = existing?.reference ?? server.record.reference;
    if (!existing && referenceTaken(v.db, reference, server.record.id)) {
      // Two requests under one reference (both numbered before a practice server, on two workstations): this vault
      // shows the other one under a marked name; what was printed keeps its number. Audited with both.
      reference = `${reference}-${server.record.id.slice(0, 4).toUpperCase()}`;
      c.session.audit({
        action: 'practice_sync.reference_clash',
        outcome: 'success',
        subjectType: 'request',
        subjectId: server.record.id,
        detail: { reference: server.record.reference, shownAs: reference },
      });
    }
    putLocalRequestRow(v.db, rowOfRecord(server.record, reference));
    const stored = recordOfRow(localRequestRow(v.db, server.record.id)!);
    setSyncBase(v.db, { requestId: server.record.id, serverVersion: server.version, serverReference: server.record.reference, baseHash: contentHash(stored) }, c.now().toISOString());
    forgetLocalChange(v.db, 'request', server.record.id);
  });
}

/** Record a conflict (both versions) with its audit event, in one vault transaction. */
function recordConflict(c: SyncContext, local: SyncRecord, server: ServerRecord): ConflictRow['id'] {
  const id = newId();
  c.session.require().tx(() => {
    insertConflict(c.session.require().db, {
      id,
      requestId: local.id,
      detectedAt: c.now().toISOString(),
      serverVersion: server.version,
      localJson: JSON.stringify(local),
      serverJson: JSON.stringify(server.record),
    });
    c.session.audit({ action: 'practice_sync.conflict', outcome: 'success', subjectType: 'request', subjectId: local.id, detail: { conflict: id, serverVersion: server.version } });
  });
  return id;
}

/**
 * Decide a conflict. `server`: this vault takes the server's current version. `workstation`: this vault's current
 * version is written to the server as a new version, only if the server is still at the conflict's version; if the
 * server changed again, the conflict is superseded by a new one holding the newer version (both kept) and
 * PRACTICE_SYNC_CONFLICT_STALE is thrown. The decision is recorded on the conflict (who, when) and audited
 * `practice_server.resolve_conflict` in the same vault transaction.
 * @throws AppError NOT_FOUND (no open conflict with that id) | PRACTICE_SYNC_CONFLICT_STALE | the link's errors
 */
export async function resolveConflict(c: SyncContext, conflictId: string, keep: 'server' | 'workstation'): Promise<void> {
  const v = c.session.require();
  const user = c.session.requireUser();
  const conflict = openConflicts(v.db).find((x) => x.id === conflictId);
  if (!conflict) throw new AppError('NOT_FOUND', 'That conflict is not awaiting a decision any more.');
  const audit = (detail: Record<string, string | number | boolean>) =>
    c.session.audit({ action: 'practice_server.resolve_conflict', outcome: 'success', subjectType: 'request', subjectId: conflict.requestId, detail: { conflict: conflict.id, keep, ...detail } });
  if (keep === 'server') {
    const server = await getServerRecord(c.engine, c.keys, conflict.requestId);
    if (!server) throw new AppError('NOT_FOUND', 'The practice server no longer has that request.');
    v.tx(() => {
      resolveConflictRow(v.db, conflict.id, 'server', user.id, c.now().toISOString());
      applyServer(c, server);
      audit({ serverVersion: server.version });
    });
    return;
  }
  const row: LocalRequestRow | undefined = localRequestRow(v.db, conflict.requestId);
  if (!row) throw new AppError('NOT_FOUND', 'That request is not on this workstation.');
  const rec = recordOfRow(row);
  const base = syncBases(v.db).get(conflict.requestId);
  const reference = base?.serverReference ?? rec.reference;
  const next = await updateServerRecord(c.engine, c.keys, { ...rec, reference }, metaOf(rec, c.timeZone, c.now()), conflict.serverVersion, c.workstationId, c.now().toISOString());
  if (next === null) {
    const server = await getServerRecord(c.engine, c.keys, conflict.requestId);
    v.tx(() => {
      resolveConflictRow(v.db, conflict.id, 'superseded', user.id, c.now().toISOString());
      if (server) {
        insertConflict(v.db, {
          id: newId(),
          requestId: rec.id,
          detectedAt: c.now().toISOString(),
          serverVersion: server.version,
          localJson: JSON.stringify(rec),
          serverJson: JSON.stringify(server.record),
        });
      }
      c.session.audit({ action: 'practice_server.resolve_conflict', outcome: 'refused', subjectType: 'request', subjectId: conflict.requestId, detail: { conflict: conflict.id, keep, code: 'PRACTICE_SYNC_CONFLICT_STALE' } });
    });
    throw new AppError('PRACTICE_SYNC_CONFLICT_STALE', 'The practice server’s version of this request changed again. Nothing was changed; decide again.');
  }
  v.tx(() => {
    resolveConflictRow(v.db, conflict.id, 'workstation', user.id, c.now().toISOString());
    setSyncBase(v.db, { requestId: rec.id, serverVersion: next, serverReference: reference, baseHash: contentHash(rec) }, c.now().toISOString());
    audit({ serverVersion: next });
  });
}
