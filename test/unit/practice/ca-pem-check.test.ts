/**
 * The CA certificate text an administrator pastes: text that is no certificate in PEM form at all is told apart
 * (coded `not_pem`, in the shared check and in main) from a block that is no X.509 certificate (`unreadable`) and from
 * a real certificate that is not a CA (`not_a_ca`, e.g. the server's own). Real certificates from openssl (testPki).
 */
import { describe, expect, it } from 'vitest';
import { checkCaPem } from '../../../src/main/services/practice/connection';
import { caPemProblem } from '../../../src/shared/contract';
import { AppError } from '../../../src/shared/errors';
import { testPki } from '../../support/smtp';
import { requireTool } from '../../support/tools';

const NOW = new Date('2026-12-07T10:00:00Z');

function refusal(text: string): AppError {
  try {
    checkCaPem(text, NOW);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('a pasted CA certificate: not PEM, unreadable, or not a CA', () => {
  it('the shared check codes text with no certificate block as not_pem, a private key as private_key, nothing as empty', () => {
    expect(caPemProblem('hello')).toBe('not_pem');
    expect(caPemProblem('-----BEGIN CERTIFICATE-----\nhello')).toBe('not_pem');
    expect(caPemProblem('  \n')).toBe('empty');
    expect(caPemProblem('-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----')).toBe('private_key');
    expect(caPemProblem('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')).toBeNull();
  });

  it('main refuses text without a certificate block as not a certificate in PEM form (reason not_pem), never as “not a CA”', () => {
    for (const text of ['hello', '-----BEGIN CERTIFICATE-----\nhello\n']) {
      const e = refusal(text);
      expect(e.code).toBe('PRACTICE_SERVER_CA_INVALID');
      expect(e.detail).toMatchObject({ reason: 'not_pem' });
      expect(e.message).toMatch(/^This is not a certificate in PEM form \(it should begin with -----BEGIN CERTIFICATE-----/);
      expect(e.message).not.toMatch(/not a CA/);
    }
    expect(refusal('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n').detail).toMatchObject({ reason: 'unreadable' });
  });

  it.skipIf(!requireTool('openssl'))('a real certificate that is not a CA (the server’s own) keeps the “not a CA” explanation; the CA is accepted', () => {
    const pki = testPki();
    const e = refusal(pki.serverCert);
    expect(e.detail).toMatchObject({ reason: 'not_a_ca' });
    expect(e.message).toMatch(/This is not a CA certificate \(it may be the server’s own certificate\)/);
    expect(checkCaPem(pki.caPem, NOW).fingerprint).toMatch(/^[0-9A-F:]+$/);
  });
});
