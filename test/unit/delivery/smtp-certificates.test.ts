/**
 * The TLS phase: each certificate flaw (made on the fly with openssl, signed by the trusted test CA so the
 * flaw is the only problem), an old protocol and a missing STARTTLS each get their own code or reason and
 * their own plain message; the password and the message never reach the server or the wire in cleartext.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage, testSmtpConnection } from '../../../src/main/services/delivery/smtp';
import { flawedServerCert, type CertFlaw } from '../../support/smtp-certs';
import { startSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { ENVELOPE, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';
import { startWireRecorder } from '../../support/wire-recorder';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const RAW = syntheticMessage();

/** Start smtp-server with `opts` behind a wire recorder; send; return the failure with the server's and the wire's view. */
async function sendTo(opts: StartSmtpServerOptions, code: string, security: 'starttls' | 'tls' = 'starttls') {
  const srv = await startSmtpServer(opts);
  const wire = await startWireRecorder(srv.port);
  closers.push(() => srv.close(), () => wire.close());
  const f = await expectSmtpFailure(() => sendRawMessage(localSettings(wire.port, { security }), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), code, 'tls');
  expect(srv.authAttempts).toBe(0);
  expect(srv.received).toHaveLength(0);
  expectNoSecretsIn(wire.fromClient());
  return f;
}

const CASES: [CertFlaw, string, string | undefined, RegExp][] = [
  ['expired', 'TLS_CERT_EXPIRED', 'expired', /has expired/],
  ['not-yet-valid', 'TLS_CERT_EXPIRED', 'not-yet-valid', /not valid yet/],
  ['weak-key', 'TLS_CERT_WEAK', 'weak-key', /key that is too weak/],
  ['weak-signature', 'TLS_CERT_WEAK', 'weak-signature', /SHA-1/],
  ['self-signed', 'TLS_CERT_UNTRUSTED', 'self-signed', /self-signed/],
];

describe.skipIf(!hasOpenssl)('SMTP TLS phase: certificates, protocol and STARTTLS', () => {
  for (const [flaw, code, reason, message] of CASES) {
    it(`refuses a server certificate that is ${flaw}: ${code}${reason ? ` (${reason})` : ''}, before AUTH`, async () => {
      const f = await sendTo({ serverCert: flawedServerCert(flaw) }, code);
      expect(f.detail.reason).toBe(reason);
      expect(f.message).toMatch(message);
      expect(f.message).toMatch(/Nothing was sent/);
    });
  }

  it('refuses an RSA-1024 certificate over implicit TLS too', async () => {
    const f = await sendTo({ serverCert: flawedServerCert('weak-key'), implicitTls: true }, 'TLS_CERT_WEAK', 'tls');
    expect(f.detail.reason).toBe('weak-key');
  });

  it('refuses a certificate from an unknown CA: TLS_CERT_UNTRUSTED (unknown-issuer)', async () => {
    const f = await sendTo({ untrustedCert: true }, 'TLS_CERT_UNTRUSTED');
    expect(f.detail).toMatchObject({ reason: 'unknown-issuer', systemCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('refuses a certificate issued for another name: TLS_CERT_WRONG_HOST', async () => {
    const f = await sendTo({ wrongHostCert: true }, 'TLS_CERT_WRONG_HOST');
    expect(f.detail.systemCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(f.message).toMatch(/different server name/);
  });

  it('refuses a TLS 1.1-only server: TLS_PROTOCOL_TOO_OLD', async () => {
    await sendTo({ maxTlsVersion: 'TLSv1.1' }, 'TLS_PROTOCOL_TOO_OLD');
  });

  it('refuses a server that offers no STARTTLS: TLS_REQUIRED; only EHLO and STARTTLS crossed in cleartext', async () => {
    const f = await sendTo({ starttls: false }, 'TLS_REQUIRED');
    expect(f.detail.command).toBe('STARTTLS');
  });

  it('the settings test classifies a certificate flaw the same way', async () => {
    const srv = await startSmtpServer({ serverCert: flawedServerCert('expired') });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => testSmtpConnection(localSettings(srv.port), { ca: [srv.caPem], timeoutMs: 5000 }), 'TLS_CERT_EXPIRED', 'tls');
    expect(f.detail.reason).toBe('expired');
    expect(srv.authAttempts).toBe(0);
  });
});
