/**
 * The two-person rule (issue #11) through the real dispatch: with the practice setting on, a third-party release
 * under an authorization is blocked (APPROVAL_REQUIRED, nothing reaches the SMTP server) until a privacy officer
 * who did not prepare it approves; an administrator cannot approve, nor can the officer approve their own release;
 * roles refuse the wrong channels. The audit names
 * the preparer and the approver by account id.
 */
import { describe, expect, it } from 'vitest';
import { requireTool } from '../../support/tools';
import { goodAuthorization, PASSPHRASE, prepareReadyRelease, type Backend } from '../../support/backend';
import { useReleaseBackend } from '../../support/release-suite';

const HAVE = requireTool('gpg') && requireTool('openssl');
const PAT = { name: 'Pat Privacyofficer', pass: 'walnut prism tundra falcon ember' };
const DANA = { name: 'Dana Deskworker', pass: 'copper thistle harbor nimbus quartz' };

describe.skipIf(!HAVE)('two-person rule and roles', () => {
  let b: Backend;
  let recipientKey: string;
  useReleaseBackend({ withSmtp: true }, (r) => ({ b, recipientKey } = r));

  const signIn = async (name: string, pass: string) => {
    b.services.session.lock();
    await b.call('vault.unlock', { username: name, passphrase: pass });
  };

  it('blocks the send until a different privacy officer approves; the audit names preparer and approver', async () => {
    const admin = (await b.call('accounts.me', {})).user;
    const pat = await b.call('accounts.add', { name: PAT.name, role: 'privacy_officer', passphrase: PAT.pass });
    const dana = await b.call('accounts.add', { name: DANA.name, role: 'front_desk', passphrase: DANA.pass });
    await b.call('settings.setSecurity', { requireMfa: false, twoPersonRule: true });

    // Front desk prepares; the gate blocks with APPROVAL_REQUIRED only; the send is refused with that code.
    await signIn(DANA.name, DANA.pass);
    await expect(b.call('settings.setSecurity', { requireMfa: false, twoPersonRule: false })).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    await expect(b.call('audit.verifyChain', {})).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    await expect(b.call('accounts.list', {})).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    const { req, rel } = await prepareReadyRelease(b, recipientKey);
    await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    const ev = await b.call('releases.evaluate', { releaseId: rel.id });
    expect(ev.findings.filter((f) => f.severity === 'block').map((f) => f.code)).toEqual(['APPROVAL_REQUIRED']);
    await expect(b.call('releases.send', { releaseId: rel.id, method: 'openpgp-pgp-mime' })).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
    await expect(b.call('releases.approve', { releaseId: rel.id })).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });
    expect(b.smtp!.received).toHaveLength(0);

    // The administrator may do everything except approve.
    await signIn(admin.name, PASSPHRASE);
    await expect(b.call('releases.approve', { releaseId: rel.id })).rejects.toMatchObject({ code: 'ROLE_NOT_PERMITTED' });

    // The privacy officer approves; a record added afterwards needs a new approval.
    await signIn(PAT.name, PAT.pass);
    const approved = await b.call('releases.approve', { releaseId: rel.id });
    expect(approved.allowed).toBe(true);
    // The officer's own release cannot be approved by the officer.
    const own = await prepareReadyRelease(b, recipientKey);
    await b.call('authorizations.save', { requestId: own.req.id, authorization: goodAuthorization() });
    await expect(b.call('releases.approve', { releaseId: own.rel.id })).rejects.toMatchObject({ code: 'APPROVAL_NOT_PERMITTED' });

    await signIn(DANA.name, DANA.pass);
    const sent = await b.call('releases.send', { releaseId: rel.id, method: 'openpgp-pgp-mime' });
    expect(sent.release.status).toBe('sent');
    expect(b.smtp!.received).toHaveLength(1);

    const events = b.services.audit.events(500); // the privacy officer's view (front desk may not read the audit log)
    const of = (action: string, id: string) => events.find((e) => e.action === action && e.outcome === 'success' && (e.subjectId === id || e.detail.releaseId === id))!;
    expect(of('release.create', rel.id)).toMatchObject({ actor: DANA.name, actorId: dana.id });
    expect(of('release.approve', rel.id)).toMatchObject({ actor: PAT.name, actorId: pat.id, detail: { approverId: pat.id, preparerId: dana.id } });
    expect(of('release.send', rel.id)).toMatchObject({ actor: DANA.name, actorId: dana.id });
    const refused = events.filter((e) => e.action === 'release.approve' && e.outcome === 'refused').map((e) => e.detail.code);
    expect(refused).toContain('APPROVAL_NOT_PERMITTED');
    expect(events.some((e) => e.action === 'rpc.role_refused' && e.actorId === admin.id)).toBe(true);
  }, 180_000);
});
