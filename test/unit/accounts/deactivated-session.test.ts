/**
 * A person whose account is deactivated while they are signed in (here, or on another workstation of the practice and
 * brought in by a sync) can do nothing more: the next call of any channel but sign-in and lock is refused with
 * ACCOUNT_INACTIVE, audited, and the session is locked at once (45 CFR 164.308(a)(3)(ii)(C) termination procedures,
 * 164.312(a)(1) access control).
 */
import { describe, expect, it } from 'vitest';
import { deactivateUser } from '../../../src/main/services/accounts/users-repo';
import { intake, PASSPHRASE, signInAs, type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

const FRAN = { name: 'Fran Frontdesk', pass: 'meadow copper lantern violet 84' };

describe('a session whose account is no longer active', () => {
  let b: Backend;
  useBackend({ exportDir: '/nonexistent-never-used' }, (started) => {
    b = started;
  }, 60_000);

  it('is refused on its next call (reads and writes alike), audited, and locked; sign-in is refused too', async () => {
    await b.call('requests.create', intake());
    const fran = await b.call('accounts.add', { name: FRAN.name, role: 'front_desk', passphrase: FRAN.pass });
    await signInAs(b, FRAN.name, FRAN.pass);
    expect((await b.call('requests.list', {})).length).toBe(1);

    // What a practice sync does when another workstation deactivated her: the vault's row changes under her session.
    const v = b.services.session.require();
    v.tx(() => deactivateUser(v.db, fran.id, new Date().toISOString()));

    const e = (await b.call('requests.list', {}).catch((x: unknown) => x)) as { code: string; message: string };
    expect(e.code).toBe('ACCOUNT_INACTIVE');
    expect(e.message).toMatch(/no longer active/);
    expect(b.services.session.state).toBe('locked');
    expect(((await b.call('requests.list', {}).catch((x: unknown) => x)) as { code: string }).code).toBe('VAULT_LOCKED');
    expect(((await b.call('vault.unlock', { username: FRAN.name, passphrase: FRAN.pass }).catch((x: unknown) => x)) as { code: string }).code).toBe('ACCOUNT_INACTIVE');

    await signInAs(b, 'Qwert Frontdesk', PASSPHRASE);
    const events = b.services.audit.events(200);
    expect(events.find((x) => x.action === 'rpc.role_refused' && x.detail.code === 'ACCOUNT_INACTIVE')).toMatchObject({ actor: FRAN.name, subjectId: 'requests.list', outcome: 'refused' });
    expect(events.find((x) => x.action === 'vault.lock' && x.detail.reason === 'account_inactive')).toMatchObject({ actor: FRAN.name });
  });
});
