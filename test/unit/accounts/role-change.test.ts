/**
 * Changing a staff member's role (164.308(a)(4)(ii)(C) access modification) through the real dispatch: an
 * administrator changes another active account's role, audited with who (actor), whose (subject id and name) and
 * from → to; the new role applies at that person's next call. Refused, coded and PHI-free: your own role
 * (ROLE_CHANGE_SELF), a deactivated account (ACCOUNT_INACTIVE), an unknown one (NOT_FOUND), anyone but an
 * administrator (ROLE_NOT_PERMITTED), and — even when the role layer is bypassed — demoting the last active
 * administrator (LAST_ADMINISTRATOR).
 */
import { describe, expect, it } from 'vitest';
import { setUserRole } from '../../../src/main/services/accounts/users-repo';
import { describeAuditEvent } from '../../../src/shared/audit-labels';
import { PASSPHRASE, signInAs, type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

const ADMIN = 'Qwert Frontdesk';
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };
const BO = { name: 'Bo Secondadmin', pass: 'lantern quiver saffron tundra mosaic' };
const EX = { name: 'Ex Formerstaff', pass: 'pebble walrus indigo falcon crater' };

describe('an administrator changes the role of a staff account', () => {
  let b: Backend;
  useBackend({}, (started) => {
    b = started;
  }, 60_000);

  const signIn = (name: string, pass: string) => signInAs(b, name, pass);
  const lastEvent = (action: string) => b.services.audit.events(500).find((e) => e.action === action)!; // newest first

  it('changes another account’s role, audited who/whose/from→to; the new role applies at once', async () => {
    const admin = (await b.call('accounts.me', {})).user;
    const dana = await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    await signIn(DANA.name, DANA.pass);
    await expect(b.call('audit.verifyChain', {})).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    await expect(b.call('accounts.setRole', { userId: dana.id, role: 'administrator' })).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });

    await signIn(ADMIN, PASSPHRASE);
    const changed = await b.call('accounts.setRole', { userId: dana.id, role: 'privacy_officer' });
    expect(changed).toMatchObject({ id: dana.id, role: 'privacy_officer', active: true });
    const ev = lastEvent('user.role_change');
    expect(ev).toMatchObject({ outcome: 'success', actor: ADMIN, actorId: admin.id, subjectType: 'user', subjectId: dana.id, detail: { from: 'front_desk', to: 'privacy_officer', accountName: DANA.name } });
    expect(describeAuditEvent(ev, {})).toBe(`${ADMIN} changed the role of ${DANA.name} from Front desk to Privacy officer`);
    // The same role again: nothing changes, nothing is audited.
    const before = b.services.audit.events(500).length;
    await b.call('accounts.setRole', { userId: dana.id, role: 'privacy_officer' });
    expect(b.services.audit.events(500)).toHaveLength(before);

    await signIn(DANA.name, DANA.pass);
    expect((await b.call('app.info', {})).user).toMatchObject({ id: dana.id, role: 'privacy_officer' });
    expect((await b.call('audit.verifyChain', {})).intact).toBe(true);
  });

  it('refuses your own role, a deactivated or unknown account, coded and without names', async () => {
    await signIn(ADMIN, PASSPHRASE);
    const admin = (await b.call('accounts.me', {})).user;
    const ex = await b.call('accounts.add', { name: EX.name, role: 'front_desk', passphrase: EX.pass });
    await b.call('accounts.deactivate', { userId: ex.id });
    const refusals = [
      [admin.id, 'front_desk', 'ROLE_CHANGE_SELF'],
      [ex.id, 'privacy_officer', 'ACCOUNT_INACTIVE'],
      ['usr_doesnotexist', 'front_desk', 'NOT_FOUND'],
    ] as const;
    for (const [userId, role, code] of refusals) {
      const err = await b.call('accounts.setRole', { userId, role }).catch((e: unknown) => e as { code: string; message: string });
      expect(err).toMatchObject({ code });
      expect((err as { message: string }).message).not.toMatch(/Qwert|Ex Formerstaff|Dana/);
      expect(lastEvent('user.role_change')).toMatchObject({ outcome: 'refused', subjectId: userId, detail: { code } });
    }
    expect((await b.call('accounts.me', {})).user.role).toBe('administrator');
  });

  it('never demotes the last active administrator, even if the role layer is bypassed (a second workstation’s change)', async () => {
    await signIn(ADMIN, PASSPHRASE);
    const admin = (await b.call('accounts.me', {})).user;
    const bo = await b.call('accounts.add', { name: BO.name, role: 'administrator', passphrase: BO.pass });
    await signIn(BO.name, BO.pass);
    // Another administrator has meanwhile made Bo front desk (written straight into the vault, as another session would).
    setUserRole(b.services.session.require().db, bo.id, 'front_desk');
    // The role layer reads the role the vault holds now: Bo is no longer an administrator.
    await expect(b.call('accounts.setRole', { userId: admin.id, role: 'front_desk' })).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    // The service itself keeps the invariant: the only active administrator stays one.
    expect(() => b.services.accounts.setRole(admin.id, 'front_desk')).toThrow(expect.objectContaining({ code: 'LAST_ADMINISTRATOR' }));
    expect(lastEvent('user.role_change')).toMatchObject({ outcome: 'refused', subjectId: admin.id, detail: { code: 'LAST_ADMINISTRATOR', from: 'administrator', to: 'front_desk' } });
    await signIn(ADMIN, PASSPHRASE);
    expect((await b.call('accounts.me', {})).user.role).toBe('administrator');
  });
});
