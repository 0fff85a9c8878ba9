/**
 * The real {@link PracticeLink} of a workstation (issue #17): from the active practice server (Settings → Practice
 * server, practice-server-service.ts activePoolConfig) it opens a PostgreSQL engine lazily, brings the practice schema
 * up to date (migrate.ts) and opens the practice keys from the data key this workstation keeps in its own encrypted
 * vault (vault migration 016, link-vault-repo.ts). It also joins the workstation to the practice, synchronises
 * requests with their releases, documents, authorizations, verifications and consents (sync-pass.ts) and the audit
 * trail (sync-audit.ts), and lists and decides conflicts.
 *
 * Join (administrators): the signed-in administrator's passphrase is checked against this vault first (a typo never
 * wraps the practice key under a passphrase nobody knows). If the practice has no key yet, it is made here and
 * wrapped for that administrator on the server (keys-repo.ts storeNewPracticeKey); otherwise the administrator's wrap
 * is opened with the passphrase. Wraps are named by the administrator's sign-in name (a hash of it, never the name),
 * because each workstation's staff accounts live in its own vault: the same administrator name and passphrase open
 * the practice key on every workstation. The data key and a new workstation id and label are then kept in the vault.
 *
 * Source: 45 CFR 164.312(a)(2)(iv) encryption (the key only in the encrypted vault and in memory while used),
 * 164.312(e)(1) transmission security (TLS-verified connection, ciphertext only), 164.312(b) audit controls (join,
 * disconnect, sync conflicts and decisions audited; one shared chain), 164.308(a)(4) access authorization (join:
 * administrators only, src/shared/roles.ts), 164.530(j) (conflicts kept).
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PracticeConflictT, PracticeLinkStatusT, PracticeServerFullStatusT, PracticeSyncResultT } from '../../../shared/schemas/practice-server';
import { AppError, isAppError } from '../../../shared/errors';
import type { Session } from '../session';
import type { Clock } from '../support/clock';
import type { Logger } from '../support/logger';
import { readKeyFile, unwrapVaultKey } from '../vault/keyring';
import type { SqlEngine } from './engine';
import { getKeyWrap, storeNewPracticeKey } from './keys-repo';
import { eraseLinkKey, localRequestRow, openConflictCount, openConflicts, readLink, saveLink, setLastSync } from './link-vault-repo';
import { migratePractice } from './migrate';
import { openPgEngine } from './pg-engine';
import { isOfflineError, type PracticeLink, type PracticeLinkState, type Workstation } from './practice-link';
import type { PracticeServerService } from './practice-server-service';
import { destroyPracticeKeys, newPracticeDataKey, practiceKeyId, unwrapDataKey, type PracticeKeys } from './sealing';
import { pushAuditToPracticeChain } from './sync-audit';
import { conflictView, recordConflictView } from './sync-conflicts';
import { resolveConflict, type SyncContext } from './sync-requests';
import { resolveRecordConflict, syncPass } from './sync-pass';
import { openRecordConflicts } from './sync-vault-repo';
import { practiceHasKey, upsertWorkstation, workstationLabelTaken } from './sync-repo';
import { StaffDirectory } from './staff-directory';
import { keysOf, keysPass, PRACTICE_LINK_SUBJECT, type KeyMaintenanceDeps } from './key-maintenance';
import type { Database } from 'better-sqlite3-multiple-ciphers';

export interface PracticeLinkServiceDeps {
  session: Session;
  clock: Clock;
  logger: Logger;
  practiceServer: PracticeServerService;
  /** The practice's time zone (due dates the server keeps in clear are calendar dates there). */
  timeZone: () => string;
  /** Opens the engine of a pool config (default pg-engine.ts openPgEngine). */
  openEngine?: (config: pg.PoolConfig) => SqlEngine;
}

const SUBJECT = PRACTICE_LINK_SUBJECT;

/** The id a staff member's wrap of the practice key is stored under: `staff-` + 32 hex of SHA-256(normalised name). */
export function wrapHolderId(name: string): string {
  return `staff-${createHash('sha256').update(`releasedesk:practice-holder:v1:${name.normalize('NFC').trim().toLowerCase()}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/** See the module comment. */
export class PracticeLinkService implements PracticeLink {
  private opened: { key: string; engine: SqlEngine; migrated: boolean } | null = null;
  private offline = false;
  private readonly listeners = new Set<() => void>();
  private running: Promise<PracticeSyncResultT> | null = null;
  /** The practice staff directory (staff-directory.ts): practice-wide accounts and their first sign-in here. */
  readonly directory: StaffDirectory;

  private readonly keyDeps: KeyMaintenanceDeps;

  constructor(private readonly d: PracticeLinkServiceDeps) {
    this.directory = new StaffDirectory({ session: d.session, clock: d.clock, logger: d.logger, withServerOf: (db, fn) => this.withServerOf(db, fn) });
    this.keyDeps = { session: d.session, clock: d.clock, logger: d.logger, directory: this.directory, workstation: () => this.workstation() };
  }

  /**
   * Run `fn` against the practice server configured in `db` (a vault opened for a first sign-in, not signed in yet).
   * @throws AppError PRACTICE_SERVER_NOT_SET | the offline codes (the link turns `offline`)
   */
  private async withServerOf<T>(db: Database, fn: (engine: SqlEngine) => Promise<T>): Promise<T> {
    const cfg = this.d.practiceServer.poolConfigOf(db);
    if (!cfg) throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
    return this.track(async () => fn(await this.engineFor(cfg)));
  }

  /** The link state now (reads the vault; no network). `local` while the vault is locked. */
  state(): PracticeLinkState {
    if (this.d.session.state !== 'unlocked') return 'local';
    if (!this.d.practiceServer.activePoolConfig()) return 'local';
    if (!readLink(this.d.session.require().db)?.dataKey) return 'not_joined';
    return this.offline ? 'offline' : 'online';
  }

  /** This workstation. @throws AppError PRACTICE_SERVER_NOT_SET (never joined) | VAULT_LOCKED */
  workstation(): Workstation {
    const link = readLink(this.d.session.require().db);
    if (!link) throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
    return { id: link.workstationId, label: link.workstationLabel };
  }

  /** See {@link PracticeLink.use}. The keys are derived for this call and zeroed after it. */
  async use<T>(fn: (engine: SqlEngine, keys: PracticeKeys) => Promise<T>): Promise<T> {
    const cfg = this.d.practiceServer.activePoolConfig();
    if (!cfg) throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
    const link = readLink(this.d.session.require().db);
    if (!link?.dataKey) throw new AppError('PRACTICE_KEY_NOT_WRAPPED', 'This workstation has not joined the practice yet. An administrator joins it in Settings → Practice server.');
    const keys = keysOf(this.d.session.require().db, link.dataKey);
    link.dataKey.fill(0);
    try {
      return await this.track(async () => fn(await this.engineFor(cfg), keys));
    } finally {
      destroyPracticeKeys(keys);
    }
  }

  /** See {@link PracticeLink.onOnline}. */
  onOnline(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The link part of `practiceServer.status`. Readable by every staff member. @throws AppError VAULT_LOCKED */
  linkStatus(): PracticeLinkStatusT {
    const db = this.d.session.require().db;
    const link = readLink(db);
    return { state: this.state(), workstationLabel: link?.workstationLabel ?? null, lastSyncAt: link?.lastSyncAt ?? null, conflicts: openConflictCount(db) + openRecordConflicts(db).length };
  }

  /** `practiceServer.status`: the server settings and the link. */
  status(): PracticeServerFullStatusT {
    return { ...this.d.practiceServer.status(), link: this.linkStatus() };
  }

  /**
   * Join this workstation to the practice (see the module comment). Audited `practice_server.join` (the key id,
   * whether the key was made here, the workstation id; never the passphrase); a refusal is audited with its code and
   * leaves the vault unchanged.
   * @param input the signed-in administrator's passphrase; a label for this workstation (1–60 characters, no PHI)
   * @returns the status with the link
   * @throws AppError ROLE_NOT_PERMITTED (not an administrator) | PRACTICE_SERVER_NOT_SET | WRONG_PASSPHRASE |
   *   PRACTICE_KEY_NOT_WRAPPED (the practice has a key this administrator does not hold) | PRACTICE_KEY_WRONG |
   *   PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE (the server cannot be reached) | store errors
   * @source 45 CFR 164.312(a)(2)(iv), 164.312(d), 164.308(a)(4), 164.312(b).
   */
  async join(input: { passphrase: string; workstationLabel: string }): Promise<PracticeServerFullStatusT> {
    const s = this.d.session;
    const v = s.require();
    const user = s.requireUser();
    let dataKey: Buffer | null = null;
    let created = false;
    const workstationId = readLink(v.db)?.workstationId ?? randomBytes(16).toString('hex');
    const at = this.d.clock.now().toISOString();
    try {
      if (user.role !== 'administrator') throw new AppError('ROLE_NOT_PERMITTED', 'Only an administrator can join this workstation to the practice.');
      const cfg = this.d.practiceServer.activePoolConfig();
      if (!cfg) throw new AppError('PRACTICE_SERVER_NOT_SET', 'Connect this workstation to the practice server first.');
      await this.checkOwnPassphrase(user.id, input.passphrase);
      const holder = { id: wrapHolderId(user.name), passphrase: input.passphrase };
      await this.track(async () => {
        const engine = await this.engineFor(cfg);
        if (await workstationLabelTaken(engine, { id: workstationId, label: input.workstationLabel })) {
          throw new AppError('PRACTICE_WORKSTATION_NAME_TAKEN', 'Another workstation of the practice already has this name. Give this one a name of its own, for example "Front desk 2".');
        }
        const wrap = await getKeyWrap(engine, holder.id);
        if (wrap) dataKey = await unwrapDataKey(wrap, holder.passphrase);
        else if (await practiceHasKey(engine)) {
          throw new AppError('PRACTICE_KEY_NOT_WRAPPED', 'This practice already has a practice key, and this administrator does not hold it. Join with the administrator account that set up the practice server (same name and passphrase).');
        } else {
          dataKey = newPracticeDataKey();
          await storeNewPracticeKey(engine, dataKey, holder, at);
          created = true;
        }
        await upsertWorkstation(engine, { id: workstationId, label: input.workstationLabel }, at);
      });
    } catch (e) {
      (dataKey as Buffer | null)?.fill(0);
      s.recordFailure('practice_server.join', SUBJECT, e);
      throw e;
    }
    const key = dataKey as unknown as Buffer;
    try {
      const keyId = practiceKeyId(key);
      s.audited(
        'practice_server.join',
        SUBJECT,
        (vault) => saveLink(vault.db, { workstationId, workstationLabel: input.workstationLabel, keyId, dataKey: key, joinedAt: at, joinedBy: user.id }),
        () => ({ keyId, created, workstation: workstationId }),
      );
    } finally {
      key.fill(0);
    }
    // The joining administrator becomes practice-wide, and the staff directory and sign-in file are brought up to
    // date. The join itself is done: a failure here is logged and repeated by the next sync.
    await this.directory.enroll(user.id, input.passphrase);
    try {
      await this.use((engine, keys) => keysPass(this.keyDeps, engine, keys));
      await this.use((engine, keys) => this.directory.pull(engine, keys, this.workstation().id));
    } catch (e) {
      this.d.logger.warn('practice_staff.join_sync_failed', { code: isAppError(e) ? e.code : 'INTERNAL' });
    }
    return this.status();
  }

  /**
   * Erase the kept practice key (called by the practice server's disconnect, inside its audited transaction) and
   * close the engine: the link becomes `local`.
   */
  forgetKey(db: Parameters<typeof eraseLinkKey>[0]): void {
    eraseLinkKey(db);
    this.offline = false;
    void this.close();
  }

  /**
   * Synchronise now (requests, then the audit trail; see sync-requests.ts and sync-audit.ts). One run at a time: a
   * call during a run gets that run's result. A run that found something to do is audited `practice_sync.run`
   * (counts only) before the audit trail is pushed, so it is in the shared chain too.
   * @returns counts and the time
   * @throws AppError as {@link use}; the link turns `offline` when the server cannot be reached (nothing is lost)
   */
  sync(): Promise<PracticeSyncResultT> {
    if (!this.running) {
      const wasOnline = !this.offline;
      // A connection that dropped while idle (the network blinked) fails the first statement: after an online link,
      // one retry on fresh connections tells that apart from a server that is really gone.
      this.running = this.syncOnce()
        .catch((e: unknown) => {
          if (wasOnline && isOfflineError(e)) return this.syncOnce();
          throw e;
        })
        .finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * The sync pass of the Background service: runs only while unlocked, configured and joined; failures are logged as
   * codes (never thrown). @returns the result, or null when nothing ran
   */
  readonly tick = async (): Promise<PracticeSyncResultT | null> => {
    if (this.d.session.state !== 'unlocked') return null;
    try {
      const st = this.state();
      if (st !== 'online' && st !== 'offline') return null;
      return await this.sync();
    } catch (e) {
      this.d.logger.warn('practice_sync.failed', { code: isAppError(e) ? e.code : 'INTERNAL' });
      return null;
    }
  };

  /** The conflicts awaiting a decision, with the fields that differ. @throws AppError VAULT_LOCKED */
  conflicts(): PracticeConflictT[] {
    const db = this.d.session.require().db;
    const requests = openConflicts(db).map((c) => conflictView(c, this.d.timeZone(), this.d.clock.now()));
    const records = openRecordConflicts(db).map((c) => {
      const row = JSON.parse(c.localJson) as { request_id?: unknown };
      const req = typeof row.request_id === 'string' ? localRequestRow(db, row.request_id) : undefined;
      return recordConflictView(c, req ? { id: req.id, reference: req.reference, patientName: req.patient_name } : undefined);
    });
    return [...requests, ...records];
  }

  /**
   * Decide a conflict (sync-requests.ts resolveConflict). A refusal is audited with its code.
   * @returns the conflicts still awaiting a decision
   * @throws AppError NOT_FOUND | PRACTICE_SYNC_CONFLICT_STALE | as {@link use}
   */
  async resolveConflict(input: { conflictId: string; keep: 'server' | 'workstation' }): Promise<PracticeConflictT[]> {
    try {
      const isRecord = openRecordConflicts(this.d.session.require().db).some((c) => c.id === input.conflictId);
      await this.use((engine, keys) => (isRecord ? resolveRecordConflict : resolveConflict)(this.context(engine, keys), input.conflictId, input.keep));
    } catch (e) {
      if (!(isAppError(e) && e.code === 'PRACTICE_SYNC_CONFLICT_STALE')) this.d.session.recordFailure('practice_server.resolve_conflict', SUBJECT, e);
      throw e;
    }
    return this.conflicts();
  }

  /** Close the engine (at quit, lock or disconnect). */
  async close(): Promise<void> {
    const o = this.opened;
    this.opened = null;
    await o?.engine.close().catch(() => undefined);
  }

  private async syncOnce(): Promise<PracticeSyncResultT> {
    await this.use(async (engine, keys) => {
      await upsertWorkstation(engine, this.workstation(), this.d.clock.now().toISOString());
      await keysPass(this.keyDeps, engine, keys);
    });
    return this.use(async (engine, keys) => {
      const c = this.context(engine, keys);
      await this.directory.pull(engine, keys, this.workstation().id);
      if (this.d.session.access()?.role === null) {
        // The signed-in account was deactivated on another workstation: its session ends here, before anything more.
        this.d.session.lock('account_inactive');
        throw new AppError('ACCOUNT_INACTIVE', 'This staff account is no longer active, so ReleaseDesk has locked. Ask your administrator.');
      }
      const pass = await syncPass(c);
      const counts = { pushed: pass.pushed + pass.records.pushed, pulled: pass.pulled + pass.records.pulled, conflicts: pass.conflicts + pass.records.conflicts };
      const files = { filesPushed: pass.files.pushed, filesPulled: pass.files.pulled };
      if (counts.pushed + counts.pulled + counts.conflicts + files.filesPushed + files.filesPulled > 0) {
        const v = this.d.session.require();
        v.tx(() => this.d.session.audit({ action: 'practice_sync.run', outcome: 'success', subjectType: 'setting', subjectId: 'practice_link', detail: { ...counts, ...files } }));
      }
      const auditAppended = await pushAuditToPracticeChain(c);
      const at = this.d.clock.now().toISOString();
      const v = this.d.session.require();
      v.tx(() => setLastSync(v.db, at));
      return { ...counts, auditAppended, at };
    });
  }

  private context(engine: SqlEngine, keys: PracticeKeys): SyncContext {
    return { session: this.d.session, engine, keys, workstationId: this.workstation().id, now: () => this.d.clock.now(), timeZone: this.d.timeZone() };
  }

  /** Run a server step: an offline error turns the link offline; success turns it online (and tells the listeners). */
  private async track<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      if (this.offline) {
        this.offline = false;
        for (const l of this.listeners) {
          try {
            l();
          } catch {
            // a listener's failure is its own
          }
        }
      }
      return r;
    } catch (e) {
      if (isOfflineError(e)) {
        // Mark offline and drop the pool: the next use connects afresh (no stale connection is handed out again).
        this.offline = true;
        await this.close();
      }
      throw e;
    }
  }

  /** The engine of this pool config, opened and migrated once (reopened when the settings changed). */
  private async engineFor(cfg: pg.PoolConfig): Promise<SqlEngine> {
    const key = JSON.stringify([cfg.host, cfg.port, cfg.database, cfg.user, cfg.password]);
    if (this.opened && this.opened.key !== key) await this.close();
    if (!this.opened) {
      const engine = (this.d.openEngine ?? ((c: pg.PoolConfig) => openPgEngine(c, { onIdleError: (e) => this.d.logger.warn('practice_link.idle_error', { code: e.code }) })))(cfg);
      this.opened = { key, engine, migrated: false };
    }
    const o = this.opened;
    if (!o.migrated) {
      await migratePractice(o.engine);
      o.migrated = true;
    }
    return o.engine;
  }

  /** The signed-in account's passphrase must open its own entry in this vault's keyring. @throws AppError WRONG_PASSPHRASE */
  private async checkOwnPassphrase(userId: string, passphrase: string): Promise<void> {
    const file = readKeyFile(this.d.session.dataDir);
    if (file.kind !== 'keyring') return;
    const entry = file.keyring.users.find((u) => u.userId === userId);
    const key = entry ? await unwrapVaultKey(entry, passphrase) : null;
    if (!key) throw new AppError('WRONG_PASSPHRASE', 'That passphrase is not this administrator’s passphrase. Nothing was changed.');
    key.fill(0);
  }
}
