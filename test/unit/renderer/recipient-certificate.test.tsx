// @vitest-environment jsdom
/**
 * Recipient step, S/MIME certificate panel (issue 18): a saved recipient without an OpenPGP key gets the panel; a
 * pasted certificate is imported and shown with its SHA-256 fingerprint in groups of four; a refusal shows the reason
 * and date; confirming needs the fingerprint tick, and an untrusted chain a second, explicit acceptance.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { RecipientStep } from '../../../src/renderer/features/release-wizard/steps/RecipientStep';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import type { RecipientCertificateT } from '../../../src/shared/contract';
import { fail, installDomStubs, installFakeApi, KEY, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, step: 0, busy: null, error: null, certificateError: null });
});

const FPR64 = '0123456789ABCDEF'.repeat(4);
const GROUPED = '0123 4567 89AB CDEF '.repeat(4).trim();
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const recipient = { name: 'Records Office', email: 'records@hospital.example.test', key: null, fingerprintConfirmed: false, addressConfirmed: null };
const cert = (over: Partial<RecipientCertificateT> = {}): RecipientCertificateT => ({
  fingerprint: FPR64, subject: 'CN=Records Office', issuer: 'CN=Unknown CA', emails: ['records@hospital.example.test'],
  notBefore: '2026-03-01T00:00:00.000Z', notAfter: '2027-03-01T00:00:00.000Z', keyDescription: 'RSA 2048 bits', chainTrusted: false,
  warnings: [{ code: 'CERT_CHAIN_UNTRUSTED', message: 'This certificate was not issued by a certificate authority ReleaseDesk trusts.' }],
  importedBy: 'Dana', importedAt: '2026-03-02T15:00:00.000Z', confirmed: null, problem: null,
  revocation: { status: 'not_checked', reason: null, checkedAt: '2026-03-02T15:00:00.000Z', unknownAccepted: false }, modernAlgorithms: false, ...over,
});

describe('RecipientStep: S/MIME certificate', () => {
  it('imports a pasted certificate, shows the grouped SHA-256 fingerprint and the untrusted-chain warning; confirming needs both ticks', async () => {
    const fake = installFakeApi({
      'releases.importRecipientCertificate': () => ok(makeRelease({ recipient, recipientCertificate: cert() })),
      'releases.confirmRecipientCertificate': () => ok(makeRelease({ recipient, recipientCertificate: cert({ confirmed: { by: 'Dana', at: '2026-03-02T15:05:00.000Z' } }) })),
    });
    useWizardStore.setState({ release: makeRelease({ recipient }), step: 2 });
    renderUi(<RecipientStep />);
    fireEvent.change(screen.getByLabelText(/Or paste the certificate/), { target: { value: PEM } });
    fireEvent.click(screen.getByRole('button', { name: 'Import pasted certificate' }));
    expect(await screen.findByText(GROUPED)).toBeTruthy();
    expect(fake.callsTo('releases.importRecipientCertificate')[0]).toMatchObject({ certificate: PEM });
    expect(screen.getByText('Not vouched for by a trusted certificate authority')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Confirm certificate' }));
    expect(fake.callsTo('releases.confirmRecipientCertificate')).toHaveLength(0);
    await waitFor(() => expect(document.activeElement?.id).toBe('certificate-confirm'));
    fireEvent.click(screen.getByLabelText(/I confirmed this fingerprint/));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm certificate' }));
    expect(fake.callsTo('releases.confirmRecipientCertificate')).toHaveLength(0);
    fireEvent.click(screen.getByLabelText(/I accept this certificate although/));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm certificate' }));
    await waitFor(() => expect(fake.callsTo('releases.confirmRecipientCertificate')).toHaveLength(1));
    expect(fake.callsTo('releases.confirmRecipientCertificate')[0]).toMatchObject({ fingerprint: FPR64, acceptUntrusted: true });
    expect(await screen.findByTestId('certificate-confirmed')).toBeTruthy();
  });

  it('a certificate whose revocation could not be checked needs its own explicit acceptance; the RSA-OAEP / AES-GCM tick is passed on', async () => {
    const unknown = cert({
      chainTrusted: true,
      warnings: [{ code: 'CERT_REVOCATION_UNKNOWN', message: 'ReleaseDesk could not check whether this certificate was revoked.' }],
      revocation: { status: 'unknown', reason: 'the CRL could not be fetched', checkedAt: '2026-03-02T15:00:00.000Z', unknownAccepted: false },
    });
    const fake = installFakeApi({
      'releases.confirmRecipientCertificate': () =>
        ok(makeRelease({ recipient, recipientCertificate: { ...unknown, modernAlgorithms: true, confirmed: { by: 'Dana', at: '2026-03-02T15:05:00.000Z' } } })),
    });
    useWizardStore.setState({ release: makeRelease({ recipient, recipientCertificate: unknown }), step: 2 });
    renderUi(<RecipientStep />);
    expect(screen.getByText('Revocation could not be checked')).toBeTruthy();
    expect(screen.getByTestId('certificate-revocation').textContent).toMatch(/Revocation could not be checked\..*checked again when the release is sent/);
    fireEvent.click(screen.getByLabelText(/I confirmed this fingerprint/));
    fireEvent.click(screen.getByLabelText(/mail program reads RSA-OAEP and AES-GCM/));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm certificate' }));
    expect(fake.callsTo('releases.confirmRecipientCertificate')).toHaveLength(0);
    expect(screen.getByText(/Accept the risk, or import the issuer’s current revocation list/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText(/I accept that ReleaseDesk could not check whether this certificate was revoked/));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm certificate' }));
    await waitFor(() => expect(fake.callsTo('releases.confirmRecipientCertificate')).toHaveLength(1));
    expect(fake.callsTo('releases.confirmRecipientCertificate')[0]).toMatchObject({ acceptUntrusted: false, acceptRevocationUnknown: true, modernAlgorithms: true });
    expect(await screen.findByText(/Encryption: AES-256-GCM with RSA-OAEP/)).toBeTruthy();
  });

  it('shows a refusal with its reason and date', async () => {
    installFakeApi({
      'releases.importRecipientCertificate': () =>
        fail('CERT_EXPIRED', `The certificate ${GROUPED} cannot be used: it expired on 2020-02-01 (checked 2026-03-02).`),
    });
    useWizardStore.setState({ release: makeRelease({ recipient }), step: 2 });
    renderUi(<RecipientStep />);
    fireEvent.change(screen.getByLabelText(/Or paste the certificate/), { target: { value: PEM } });
    fireEvent.click(screen.getByRole('button', { name: 'Import pasted certificate' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/expired on 2020-02-01 \(checked 2026-03-02\)/);
  });

  it('a recipient with an OpenPGP key gets no certificate panel', () => {
    installFakeApi({});
    useWizardStore.setState({ release: makeRelease({ recipient: { ...recipient, key: KEY, fingerprintConfirmed: true } }), step: 2 });
    renderUi(<RecipientStep />);
    expect(screen.getByText(/who has this OpenPGP key/)).toBeTruthy();
    expect(screen.queryByText('S/MIME certificate')).toBeNull();
  });
});
