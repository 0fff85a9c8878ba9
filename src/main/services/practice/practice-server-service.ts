/**
 * Connecting this workstation to the practice's PostgreSQL server (issue #17), as an administrator would describe it:
 * enter the server, database, user, password and the CA certificate the practice's IT provider gives; ReleaseDesk
 * tests the connection (TLS required and verified, the server confirms the session is encrypted); only a passing
 * test is saved, and the password stays in this computer's encrypted vault. Every test, configuration and disconnect
 * is audited (outcome, which fields changed, TLS and server version, or the error code — never a password, and never
 * a library's error text).
 *
 * What this does not do yet: move requests, releases or the audit trail onto the server. The shared store and queue
 * (practice/pg-engine.ts, queue-repo.ts) take the pool config from {@link PracticeServerService.activePoolConfig}.
 *
 * Source: 45 CFR 164.312(e)(1) transmission security; 164.312(d) person or entity authentication; 164.312(b) audit
 * controls; 164.308(a)(4) access authorization (administrators only: src/shared/roles.ts).
 */
import type pg from 'pg';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PracticeServerCheckT, PracticeServerInputT, PracticeServerStatusT } from '../../../shared/contract';
import type { PracticeConflictT, PracticeLinkStatusT, PracticeServerFullStatusT, PracticeSyncResultT } from '../../../shared/schemas/practice-server';
import { AppError } from '../../../shared/errors';
import type { Session, Subject } from '../session';
import type { Clock } from '../support/clock';
import { checkCaPem, practicePoolConfig, testPracticeServer, type PracticeConnectionOptions, type PracticeServerSettings } from './connection';
import { readPracticeServer, writePracticeServer, type StoredPracticeServerT } from './settings-repo';

export interface PracticeServerServiceDeps {
  session: Session;
  clock: Clock;
  /** Timeouts for the test and the pool (default: connection.ts defaults, 10 s to connect). */
  connection?: PracticeConnectionOptions | undefined;
}

const SUBJECT: Subject = { type: 'setting', id: 'practice_server' };

/**
 * What the practice link (practice-link-service.ts) adds to this service: its status, erasing the kept key, and the
 * `practiceServer.join` / `sync` / `conflicts` / `resolveConflict` channels (served here, carried out by the link).
 */
export interface PracticeLinkHooks {
  linkStatus(): PracticeLinkStatusT;
  /** Erase the kept practice data key; called inside the disconnect's audited transaction. */
  forgetKey(db: Database): void;
  join(input: { passphrase: string; workstationLabel: string }): Promise<PracticeServerFullStatusT>;
  sync(): Promise<PracticeSyncResultT>;
  conflicts(): PracticeConflictT[];
  resolveConflict(input: { conflictId: string; keep: 'server' | 'workstation' }): Promise<PracticeConflictT[]>;
}

const NO_LINK: PracticeLinkStatusT = { state: 'local', workstationLabel: null, lastSyncAt: null, conflicts: 0 };

/** A passing test and what it tested. */
interface Tested {
  check: PracticeServerCheckT;
  settings: PracticeServerSettings;
  password: string;
  caFingerprint: string;
}

/** See the module comment. */
export class PracticeServerService {
  private link: PracticeLinkHooks | null = null;

  constructor(private readonly d: PracticeServerServiceDeps) {}

  /** Attach the practice link (its status joins this service's status; a disconnect erases its key). */
  attachLink(link: PracticeLinkHooks): void {
    this.link = link;
  }

  /** `practiceServer.join`: see practice-link-service.ts join. @throws AppError PRACTICE_SERVER_NOT_SET without a link; the link's errors */
  join(input: { passphrase: string; workstationLabel: string }): Promise<PracticeServerFullStatusT> {
    return this.requireLink().join(input);
  }

  /** `practiceServer.sync`: see practice-link-service.ts sync. @throws AppError as join */
  sync(): Promise<PracticeSyncResultT> {
    return this.requireLink().sync();
  }

  /** `practiceServer.conflicts`: the conflicts awaiting a decision (none without a link). @throws AppError VAULT_LOCKED */
  conflicts(): PracticeConflictT[] {
    this.d.session.require();
    return this.link?.conflicts() ?? [];
  }

  /** `practiceServer.resolveConflict`: see practice-link-service.ts resolveConflict. @throws AppError as join */
  resolveConflict(input: { conflictId: string; keep: 'server' | 'workstation' }): Promise<PracticeConflictT[]> {
    return this.requireLink().resolveConflict(input);
  }

  private requireLink(): PracticeLinkHooks {
    if (!this.link) throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
    return this.link;
  }

  private full(status: PracticeServerStatusT): PracticeServerFullStatusT {
    return { ...status, link: this.link?.linkStatus() ?? NO_LINK };
  }

  /**
   * This workstation's practice server: `not_set`, `active` or `disconnected`, the settings without the password
   * (`passwordSet` instead), the CA fingerprint and the check that made it active. Readable by every staff member.
   * @throws AppError VAULT_LOCKED
   */
  status(): PracticeServerFullStatusT {
    return this.full(toStatus(readPracticeServer(this.d.session.require().db)));
  }

  /**
   * Test the entered settings without saving anything (see connection.ts testPracticeServer). Without a password
   * the stored one is used, but only for the same host, port and user (a stored password is never sent to another
   * server). Audited `practice_server.test`: success with the TLS and server version, or the error code.
   * @returns what the server reported: `{ serverVersion, tlsVersion, tlsCipher, at }`
   * @throws AppError VAULT_LOCKED | VALIDATION_FAILED (no password) | PRACTICE_SERVER_CA_INVALID |
   *   PRACTICE_SERVER_UNREACHABLE | PRACTICE_SERVER_TIMEOUT | PRACTICE_SERVER_NO_TLS | PRACTICE_SERVER_TLS_UNTRUSTED |
   *   PRACTICE_SERVER_AUTH_FAILED | PRACTICE_SERVER_DATABASE_MISSING | PRACTICE_SERVER_FAILED
   * @source 45 CFR 164.312(e)(1), 164.312(d), 164.312(b).
   */
  async test(input: PracticeServerInputT): Promise<PracticeServerCheckT> {
    const s = this.d.session;
    s.require();
    let check: PracticeServerCheckT;
    try {
      ({ check } = await this.check(input));
    } catch (e) {
      s.recordFailure('practice_server.test', SUBJECT, e);
      throw e;
    }
    return s.audited('practice_server.test', SUBJECT, () => check, (c) => ({ outcome: 'ok', tlsVersion: c.tlsVersion, serverVersion: shortVersion(c.serverVersion) }));
  }

  /**
   * Test the entered settings (as {@link test}) and, only when the test passes, save them as this workstation's
   * active practice server, the password in the encrypted vault. A failing test saves nothing: whatever was stored
   * before stays as it was. Audited `practice_server.configure` in the same transaction as the save (which fields
   * changed — never their values — and the TLS and server version), or the refusal with its error code.
   * @returns the new status (never the password)
   * @throws AppError as {@link test}
   * @source 45 CFR 164.312(e)(1), 164.312(d), 164.312(b).
   */
  async configure(input: PracticeServerInputT): Promise<PracticeServerFullStatusT> {
    const s = this.d.session;
    s.require();
    let tested: Tested;
    try {
      tested = await this.check(input);
    } catch (e) {
      s.recordFailure('practice_server.configure', SUBJECT, e);
      throw e;
    }
    const { check, settings, password, caFingerprint } = tested;
    // audited(): the save and its audit event in one transaction; a refusal there is recorded by audited() itself.
    const saved = s.audited(
      'practice_server.configure',
      SUBJECT,
      (v) => {
        const before = readPracticeServer(v.db);
        const next: StoredPracticeServerT = {
          ...settings,
          caFingerprint,
          password,
          active: true,
          verified: check,
          changedAt: this.d.clock.now().toISOString(),
          changedBy: s.currentUser()?.id ?? null,
        };
        writePracticeServer(v.db, next);
        const fields = ['host', 'port', 'database', 'user', 'caPem', 'password'] as const;
        const changed = before ? fields.filter((k) => before[k] !== next[k]) : [...fields];
        return { status: toStatus(next), changed, was: before ? (before.active ? 'active' : 'disconnected') : 'not_set' };
      },
      (r) => ({ changed: r.changed.join(',') || 'none', was: r.was, tlsVersion: check.tlsVersion, serverVersion: shortVersion(check.serverVersion) }),
    );
    return this.full(saved.status);
  }

  /**
   * Stop using the practice server on this workstation: it becomes `disconnected`, the stored password is erased and
   * so is the practice key the workstation kept (the link becomes `local`); the other settings stay for reconnecting
   * (the password must then be entered again). Audited `practice_server.disconnect`.
   * @returns the new status
   * @throws AppError VAULT_LOCKED | PRACTICE_SERVER_NOT_SET (no active practice server)
   * @source 45 CFR 164.312(b) audit controls; 164.312(d).
   */
  disconnect(): PracticeServerFullStatusT {
    const s = this.d.session;
    const status = s.audited('practice_server.disconnect', SUBJECT, (v) => {
      const before = readPracticeServer(v.db);
      if (!before?.active) throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
      const next: StoredPracticeServerT = { ...before, password: null, active: false, changedAt: this.d.clock.now().toISOString(), changedBy: s.currentUser()?.id ?? null };
      writePracticeServer(v.db, next);
      this.link?.forgetKey(v.db);
      return toStatus(next);
    });
    return this.full(status);
  }

  /**
   * The `pg.PoolConfig` of the active practice server (connection.ts practicePoolConfig: TLS required and verified),
   * for the shared store's engine; null while none is active (the workstation works from its own vault).
   * @throws AppError VAULT_LOCKED
   */
  activePoolConfig(opts: PracticeConnectionOptions = this.d.connection ?? {}): pg.PoolConfig | null {
    return this.poolConfigOf(this.d.session.require().db, opts);
  }

  /**
   * As {@link activePoolConfig}, from the settings in a vault that is open but not signed in to yet (a practice-wide
   * account's first sign-in on this workstation, practice/staff-directory.ts). @returns null when not configured
   */
  poolConfigOf(db: Database, opts: PracticeConnectionOptions = this.d.connection ?? {}): pg.PoolConfig | null {
    const stored = readPracticeServer(db);
    if (!stored?.active || stored.password === null) return null;
    return practicePoolConfig(stored, stored.password, opts);
  }

  /** Check the CA, pick the password, test. Throws the coded error; writes nothing. */
  private async check(input: PracticeServerInputT): Promise<Tested> {
    const ca = checkCaPem(input.caPem, this.d.clock.now());
    const settings: PracticeServerSettings = { host: input.host, port: input.port, database: input.database, user: input.user, caPem: ca.caPem };
    const password = input.password ?? this.storedPasswordFor(settings);
    const check = await testPracticeServer(practicePoolConfig(settings, password, { ...this.d.connection, max: 1 }), () => this.d.clock.now());
    return { check, settings, password, caFingerprint: ca.fingerprint };
  }

  /** The stored password when host (case-insensitive), port and user are the stored ones. @throws AppError VALIDATION_FAILED */
  private storedPasswordFor(s: PracticeServerSettings): string {
    const stored = readPracticeServer(this.d.session.require().db);
    const same = stored && stored.host.toLowerCase() === s.host.toLowerCase() && stored.port === s.port && stored.user === s.user;
    if (!same || stored.password === null) {
      throw new AppError('VALIDATION_FAILED', 'Enter the practice server password. A stored password is only used again for the same server, port and user.', { reason: 'password_missing' });
    }
    return stored.password;
  }
}

/** "15.18 (Debian 15.18-0+deb12u1)" → "15.18": the audit keeps the version number only. */
function shortVersion(v: string): string {
  return /^\d+(\.\d+)*/.exec(v)?.[0] ?? 'unknown';
}

/** The status the renderer sees: never the password. */
function toStatus(stored: StoredPracticeServerT | null): PracticeServerStatusT {
  if (!stored) return { state: 'not_set', server: null, passwordSet: false, caFingerprint: null, verified: null };
  return {
    state: stored.active ? 'active' : 'disconnected',
    server: { host: stored.host, port: stored.port, database: stored.database, user: stored.user, caPem: stored.caPem },
    passwordSet: stored.password !== null,
    caFingerprint: stored.caFingerprint,
    verified: stored.verified,
  };
}
