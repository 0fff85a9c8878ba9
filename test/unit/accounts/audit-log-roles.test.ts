/**
 * The audit log names every patient and recipient the practice has disclosed to, so only privacy officers and
 * administrators read it (45 CFR 164.308(a)(4)(ii)(B), 164.312(b); minimum necessary, 164.502(b)). Front desk is
 * refused on every `audit.*` channel by the one role table, which is total: every channel states who may call it.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type ChannelName } from '../../../src/shared/contract';
import { CHANNEL_ROLES, roleMayCall } from '../../../src/shared/roles';
import { signInAs, type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };
const PAT = { name: 'Pat Privacyofficer', pass: 'walnut prism tundra falcon ember' };

describe('who may read the audit log', () => {
  it('the role table states a decision for every channel, and no audit channel is open to front desk', () => {
    expect(Object.keys(CHANNEL_ROLES).sort()).toEqual([...CHANNEL_NAMES].sort());
    const audit = CHANNEL_NAMES.filter((c) => c.startsWith('audit.'));
    expect(audit.length).toBeGreaterThan(10);
    for (const c of audit) {
      expect(roleMayCall('front_desk', c), c).toBe(false);
      expect(roleMayCall('privacy_officer', c), c).toBe(true);
    }
  });

  let b: Backend;
  useBackend({ exportDir: '/nonexistent-never-used' }, (started) => {
    b = started;
  }, 60_000);

  it('refuses front desk the audit events and the transmission records before reading their input, audited with the channel; a privacy officer reads them', async () => {
    await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    await b.call('accounts.add', { name: PAT.name, role: 'privacy_officer', passphrase: PAT.pass });

    await signInAs(b, DANA.name, DANA.pass);
    const tried: ChannelName[] = ['audit.events', 'audit.transmissions'];
    for (const channel of tried) {
      // The role is checked before the input: a refused caller learns nothing about the channel's fields.
      const err = (await b.call(channel as 'audit.events', { limit: 500, bogus: true } as never).catch((e: unknown) => e)) as { code: string };
      expect(err, channel).toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    }
    const refused = b.services.audit.events(500).filter((e) => e.action === 'rpc.role_refused');
    expect(refused.map((e) => e.subjectId).sort()).toEqual([...tried].sort());

    await signInAs(b, PAT.name, PAT.pass);
    const events = await b.call('audit.events', { limit: 500 });
    expect(events.some((e) => e.action === 'rpc.role_refused')).toBe(true);
    await expect(b.call('audit.transmissions', {})).resolves.toBeDefined();
  });
});
