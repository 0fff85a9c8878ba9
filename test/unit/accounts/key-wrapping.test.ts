/**
 * Key wrapping (issue #11): each staff member's passphrase unwraps the same random vault key; adding or removing a
 * user or changing a passphrase rewrites only vault.kdf.json — the vault key (and so the vault file's encryption)
 * never changes, and a removed user's old passphrase no longer unlocks. Real argon2id, real SQLCipher.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit, verifyAudit } from '../../../src/main/services/audit/audit';
import { AccountService } from '../../../src/main/services/accounts/account-service';
import { Session } from '../../../src/main/services/session';
import { putSetting } from '../../../src/main/services/settings/settings';
import { fixedClock } from '../../../src/main/services/support/clock';
import { memoryLogger } from '../../../src/main/services/support/logger';
import { Keyring, unwrapVaultKey } from '../../../src/main/services/vault/keyring';
import { Vault } from '../../../src/main/services/vault/vault';

const ADMIN_PASS = 'orbit velvet canyon lantern meadow';
const DANA_PASS = 'copper thistle harbor nimbus quartz';
const DANA_NEW = 'saffron glacier pylon otter mosaic';
const PAT_PASS = 'walnut prism tundra falcon ember';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'rd-keys-'));
  dirs.push(dir);
  const clock = fixedClock('2026-03-01T15:00:00Z');
  const session = new Session(dir, clock, memoryLogger());
  return { dir, clock, session, accounts: new AccountService(session) };
}

const ring = (dir: string) => Keyring.parse(JSON.parse(readFileSync(join(dir, 'vault.kdf.json'), 'utf8')));
const keyOf = (s: Session) => createHash('sha256').update(s.require().vaultKey()).digest('hex');

describe('key wrapping: one vault key, one wrapped copy per staff member', () => {
  it('adding a user, changing a passphrase and removing a user never change the vault key; the removed user is refused', async () => {
    const { dir, session, accounts } = fresh();
    await session.create(ADMIN_PASS, { name: 'Alex Admin' });
    const original = keyOf(session);
    const vaultHead = readFileSync(join(dir, 'vault.db')).subarray(0, 16).toString('hex'); // SQLCipher salt of the file

    const dana = await accounts.add('Dana Frontdesk', 'front_desk', DANA_PASS);
    expect(keyOf(session)).toBe(original);
    expect(ring(dir).users.map((u) => u.name).sort()).toEqual(['Alex Admin', 'Dana Frontdesk']);
    // Two entries, two salts, one vault key.
    const [a, d] = [ring(dir).users.find((u) => u.name === 'Alex Admin')!, ring(dir).users.find((u) => u.name === 'Dana Frontdesk')!];
    expect(a.kdf.salt).not.toBe(d.kdf.salt);
    expect((await unwrapVaultKey(d, DANA_PASS))!.equals((await unwrapVaultKey(a, ADMIN_PASS))!)).toBe(true);
    expect(await unwrapVaultKey(d, ADMIN_PASS)).toBeNull();

    session.lock();
    await session.unlock(DANA_PASS, { username: 'dana frontdesk' }); // names match case-insensitively
    expect(session.currentUser()).toMatchObject({ id: dana.id, name: 'Dana Frontdesk', role: 'front_desk' });
    expect(keyOf(session)).toBe(original);
    await accounts.changePassphrase(DANA_PASS, DANA_NEW);
    expect(keyOf(session)).toBe(original);
    session.lock();
    await expect(session.unlock(DANA_PASS, { username: 'Dana Frontdesk' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await session.unlock(DANA_NEW, { username: 'Dana Frontdesk' });
    expect(keyOf(session)).toBe(original);
    session.lock();

    await session.unlock(ADMIN_PASS, { username: 'Alex Admin' });
    accounts.deactivate(dana.id);
    expect(ring(dir).users.map((u) => u.name)).toEqual(['Alex Admin']);
    expect(keyOf(session)).toBe(original);
    session.lock();
    await expect(session.unlock(DANA_NEW, { username: 'Dana Frontdesk' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await expect(session.unlock(DANA_NEW)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });

    // The vault file itself was never re-encrypted: same file salt, and the original key still opens it.
    expect(readFileSync(join(dir, 'vault.db')).subarray(0, 16).toString('hex')).toBe(vaultHead);
    await session.unlock(ADMIN_PASS, { username: 'Alex Admin' });
    expect(keyOf(session)).toBe(original);
    // Failed unlocks name the account tried (its id, PHI-free), never the passphrase; newest first: without a name
    // the one account left was tried; the removed name matches no account any more; the old passphrase before the change.
    const admin = session.currentUser()!;
    const failed = listAudit(session.require().db, 50).filter((e) => e.action === 'vault.unlock' && e.outcome === 'failure');
    expect(failed.map((e) => e.detail.accountId)).toEqual([admin.id, 'unknown', dana.id]);
    expect(failed.map((e) => e.actor)).toEqual(['Alex Admin', 'unknown', 'Dana Frontdesk']);
    expect(JSON.stringify(listAudit(session.require().db, 100))).not.toContain(DANA_NEW);
    expect(verifyAudit(session.require().db, session.auditKey()).intact).toBe(true);
  }, 60_000);

  it('every audit event carries the acting user’s id; an unknown name is refused like a wrong passphrase', async () => {
    const { session, accounts } = fresh();
    await session.create(ADMIN_PASS, { name: 'Alex Admin' });
    const admin = session.currentUser()!;
    const pat = await accounts.add('Pat Privacy', 'privacy_officer', PAT_PASS);
    session.lock();
    await expect(session.unlock(PAT_PASS, { username: 'Nobody Here' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await session.unlock(PAT_PASS, { username: 'Pat Privacy' });
    session.require().tx(() => session.audit({ action: 'request.view', outcome: 'success', subjectType: 'request', subjectId: 'req_000001' }));
    const events = listAudit(session.require().db, 20);
    const byAction = (a: string) => events.find((e) => e.action === a)!;
    expect(byAction('user.create')).toMatchObject({ actor: 'Alex Admin', actorId: admin.id, subjectId: pat.id });
    expect(byAction('request.view')).toMatchObject({ actor: 'Pat Privacy', actorId: pat.id });
    expect(events.find((e) => e.action === 'vault.unlock' && e.outcome === 'success')).toMatchObject({ actorId: pat.id });
    expect(events.find((e) => e.action === 'vault.unlock' && e.outcome === 'failure')).toMatchObject({ actor: 'unknown', detail: { accountId: 'unknown' } });
    expect(verifyAudit(session.require().db, session.auditKey()).intact).toBe(true);
  }, 60_000);

  it('refuses a duplicate name, a weak passphrase, and deactivating the last administrator', async () => {
    const { session, accounts } = fresh();
    await session.create(ADMIN_PASS, { name: 'Alex Admin' });
    session.require().tx(() => putSetting(session.require().db, 'practice', { name: 'Lakeside Clinic', senderName: 'L', senderEmail: 'l@example.test', timeZone: 'America/Chicago' }));
    await expect(accounts.add('alex admin', 'front_desk', DANA_PASS)).rejects.toMatchObject({ code: 'USER_EXISTS' });
    await expect(accounts.add('Dana Frontdesk', 'front_desk', 'password123')).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
    expect(() => accounts.deactivate(session.currentUser()!.id)).toThrow(expect.objectContaining({ code: 'LAST_ADMINISTRATOR' }) as never);
  }, 60_000);

  it('a vault made with one practice passphrase keeps opening: it becomes the first administrator, same vault key', async () => {
    const { dir, clock } = fresh();
    const legacy = await Vault.create(dir, ADMIN_PASS); // the format before staff accounts (vault.kdf.json version 1)
    legacy.tx(() => putSetting(legacy.db, 'staff', { name: 'Jordan Setup' }));
    const before = createHash('sha256').update(legacy.vaultKey()).digest('hex');
    legacy.close();
    expect(JSON.parse(readFileSync(join(dir, 'vault.kdf.json'), 'utf8'))).toMatchObject({ version: 1 });

    const session = new Session(dir, clock, memoryLogger());
    await expect(session.unlock('not the practice passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await session.unlock(ADMIN_PASS);
    expect(session.currentUser()).toMatchObject({ name: 'Jordan Setup', role: 'administrator' });
    expect(keyOf(session)).toBe(before);
    expect(ring(dir).users.map((u) => u.name)).toEqual(['Jordan Setup']);
    const events = listAudit(session.require().db, 10);
    expect(events.map((e) => e.action)).toEqual(['vault.unlock', 'vault.unlock', 'user.migrate']);
    expect(events[0]).toMatchObject({ outcome: 'success', actor: 'Jordan Setup', detail: { migrated: true } });
    session.lock();
    await session.unlock(ADMIN_PASS, { username: 'Jordan Setup' });
    expect(keyOf(session)).toBe(before);
  }, 60_000);
});
