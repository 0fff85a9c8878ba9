import { describe, expect, it } from 'vitest';
import { actionKind, actionsOfKind, AUDIT_ACTIONS, channelPhrase, describeAuditEvent, reasonFor } from '../../../src/shared/audit-labels';
import { CHANNEL_NAMES } from '../../../src/shared/contract';
import { ERROR_CODES } from '../../../src/shared/errors';
import { rolesFor } from '../../../src/shared/roles';

describe('plain-language audit event names', () => {
  it('describes a send with staff member, release, recipient and method', () => {
    expect(
      describeAuditEvent(
        { actor: 'Dana Frontdesk', action: 'release.send', outcome: 'success', detail: { method: 'password-pdf' } },
        { releaseReference: 'R-2026-00004', requestReference: 'Q-2026-00002', recipientName: 'Acme Life' },
      ),
    ).toBe('Dana Frontdesk sent release R-2026-00004 to Acme Life by password-protected PDF');
  });

  it('names the request for request events and marks refusals with their reason', () => {
    expect(describeAuditEvent({ actor: 'Dana', action: 'request.view', outcome: 'success', detail: {} }, { requestReference: 'Q-2026-00002', releaseReference: 'R-2026-00004' })).toBe(
      'Dana opened request Q-2026-00002',
    );
    expect(describeAuditEvent({ actor: 'Dana', action: 'release.send', outcome: 'refused', detail: { code: 'RELEASE_BLOCKED' } }, { releaseReference: 'R-2026-00004' })).toBe(
      `Refused: Dana sent release R-2026-00004. ${reasonFor('RELEASE_BLOCKED')}`,
    );
  });

  it('says in plain words why an attempt failed, for every error code, never the code itself', () => {
    for (const code of ERROR_CODES) {
      const reason = reasonFor(code);
      expect(reason, code).toMatch(/^[A-Z“‘].*[.!?”]$/);
      expect(reason).not.toContain(code);
      expect(reason).not.toMatch(/[a-z]+_[a-z]+/);
    }
    const s = describeAuditEvent({ actor: 'Dana Admin', action: 'practice_server.test', outcome: 'failure', detail: { code: 'PRACTICE_SERVER_TLS_UNTRUSTED' } }, {});
    expect(s).toBe(`Failed: Dana Admin tested the connection to the practice server. ${reasonFor('PRACTICE_SERVER_TLS_UNTRUSTED')}`);
    expect(s.toLowerCase()).not.toContain('tls untrusted');
  });

  it('names what a refused caller tried to do, for every channel a role can be refused', () => {
    const s = describeAuditEvent(
      { actor: 'Sam Frontdesk', action: 'rpc.role_refused', outcome: 'refused', detail: { code: 'ROLE_NOT_PERMITTED', role: 'front_desk' }, subjectType: 'channel', subjectId: 'settings.exportPracticeKey' },
      {},
    );
    expect(s).toBe('Refused: Sam Frontdesk tried something their role does not allow: export the practice’s signing key. Your role does not allow this.');
    for (const c of CHANNEL_NAMES.filter((n) => rolesFor(n) !== null)) expect(channelPhrase(c), c).not.toMatch(/^work on /);
    expect(channelPhrase('requests.create')).toBe('work on requests');
    expect(channelPhrase('practiceServer.sync')).toBe('work on practice server');
  });

  it('never shows a raw event code, even for a code it does not know', () => {
    for (const code of [...Object.keys(AUDIT_ACTIONS), 'future.thing_done']) {
      const s = describeAuditEvent({ actor: 'A', action: code, outcome: 'success', detail: {} }, { releaseReference: 'R-1', requestReference: 'Q-1' });
      expect(s).not.toContain(code);
    }
  });

  it('files every known code under one kind; unknown codes under security', () => {
    const all = ['access', 'disclosure', 'records', 'requests', 'authorizations', 'security', 'reports'] as const;
    expect(all.flatMap((k) => actionsOfKind(k)).sort()).toEqual(Object.keys(AUDIT_ACTIONS).sort());
    expect(actionKind('future.thing_done')).toBe('security');
  });
});

describe('S/MIME in the audit (issue 18)', () => {
  const FPR = '0123456789ABCDEF'.repeat(4);
  it('names the method in plain words and the certificate fingerprint in groups of four', () => {
    expect(
      describeAuditEvent(
        { actor: 'Dana', action: 'release.send', outcome: 'success', detail: { method: 'smime', certificateFingerprint: FPR } },
        { releaseReference: 'R-2026-00004', recipientName: 'Records Office' },
      ),
    ).toBe(`Dana sent release R-2026-00004 to Records Office by S/MIME encrypted email, certificate ${'0123 4567 89AB CDEF '.repeat(4).trim()}`);
  });

  it('describes importing and confirming a recipient certificate without raw codes', () => {
    const s = describeAuditEvent({ actor: 'Dana', action: 'release.recipient_certificate_confirm', outcome: 'success', detail: { certificateFingerprint: FPR, chainTrusted: false } }, { releaseReference: 'R-1' });
    expect(s).toMatch(/^Dana confirmed the recipient’s S\/MIME certificate fingerprint for release R-1, certificate 0123 4567/);
    expect(s).not.toContain('recipient_certificate');
  });
});
