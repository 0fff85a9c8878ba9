import { describe, expect, it } from 'vitest';
import { DELIVERY_METHODS, deliveryLadder } from '../../../src/main/services/delivery/methods';

const avail = (i: Parameters<typeof deliveryLadder>[0]) => Object.fromEntries(deliveryLadder(i).map((r) => [r.method, r.available]));

describe('deliveryLadder', () => {
  it('lists the five methods strongest first, strengths 5..1', () => {
    const l = deliveryLadder({ recipientHasVerifiedKey: true, unencryptedAcknowledged: true, emailAvailable: true });
    expect(l.map((r) => r.method)).toEqual([...DELIVERY_METHODS]);
    expect(l.map((r) => r.strength)).toEqual([5, 4, 3, 2, 1]);
    expect(l.every((r) => r.available && r.reason === null)).toBe(true);
  });

  it('PGP/MIME needs a verified key; TLS-only needs the recorded choice; both need email', () => {
    expect(avail({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true })).toEqual({
      'openpgp-pgp-mime': false,
      'password-pdf': true,
      'tls-only-email': false,
      export: true,
      print: true,
    });
    expect(avail({ recipientHasVerifiedKey: true, unencryptedAcknowledged: true, emailAvailable: false })).toEqual({
      'openpgp-pgp-mime': false,
      'password-pdf': false,
      'tls-only-email': false,
      export: true,
      print: true,
    });
    expect(avail({ recipientHasVerifiedKey: true, unencryptedAcknowledged: false, emailAvailable: true })['openpgp-pgp-mime']).toBe(true);
    expect(avail({ recipientHasVerifiedKey: false, unencryptedAcknowledged: true, emailAvailable: true })['tls-only-email']).toBe(true);
  });

  it('explains every unavailable rung in plain language', () => {
    const l = deliveryLadder({ recipientHasVerifiedKey: false, unencryptedAcknowledged: false, emailAvailable: true });
    const byMethod = Object.fromEntries(l.map((r) => [r.method, r]));
    expect(byMethod['openpgp-pgp-mime']!.reason).toMatch(/no OpenPGP key whose fingerprint was confirmed/);
    expect(byMethod['tls-only-email']!.reason).toMatch(/not been warned of the risk/);
    const noEmail = deliveryLadder({ recipientHasVerifiedKey: true, unencryptedAcknowledged: true, emailAvailable: false });
    for (const r of noEmail.slice(0, 3)) expect(r.reason).toMatch(/no email address/);
  });
});
