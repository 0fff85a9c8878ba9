// @vitest-environment jsdom
/**
 * Settings → Practice S/MIME certificate: replacing the practice certificate takes a second, explicit step that names
 * the certificate replaced; the revocation lists in the vault are listed (out-of-date ones said so) and a CRL file is
 * imported through the contract.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { SmimeCertificateSettings } from '../../../src/renderer/features/settings/SmimeCertificateSettings';
import type { PracticeSmimeCertificateT, SmimeCrlT } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

const OLD = 'AB'.repeat(32);
const practice = (fingerprint: string, over: Partial<PracticeSmimeCertificateT> = {}): PracticeSmimeCertificateT => ({
  fingerprint, certPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', subject: 'CN=Qwerty Family Clinic', notAfter: '2026-04-01T00:00:00.000Z',
  daysLeft: 12, selfSigned: true, warnings: ['The practice S/MIME certificate expires in 12 day(s), on 2026-04-01. ReleaseDesk does not replace it by itself.'], ...over,
});
const crl = (over: Partial<SmimeCrlT> = {}): SmimeCrlT => ({
  sha256: 'c'.repeat(64), issuer: 'CN=Hospital Issuing CA', thisUpdate: '2026-03-01T00:00:00.000Z', nextUpdate: '2026-03-08T00:00:00.000Z',
  source: 'fetch', url: 'http://crl.hospital.example/ca.crl', addedBy: 'ReleaseDesk', addedAt: '2026-03-01T01:00:00.000Z', stale: true, ...over,
});

describe('Settings: practice S/MIME certificate and revocation lists', () => {
  it('replacing the certificate needs a confirmation and names the one replaced; keeping it calls nothing', async () => {
    const fake = installFakeApi({
      'settings.smimeCertificate': () => ok(practice(OLD)),
      'settings.createSmimeCertificate': () => ok(practice('CD'.repeat(32), { daysLeft: 730, warnings: [] })),
      'settings.smimeCrls': () => ok([crl()]),
    });
    renderUi(<SmimeCertificateSettings />);
    expect(await screen.findByText(/does not replace it by itself/)).toBeTruthy();
    expect((await screen.findByTestId('crl-list')).textContent).toMatch(/CN=Hospital Issuing CA.*\(out of date\); fetched from http:\/\/crl\.hospital\.example\/ca\.crl/);
    fireEvent.click(screen.getByRole('button', { name: /Replace with a new self-made certificate/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Keep the current one' }));
    expect(fake.callsTo('settings.createSmimeCertificate')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: /Replace with a new self-made certificate/ }));
    expect(screen.getByText(/will see a new fingerprint/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Replace the certificate' }));
    await waitFor(() => expect(fake.callsTo('settings.createSmimeCertificate')).toEqual([{ replaceFingerprint: OLD }]));
  });

  it('imports a PEM CRL file through the contract and lists it', async () => {
    const fake = installFakeApi({
      'settings.smimeCertificate': () => ok(null),
      'settings.smimeCrls': () => ok([]),
      'settings.importSmimeCrl': () => ok([crl({ source: 'import', url: null, addedBy: 'Dana', stale: false })]),
    });
    renderUi(<SmimeCertificateSettings />);
    expect(await screen.findByTestId('crl-none')).toBeTruthy();
    const pem = '-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n';
    const input = screen.getByLabelText(/Import a revocation list/) as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File([pem], 'ca.crl', { type: 'application/pkix-crl' })] } });
    await waitFor(() => expect(fake.callsTo('settings.importSmimeCrl')).toEqual([{ crl: pem }]));
    expect((await screen.findByTestId('crl-list')).textContent).toMatch(/imported by Dana/);
  });

  it('imports a PKCS#12 file with its password through the contract; the file and password are then forgotten', async () => {
    const fake = installFakeApi({
      'settings.smimeCertificate': () => ok(null),
      'settings.importSmimeCertificate': () => ok(practice('EF'.repeat(32), { selfSigned: false, warnings: [], daysLeft: 365 })),
    });
    renderUi(<SmimeCertificateSettings />);
    expect(await screen.findByTestId('smime-none')).toBeTruthy();
    const input = screen.getByLabelText(/Import from your certificate authority/) as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File([new Uint8Array([1, 2, 3])], 'practice.p12', { type: 'application/x-pkcs12' })] } });
    const password = await screen.findByLabelText('Password of practice.p12');
    fireEvent.change(password, { target: { value: 'synthetic p12 password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Import certificate' }));
    await waitFor(() => expect(fake.callsTo('settings.importSmimeCertificate')).toEqual([{ pkcs12: 'AQID', password: 'synthetic p12 password' }]));
    expect(await screen.findByText('A certificate authority')).toBeTruthy();
    expect(screen.queryByLabelText('Password of practice.p12')).toBeNull();
  });
});
