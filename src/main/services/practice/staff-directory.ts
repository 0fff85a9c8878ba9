/**
 * Practice-wide staff accounts (issue #17): the practice staff directory on the server, kept in step with each joined
 * workstation's own staff accounts, and the first sign-in of a practice-wide account on a workstation it has never
 * used.
 *
 * **Directory.** On a joined workstation every staff-account change made through the accounts channels (add, role,
 * deactivate, passphrase, MFA) is also queued in the vault (vault migration 018, in the same audited transaction) and
 * pushed to `practice_staff` at the next sync (the link's background sync, or Sync now); offline, it simply waits.
 * Accounts made before the join become practice-wide the first time they sign in on the joined workstation (their
 * passphrase is needed to make their key pair). The entry holds the role and disabled flag in clear, the name and TOTP
 * secret sealed under the practice data key, an X25519 public key and the private key wrapped under the person's
 * passphrase (staff-keys.ts); the data key is boxed to the public key. At each sync a workstation pulls the directory
 * and applies newer versions to its local accounts (role, active, TOTP secret; a passphrase changed elsewhere removes
 * the local wrap so the next sign-in here uses the new passphrase), audited `practice_staff.apply`.
 *
 * **First sign-in here (workstation escrow).** At join and every sync the workstation writes `practice-staff.json`
 * beside the vault (staff-cache.ts): per active practice-wide account its wrapped private key and boxed data key, and
 * this vault's key sealed under the practice data key. A person with no account here types their name and passphrase:
 * passphrase → private key → practice data key → this vault's key → the vault opens. The server then confirms the
 * account is current and not disabled (the authority; offline → refused), the local account is made from the
 * directory (same id, role, TOTP secret: MFA is checked as for any account), the vault key is wrapped under the
 * passphrase in vault.kdf.json, and `user.first_signin_here` is audited. Refusals close the vault again unchanged,
 * audited in it (disabled, server unreachable) or recorded for the next unlock (wrong passphrase).
 *
 * Source: 45 CFR 164.312(a)(2)(i) unique user identification, 164.312(d) person authentication, 164.308(a)(3)(ii)(C)
 * termination procedures, 164.308(a)(4)(ii)(C) access modification, 164.312(a)(2)(iv) encryption, 164.312(b) audit.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { StaffRole } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { getUser, putDirectoryUser, type UserRow } from '../accounts/users-repo';
import type { PracticeSignIn, Session } from '../session';
import type { Clock } from '../support/clock';
import type { Logger } from '../support/logger';
import { readKeyFile, sameName, withEntry, withoutUser, wrapVaultKey, writeKeyring } from '../vault/keyring';
import type { Vault } from '../vault/vault';
import type { SqlEngine } from './engine';
import { readLink } from './link-vault-repo';
import { destroyPracticeKeys, open, seal, type PracticeKeys, type SealPlace } from './sealing';
import { readStaffCache, writeStaffCache, type StaffCache } from './staff-cache';
import { boxDataKey, keysOfBoxPayload, newStaffKeyPair, openKeyBox, PrivateKeyWrap, unwrapPrivateKey, wrapPrivateKey } from './staff-keys';
import { currentKeyId, getKeyBox, getStaffEntry, getStaffStatus, listStaffEntries, listStaffSignins, putKeyBox, putStaffEntry, recordStaffSignin, StaffRecord, type StaffEntry } from './staff-repo';
import { markStaffChangePushed, practiceStaffLocal, rootLinkKey, practiceStaffLocalOf, putPracticeStaffLocal, queueStaffChange, waitingStaffChanges } from './staff-vault-repo';
import { readSettingJson, writeSettingJson } from '../settings/repo';
import { deactivateSameNameTwin, refuseSameNameLocal } from './staff-twins';
import type { PracticeStaffViewT } from '../../../shared/contract';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/);

/** A queued directory change (practice_staff_outbox.change_json). */
const StaffChangeJson = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('entry'),
    role: StaffRole,
    disabled: z.boolean(),
    record: StaffRecord,
    keys: z.object({ publicKey: Hex32, privateKeyWrap: PrivateKeyWrap }).optional(),
  }),
  z.object({ kind: z.literal('signin'), at: z.string() }),
]);

/** Where practice-wide accounts signed in, as last brought from the server (a settings value; workstation labels only). */
const SIGNINS_SETTING = 'practiceStaffSignins';
const Signins = z.object({
  asOf: z.string(),
  signins: z.array(z.object({ userId: z.string(), workstation: z.string(), firstAt: z.string(), lastAt: z.string() })),
});

/** Where this vault's key is sealed in the sign-in file (bound to the workstation id). */
export const escrowPlace = (workstationId: string): SealPlace => ({ table: 'workstation_escrow', column: 'vault_key', rowId: workstationId });

export interface StaffDirectoryDeps {
  session: Session;
  clock: Clock;
  logger: Logger;
  /**
   * Run `fn` against the practice server whose settings are in `db` (the vault being opened: the session is still
   * locked during a first sign-in). @throws AppError PRACTICE_SERVER_NOT_SET | the offline codes
   */
  withServerOf<T>(db: Database, fn: (engine: SqlEngine) => Promise<T>): Promise<T>;
}

/** Counts of one directory pass of a sync. */
export interface DirectorySyncCounts {
  pushed: number;
  applied: number;
}

/** See the module comment. */
export class StaffDirectory implements PracticeSignIn {
  constructor(private readonly d: StaffDirectoryDeps) {}

  /** Whether this vault is joined to a practice (holds the practice data key). */
  joined(db: Database): boolean {
    return Boolean(readLink(db)?.dataKey);
  }

  /**
   * A new key pair for an account: the private key wrapped under its passphrase (argon2id, about 150 ms), then zeroed.
   * @returns the public key (hex) and the wrap
   */
  async makeKeys(userId: string, passphrase: string): Promise<{ publicKey: string; privateKeyWrap: PrivateKeyWrap }> {
    const pair = newStaffKeyPair();
    try {
      return { publicKey: pair.publicKey.toString('hex'), privateKeyWrap: await wrapPrivateKey(pair.privateKey, userId, passphrase) };
    } finally {
      pair.privateKey.fill(0);
    }
  }

  /**
   * Queue the account's directory entry as it now stands in the vault (call inside the audited transaction of the
   * change). Without `keys`, only an account that is already practice-wide is queued.
   * @returns whether a change was queued
   */
  queueEntry(db: Database, userId: string, keys?: { publicKey: string; privateKeyWrap: PrivateKeyWrap }): boolean {
    if (!this.joined(db)) return false;
    const u = getUser(db, userId);
    if (!u) return false;
    if (!keys && !practiceStaffLocalOf(db, userId)) return false;
    const change = {
      kind: 'entry' as const,
      role: u.role,
      disabled: !u.active,
      record: { name: u.name, mfaSecret: u.mfaSecret, mfaEnrolledAt: u.mfaEnrolledAt, createdAt: u.createdAt },
      ...(keys ? { keys } : {}),
    };
    queueStaffChange(db, userId, JSON.stringify(StaffChangeJson.parse(change)), this.now());
    if (keys) putPracticeStaffLocal(db, userId, { publicKey: Buffer.from(keys.publicKey, 'hex') });
    return true;
  }

  /**
   * Make a signed-in account practice-wide if it is not yet (joined workstations only): a key pair under the
   * passphrase it just proved, queued for the next sync. Audited `practice_staff.enroll`. Never throws (a failure is
   * logged as its code; the account stays local until its next sign-in).
   */
  async enroll(userId: string, passphrase: string): Promise<void> {
    try {
      const v = this.d.session.require();
      if (!this.joined(v.db) || practiceStaffLocalOf(v.db, userId)) return;
      const keys = await this.makeKeys(userId, passphrase);
      this.d.session.audited('practice_staff.enroll', { type: 'user', id: userId }, (vault) => {
        this.queueEntry(vault.db, userId, keys);
      });
    } catch (e) {
      this.d.logger.warn('practice_staff.enroll_failed', { code: e instanceof AppError ? e.code : 'INTERNAL' });
    }
  }

  /**
   * {@link PracticeSignIn.afterUnlock}: make the account practice-wide ({@link enroll}), then queue "signed in here"
   * for the directory's list of where each account signs in (pushed at the next sync). Never throws.
   */
  async afterUnlock(user: { id: string }, passphrase: string): Promise<void> {
    await this.enroll(user.id, passphrase);
    try {
      const v = this.d.session.require();
      if (!this.joined(v.db) || !practiceStaffLocalOf(v.db, user.id)) return;
      v.tx(() => queueStaffChange(v.db, user.id, JSON.stringify({ kind: 'signin', at: this.now() }), this.now()));
    } catch (e) {
      this.d.logger.warn('practice_staff.signin_note_failed', { code: e instanceof AppError ? e.code : 'INTERNAL' });
    }
  }

  /**
   * Push the queued directory changes (oldest first). Each entry and its key box commit together on the server, then
   * the change is marked pushed in the vault (a crash between pushes it again: the entry is the same).
   * @returns how many changes were pushed
   * @throws store errors (the rest stays queued)
   */
  async push(engine: SqlEngine, keys: PracticeKeys, workstationId: string): Promise<number> {
    const v = this.d.session.require();
    let n = 0;
    for (const w of waitingStaffChanges(v.db)) {
      const c = StaffChangeJson.parse(JSON.parse(w.changeJson));
      const at = this.now();
      if (c.kind === 'signin') {
        await recordStaffSignin(engine, w.userId, workstationId, c.at);
        v.tx(() => markStaffChangePushed(v.db, w.seq, at));
      } else {
        const dataKey = readLink(v.db)?.dataKey;
        if (!dataKey) throw new AppError('PRACTICE_KEY_NOT_WRAPPED', 'This workstation does not hold the practice key.');
        try {
          const version = await engine.transaction(async (tx) => {
            const publicKey = c.keys ? Buffer.from(c.keys.publicKey, 'hex') : undefined;
            const ver = await putStaffEntry(tx, keys, { userId: w.userId, role: c.role, disabled: c.disabled, record: c.record, keys: publicKey && c.keys ? { publicKey, privateKeyWrap: c.keys.privateKeyWrap } : undefined }, workstationId, at);
            if (publicKey && ver !== null) await putKeyBox(tx, boxDataKey(dataKey, publicKey, { kind: 'user', id: w.userId }, rootLinkKey(v.db)), at);
            return ver;
          });
          v.tx(() => {
            markStaffChangePushed(v.db, w.seq, at);
            if (version !== null) putPracticeStaffLocal(v.db, w.userId, { version });
          });
        } finally {
          dataKey.fill(0);
        }
      }
      n++;
    }
    return n;
  }

  /**
   * Pull the directory: apply newer versions to this vault's accounts (audited `practice_staff.apply`), then rewrite
   * the sign-in file beside the vault (staff-cache.ts) with every active practice-wide account and this vault's key
   * sealed under the current practice data key.
   * @returns how many accounts changed here
   * @throws AppError PRACTICE_KEY_WRONG | PRACTICE_DATA_TAMPERED; store errors
   */
  async pull(engine: SqlEngine, keys: PracticeKeys, workstationId: string): Promise<number> {
    const entries = await listStaffEntries(engine, keys);
    let applied = 0;
    for (const e of entries) if (this.apply(e)) applied++;
    await this.writeCache(engine, keys, entries, workstationId);
    const signins = await listStaffSignins(engine);
    const v = this.d.session.require();
    const snapshot = { asOf: this.now(), signins: signins.map((x) => ({ userId: x.userId, workstation: x.label, firstAt: x.firstAt, lastAt: x.lastAt })) };
    v.tx(() => writeSettingJson(v.db, SIGNINS_SETTING, JSON.stringify(Signins.parse(snapshot))));
    return applied;
  }

  /**
   * Settings → Staff: which local accounts are practice-wide, changes waiting to be pushed, and where each has signed
   * in (as of the last sync). @throws AppError VAULT_LOCKED
   */
  view(): PracticeStaffViewT {
    const db = this.d.session.require().db;
    const local = new Map(practiceStaffLocal(db).map((r) => [r.userId, r]));
    const waiting = new Map<string, number>();
    for (const w of waitingStaffChanges(db)) waiting.set(w.userId, (waiting.get(w.userId) ?? 0) + 1);
    const json = readSettingJson(db, SIGNINS_SETTING);
    const parsed = json === undefined ? null : Signins.safeParse(JSON.parse(json));
    const snap = parsed?.success ? parsed.data : null;
    const ids = new Set<string>([...local.keys(), ...waiting.keys()]);
    return {
      joined: this.joined(db),
      asOf: snap?.asOf ?? null,
      accounts: [...ids].sort().map((userId) => ({
        userId,
        practiceWide: local.has(userId),
        firstSignInHere: local.get(userId)?.firstSigninAt ?? null,
        waiting: waiting.get(userId) ?? 0,
        signedInOn: (snap?.signins ?? []).filter((x) => x.userId === userId).map(({ workstation, firstAt, lastAt }) => ({ workstation, firstAt, lastAt })),
      })),
    };
  }

  /** Rewrite the sign-in file (see {@link pull}); `entries` default to the server's. */
  async writeCache(engine: SqlEngine, keys: PracticeKeys, entries: StaffEntry[] | null, workstationId: string): Promise<void> {
    const v = this.d.session.require();
    const list = entries ?? (await listStaffEntries(engine, keys));
    const users: StaffCache['users'] = [];
    for (const e of list) {
      if (e.disabled) continue;
      const box = await getKeyBox(engine, keys.keyId, { kind: 'user', id: e.userId });
      if (!box) continue;
      users.push({
        userId: e.userId,
        name: e.record.name,
        publicKey: e.publicKey.toString('hex'),
        privateKeyWrap: e.privateKeyWrap,
        box: { keyId: box.keyId, ephemeralPublic: box.ephemeralPublic.toString('hex'), iv: box.iv.toString('hex'), ciphertext: box.ciphertext.toString('hex'), tag: box.tag.toString('hex') },
      });
    }
    const vaultKey = v.vaultKey();
    try {
      writeStaffCache(this.d.session.dataDir, {
        version: 1,
        workstationId,
        escrow: { keyId: keys.keyId, sealed: seal(keys, escrowPlace(workstationId), vaultKey).toString('hex') },
        users,
      });
    } finally {
      vaultKey.fill(0);
    }
  }

  /** Apply one newer directory entry to the local account of the same id. @returns true when something changed */
  private apply(e: StaffEntry): boolean {
    const s = this.d.session;
    const v = s.require();
    const u = getUser(v.db, e.userId);
    if (!u) return deactivateSameNameTwin(s, e, (db, id) => this.queueEntry(db, id), this.now());
    const local = practiceStaffLocalOf(v.db, e.userId);
    if (local && local.version >= e.version) return false;
    const passphraseElsewhere = Boolean(local?.publicKey && !local.publicKey.equals(e.publicKey));
    const changes = {
      ...(u.role !== e.role ? { from: u.role, to: e.role } : {}),
      ...(u.active === e.disabled ? { active: !e.disabled } : {}),
      ...(u.mfaSecret !== e.record.mfaSecret ? { mfa: e.record.mfaSecret !== null } : {}),
      ...(passphraseElsewhere ? { passphraseChangedElsewhere: true } : {}),
    };
    const write = (): void => {
      putDirectoryUser(v.db, { id: u.id, name: u.name, role: e.role, active: !e.disabled, mfaSecret: e.record.mfaSecret, mfaEnrolledAt: e.record.mfaEnrolledAt, createdAt: u.createdAt, at: this.now() });
      putPracticeStaffLocal(v.db, u.id, { version: e.version, publicKey: e.publicKey });
      // A disabled account, or a passphrase changed on another workstation: the local wrap goes (the old passphrase no
      // longer opens this vault; the new one signs in through the directory and makes a new wrap).
      if (e.disabled || passphraseElsewhere) {
        const f = readKeyFile(s.dataDir);
        if (f.kind === 'keyring' && f.keyring.users.some((x) => x.userId === u.id)) writeKeyring(s.dataDir, withoutUser(f.keyring, u.id));
      }
    };
    if (Object.keys(changes).length === 0) {
      v.tx(write);
      return false;
    }
    s.audited('practice_staff.apply', { type: 'user', id: u.id }, write, () => ({ version: e.version, accountName: u.name, ...changes }));
    return true;
  }

  /**
   * {@link PracticeSignIn.unwrap}: find a practice-wide account of that name in the sign-in file and open this vault's
   * key with its passphrase. @returns null when no practice-wide account of that name is known here
   * @throws AppError WRONG_PASSPHRASE (detail.accountId) | PRACTICE_KEY_WRONG (the file is older than the key: an
   *   account of this workstation must sign in once so it is refreshed)
   */
  async unwrap(username: string, passphrase: string): Promise<FirstSignIn | null> {
    const cache = readStaffCache(this.d.session.dataDir);
    const candidates = cache?.users.filter((u) => sameName(u.name, username)) ?? [];
    if (!cache || candidates.length === 0) return null;
    for (const c of candidates) {
      const priv = await unwrapPrivateKey(c.privateKeyWrap, c.userId, passphrase);
      if (!priv) continue;
      let payload: Buffer | null = null;
      try {
        const box = { keyId: c.box.keyId, holderKind: 'user' as const, holderId: c.userId, ephemeralPublic: Buffer.from(c.box.ephemeralPublic, 'hex'), iv: Buffer.from(c.box.iv, 'hex'), ciphertext: Buffer.from(c.box.ciphertext, 'hex'), tag: Buffer.from(c.box.tag, 'hex') };
        payload = openKeyBox(box, priv);
        if (c.box.keyId !== cache.escrow.keyId) throw new AppError('PRACTICE_KEY_WRONG', 'This workstation’s list of practice staff is out of date. Ask someone with an account on this workstation to sign in once, then try again.');
        const keys = keysOfBoxPayload(payload);
        const vaultKey = open(keys, escrowPlace(cache.workstationId), Buffer.from(cache.escrow.sealed, 'hex'));
        return this.firstSignIn(c.userId, Buffer.from(c.publicKey, 'hex'), Buffer.from(priv), vaultKey, keys, passphrase);
      } finally {
        priv.fill(0);
        payload?.fill(0);
      }
    }
    throw new AppError('WRONG_PASSPHRASE', 'That name and passphrase do not unlock this vault.', candidates.length === 1 ? { accountId: candidates[0]!.userId } : {});
  }

  /**
   * The server's current view of the account, opened (see {@link unwrap}): refused when disabled or gone; a passphrase
   * changed on another workstation must open the new private key; after a rotation the account's box of the current
   * key opens its record.
   */
  private async currentEntry(engine: SqlEngine, userId: string, cachedPublicKey: Buffer, cachedPrivate: Buffer, keys: PracticeKeys, passphrase: string): Promise<StaffEntry> {
    const inactive = () => new AppError('ACCOUNT_INACTIVE', 'This staff account is not active. Ask your administrator.', { accountId: userId });
    const st = await getStaffStatus(engine, userId);
    if (!st || st.disabled) throw inactive();
    let priv = cachedPrivate;
    if (!st.publicKey.equals(cachedPublicKey)) {
      // The passphrase was changed on another workstation since this one last synchronised: the new one must open it.
      const fresh = await unwrapPrivateKey(st.privateKeyWrap, userId, passphrase);
      if (!fresh) throw new AppError('WRONG_PASSPHRASE', 'That name and passphrase do not unlock this vault.', { accountId: userId });
      priv = fresh;
    }
    try {
      const cur = await currentKeyId(engine);
      if (!cur || cur === keys.keyId) {
        const e = await getStaffEntry(engine, keys, userId);
        if (!e) throw inactive();
        return e;
      }
      // The practice key was rotated since this workstation last synchronised: the account's own box opens the new one.
      const box = await getKeyBox(engine, cur, { kind: 'user', id: userId });
      if (!box) throw inactive();
      const payload = openKeyBox(box, priv);
      const now = keysOfBoxPayload(payload);
      payload.fill(0);
      try {
        const e = await getStaffEntry(engine, { ...now, earlier: [keys] }, userId);
        if (!e) throw inactive();
        return e;
      } finally {
        destroyPracticeKeys({ ...now, earlier: [] });
      }
    } finally {
      if (priv !== cachedPrivate) priv.fill(0);
    }
  }

  private firstSignIn(userId: string, cachedPublicKey: Buffer, cachedPrivate: Buffer, vaultKey: Buffer, keys: PracticeKeys, passphrase: string): FirstSignIn {
    const confirm = async (v: Vault): Promise<UserRow> => {
      try {
        const entry = await this.d.withServerOf(v.db, (engine) => this.currentEntry(engine, userId, cachedPublicKey, cachedPrivate, keys, passphrase));
        const at = this.now();
        v.tx(() => {
          refuseSameNameLocal(v.db, userId, entry.record.name);
          putDirectoryUser(v.db, { id: userId, name: entry.record.name, role: entry.role, active: true, mfaSecret: entry.record.mfaSecret, mfaEnrolledAt: entry.record.mfaEnrolledAt, createdAt: entry.record.createdAt, at });
          putPracticeStaffLocal(v.db, userId, { version: entry.version, publicKey: entry.publicKey });
        });
        return getUser(v.db, userId)!;
      } finally {
        cachedPrivate.fill(0);
        destroyPracticeKeys(keys);
      }
    };
    const finish = async (): Promise<void> => {
      const s = this.d.session;
      const v = s.require();
      const entry = await wrapVaultKey(vaultKey, { id: userId, name: getUser(v.db, userId)!.name }, passphrase);
      vaultKey.fill(0);
      s.audited('user.first_signin_here', { type: 'user', id: userId }, (vault) => {
        putPracticeStaffLocal(vault.db, userId, { firstSigninAt: this.now() });
        const f = readKeyFile(s.dataDir);
        if (f.kind === 'keyring') writeKeyring(s.dataDir, withEntry(f.keyring, entry));
      });
    };
    const discard = () => {
      vaultKey.fill(0);
      cachedPrivate.fill(0);
      destroyPracticeKeys(keys);
    };
    return { userId, vaultKey, confirm, finish, discard };
  }

  private now(): string {
    return this.d.clock.now().toISOString();
  }
}

/** A first sign-in in progress (see {@link StaffDirectory.unwrap}). */
export interface FirstSignIn {
  userId: string;
  /** This vault's key (32 bytes), opened through the practice key; zeroed by finish/discard. */
  vaultKey: Buffer;
  /** With the vault opened (not yet signed in): ask the server, make the local account. @throws AppError ACCOUNT_INACTIVE | WRONG_PASSPHRASE | offline codes */
  confirm(v: Vault): Promise<UserRow>;
  /** Signed in (second factor passed): wrap the vault key for the account here; audited `user.first_signin_here`. */
  finish(): Promise<void>;
  /** Zero the keys (a refusal). */
  discard(): void;
}
