/**
 * Who may change retention, legal holds, run the purge and make a backup: privacy officers and administrators, by the
 * one role table (src/shared/roles.ts) that the role layer enforces with ROLE_NOT_PERMITTED (45 CFR 164.530(a)(1),
 * 164.308(a)(4)). Front desk is refused on every such channel — audited `rpc.role_refused` with the channel — and
 * nothing changes; `retention.get` tells each role whether it may change (the screen hides the controls by it).
 */
import { describe, expect, it } from 'vitest';
import { intake, PASSPHRASE, signInAs, type Backend } from '../../support/backend';
import { useBackend } from '../../support/release-suite';

const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };
const PAT = { name: 'Pat Privacyofficer', pass: 'walnut prism tundra falcon ember' };
const POLICY = { documentationYears: 7, recordFileDays: 30, auditYears: 6, backupReminderDays: 7 };

describe('retention and legal holds by role', () => {
  let b: Backend;
  useBackend({ exportDir: '/nonexistent-never-used' }, (started) => {
    b = started;
  }, 60_000);
  const signIn = (name: string, pass: string) => signInAs(b, name, pass);

  it('refuses front desk with ROLE_NOT_PERMITTED on every retention channel; a privacy officer may change them', async () => {
    await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    await b.call('accounts.add', { name: PAT.name, role: 'privacy_officer', passphrase: PAT.pass });
    const req = await b.call('requests.create', intake());
    await b.call('retention.placeHold', { scope: 'request', requestReference: req.reference, reason: 'litigation' });
    const hold = (await b.call('retention.get', {})).holds[0]!;

    await signIn(DANA.name, DANA.pass);
    const view = await b.call('retention.get', {});
    expect(view.canChange).toBe(false);
    const attempts = [
      ['retention.setPolicy', POLICY],
      ['retention.placeHold', { scope: 'request', requestReference: req.reference, reason: 'audit' }],
      ['retention.releaseHold', { holdId: hold.id }],
      ['retention.purge', {}],
      ['backup.create', {}],
    ] as const;
    for (const [channel, input] of attempts) {
      const err = (await b.call(channel as 'retention.purge', input as never).catch((e: unknown) => e)) as { code: string; message: string };
      expect(err, channel).toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
      expect(err.message).toBe('Only an administrator or a privacy officer can do this. Ask a colleague with that role.');
    }
    const refused = b.services.audit.events(500).filter((e) => e.action === 'rpc.role_refused');
    expect(refused.map((e) => e.subjectId).sort()).toEqual(attempts.map(([c]) => c).sort());
    expect(refused.every((e) => e.actor === DANA.name && e.detail.code === 'ROLE_NOT_PERMITTED' && e.detail.role === 'front_desk')).toBe(true);
    // Nothing changed.
    expect((await b.call('retention.get', {})).holds).toHaveLength(1);
    expect((await b.call('retention.get', {})).policySet).toBe(false);

    await signIn(PAT.name, PAT.pass);
    expect((await b.call('retention.get', {})).canChange).toBe(true);
    expect((await b.call('retention.setPolicy', POLICY)).policy.documentationYears).toBe(7);
    expect((await b.call('retention.releaseHold', { holdId: hold.id })).holds).toHaveLength(0);

    await signIn('Qwert Frontdesk', PASSPHRASE);
    expect((await b.call('retention.get', {})).canChange).toBe(true);
  });
});
