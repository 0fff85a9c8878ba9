import { describe, expect, it } from 'vitest';
import { actionKind, actionsOfKind, AUDIT_ACTIONS, describeAuditEvent } from '../../../src/shared/audit-labels';

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
      'Refused: Dana sent release R-2026-00004 (release blocked)',
    );
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
