// @vitest-environment jsdom
/**
 * No internal ids on screen: Audit → Transmissions names the authorization and the unencrypted-email choice relied on
 * in words (not by their random ids); a request's form and format reads as the intake form offers it ("Electronic:
 * PDF"); a workstation is named by its label. Real components, fake bridge.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import { TransmissionsPanel } from '../../../src/renderer/features/audit/TransmissionsPanel';
import { useAuditStore } from '../../../src/renderer/features/audit/store';
import { formatLabel } from '../../../src/renderer/features/requests/labels';
import { workstationLabel } from '../../../src/renderer/lib/workstation';
import type { TransmissionT } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useAuditStore.setState({ transmissions: null });
});

const AUTH_ID = 'suUq8l24k75QpJekFRr2qg';
const ACK_ID = 'Zq9x8Vb7Nm6Lk5Jh4Gf3Dd';
const transmission = (over: Partial<TransmissionT> = {}): TransmissionT => ({
  id: 'trn_000001', releaseId: 'rel_000001', releaseReference: 'R-2026-00001', at: '2026-12-07T09:00:00.000Z', sender: 'Jordan Frontdesk',
  recipientName: 'Abcde Lawfirm Intake', recipientEmail: 'intake@lawfirm.example.test', method: 'openpgp-pgp-mime', documents: [],
  messageId: '<m1@clinic.example.test>', smtpResponse: '250 OK', tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384',
  recipientKeyFingerprint: '', partsTotal: 1, partsSent: 1, packetSha256: null, parts: [], requestId: 'req_000001',
  legalBasis: 'authorization', authorizationId: AUTH_ID, requestReference: 'Q-2026-00001', acknowledgmentId: null, closedReason: null, ...over,
});

describe('plain labels instead of internal ids', () => {
  it('Audit → Transmissions names the authorization and the unencrypted-email choice in words, never by id', async () => {
    installFakeApi({ 'audit.transmissions': () => ok([transmission(), transmission({ id: 'trn_000002', legalBasis: 'right_of_access', authorizationId: null, acknowledgmentId: ACK_ID, method: 'tls-only-email' })]) });
    const { container } = renderUi(<TransmissionsPanel />);
    expect((await screen.findByTestId('authorization-relied-on')).textContent).toBe('Under the authorization on file for request Q-2026-00001');
    expect(screen.getByTestId('acknowledgment-relied-on').textContent).toBe('The patient’s recorded choice of unencrypted email');
    expect(container.textContent).not.toContain(AUTH_ID);
    expect(container.textContent).not.toContain(ACK_ID);
    // Without the request's reference (an older record): still words, never the id.
    cleanup();
    installFakeApi({ 'audit.transmissions': () => ok([transmission({ requestReference: undefined })]) });
    useAuditStore.setState({ transmissions: null });
    renderUi(<TransmissionsPanel />);
    expect((await screen.findByTestId('authorization-relied-on')).textContent).toBe('Under the signed authorization on file for this release’s request');
  });

  it('a request’s form and format reads as the intake form offers it', () => {
    expect(formatLabel({ format: 'pdf', electronic: true })).toBe('Electronic: PDF');
    expect(formatLabel({ format: 'ccda', electronic: true })).toBe('Electronic: C-CDA');
    expect(formatLabel({ format: 'paper', electronic: false })).toBe('Paper copy');
    expect(formatLabel({ format: 'USB drive', electronic: true })).toBe('Electronic: USB drive');
  });

  it('a workstation is named by its label; its id part only beside another of the same label', () => {
    expect(workstationLabel('Front desk 1 [d24f472b]')).toBe('Front desk 1');
    expect(workstationLabel('Front desk 1 [d24f472b]', ['Front desk 1 [d24f472b]', 'Back office [c3c3c3c3]'])).toBe('Front desk 1');
    expect(workstationLabel('Front desk 1 [d24f472b]', ['Front desk 1 [a1a1a1a1]'])).toBe('Front desk 1 (workstation d24f472b)');
    expect(workstationLabel('Reception')).toBe('Reception');
  });
});
