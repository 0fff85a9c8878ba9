import { describe, expect, it } from 'vitest';
import { DELIVERY_METHODS, deliveryLadder } from '../../../src/main/services/delivery/methods';

const avail = (i: Parameters<typeof deliveryLadder>[0]) => Object.fromEntries(deliveryLadder(i).map((r) => [r.method, r.available]));

describe('deliveryLadder', () => {
  it('lists the six methods strongest first (OpenPGP, then S/MIME), strengths 5, 5, 4..1', () => {
    const l = deliveryLadder({ recipientHasVerifiedKey: true, recipientHasConfirmedCertificate: true, unencryptedAcknowledged: true, emailAvailable: true });
    expect(l.map((r) => r.method)).toEqual([...DELIVERY_METHODS]);
    expect(l.map((r) => r.method).slice(0, 2)).toEqual(['openpgp-pgp-mime', 'smime']);
    expect(l.map((r) => r.strength)).toEqual([5, 5, 4, 3, 2, 1]);
    expect(l.every((r) => r.available && r.reason === null)).toBe(true);
  });

  it('PGP/MIME needs a verified key; TLS-only needs the recorded choice; both need email', () => {
    expect(avail({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true })).toEqual({
      'openpgp-pgp-mime': false,
      smime: false,
      'password-pdf': true,
      'tls-only-email': false,
      export: true,
      print: true,
    });
    expect(avail({ recipientHasVerifiedKey: true, recipientHasConfirmedCertificate: true, unencryptedAcknowledged: true, emailAvailable: false })).toEqual({
      'openpgp-pgp-mime': false,
      smime: false,
      'password-pdf': false,
      'tls-only-email': false,
      export: true,
      print: true,
    });
    expect(avail({ recipientHasVerifiedKey: true, unencryptedAcknowledged: false, emailAvailable: true })['openpgp-pgp-mime']).toBe(true);
    expect(avail({ recipientHasVerifiedKey: false, unencryptedAcknowledged: true, emailAvailable: true })['tls-only-email']).toBe(true);
  });

  it('S/MIME needs email and a confirmed certificate valid now; independent of the OpenPGP key', () => {
    expect(avail({ recipientHasVerifiedKey: false, recipientHasConfirmedCertificate: true, unencryptedAcknowledged: false, emailAvailable: true }).smime).toBe(true);
    expect(avail({ recipientHasVerifiedKey: true, unencryptedAcknowledged: false, emailAvailable: true }).smime).toBe(false);
    const l = deliveryLadder({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true });
    expect(l.find((r) => r.method === 'smime')!.reason).toMatch(/no S\/MIME certificate that is valid now and whose fingerprint was confirmed/);
  });

  it('explains every unavailable rung in plain language', () => {
    const l = deliveryLadder({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true });
    const byMethod = Object.fromEntries(l.map((r) => [r.method, r]));
    expect(byMethod['openpgp-pgp-mime']!.reason).toMatch(/no OpenPGP key whose fingerprint was confirmed/);
    expect(byMethod['tls-only-email']!.reason).toMatch(/not been warned of the risk/);
    const noEmail = deliveryLadder({ recipientHasVerifiedKey: true, unencryptedAcknowledged: true, emailAvailable: false });
    for (const r of noEmail.slice(0, 4)) expect(r.reason).toMatch(/no email address/);
  });
});
