import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { buildPgpMimeMessage } from '../../../src/main/services/delivery/pgpmime';
import { sendRawMessage, type SmtpSettings } from '../../../src/main/services/delivery/smtp';
import { isAppError } from '../../../src/shared/errors';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { requireTool } from '../../support/tools';
import { PHI_MARKERS, PRACTICE, RECIPIENT, armoredPart, makeParties, messageInput, outerHeaders, type Parties } from './fixtures';

const hasTools = requireTool('openssl') && requireTool('gpg');
const ENVELOPE = { from: PRACTICE.address, to: [RECIPIENT.address] };
const SIMPLE_RAW = Buffer.from(`From: ${PRACTICE.address}\r\nTo: ${RECIPIENT.address}\r\nSubject: test\r\nMessage-ID: <t1@clinic.example.test>\r\n\r\nhello\r\n`);

const servers: RunningSmtpServer[] = [];
async function server(opts: StartSmtpServerOptions = {}) {
  const s = await startSmtpServer(opts);
  servers.push(s);
  return s;
}
const settings = (srv: { port: number }, over: Partial<SmtpSettings> = {}): SmtpSettings => ({
  host: '127.0.0.1',
  port: srv.port,
  security: 'starttls',
  username: SMTP_USER,
  password: SMTP_PASSWORD,
  ...over,
});

/** Expect `p` to reject with an AppError of `code` whose message carries neither addresses, server text nor the password. */
async function expectCode(p: Promise<unknown>, code: string) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isAppError(e), `expected AppError ${code}, got ${String(e)}`).toBe(true);
  const err = e as { code: string; message: string; detail?: Record<string, unknown> };
  expect(err.code).toBe(code);
  for (const leak of ['@', 'example.test', 'credentials invalid', 'Mailbox unavailable', SMTP_PASSWORD, '127.0.0.1']) {
    expect(err.message).not.toContain(leak);
  }
  for (const v of Object.values(err.detail ?? {})) expect(String(v)).not.toContain('@');
  return err;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe.skipIf(!hasTools)('sendRawMessage over verified TLS to a real smtp-server', () => {
  let p: Parties;
  beforeAll(async () => {
    p = await makeParties();
  });
  afterAll(() => p?.gpg.cleanup());

  it('delivers a PGP/MIME release via STARTTLS that GnuPG decrypts and verifies; returns TLS facts; requests header-only DSNs', async () => {
    const srv = await server();
    const { raw, messageId } = await buildPgpMimeMessage(messageInput(p));
    const result = await sendRawMessage(settings(srv), ENVELOPE, raw, { ca: [srv.caPem], envid: 'rel-7f3a9c', timeoutMs: 5000 });

    expect(result.messageId).toBe(messageId);
    expect(result.accepted).toEqual([RECIPIENT.address]);
    expect(result.rejected).toEqual([]);
    expect(result.response).toMatch(/^250 /);
    expect(result.tlsProtocol).toBe('TLSv1.3');
    expect(result.tlsCipher).toMatch(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);

    expect(srv.received).toHaveLength(1);
    const got = srv.received[0]!;
    expect(got.secure).toBe(true);
    expect(got.tlsProtocol).toBe(result.tlsProtocol);
    expect(got.user).toBe(SMTP_USER);
    expect(got.mailFrom).toBe(PRACTICE.address);
    expect(got.rcptTo).toEqual([RECIPIENT.address]);
    // RFC 3461: RET=HDRS so bounces never echo the body, ENVID to match bounces, NOTIFY on failure and delay.
    expect(got.mailFromArgs).toMatchObject({ RET: 'HDRS', ENVID: 'rel-7f3a9c' });
    expect(got.dsn.ret).toBe('HDRS');
    expect(got.dsn.envid).toBe('rel-7f3a9c');
    expect(got.dsn.notify).toEqual([['FAILURE', 'DELAY']]);
    expect(got.rcptToArgs[0]).toMatchObject({ NOTIFY: 'FAILURE,DELAY' });

    // What the server got is exactly what we built, and nothing readable leaked outside the ciphertext.
    expect(Buffer.compare(got.raw, raw)).toBe(0);
    for (const m of PHI_MARKERS) expect(got.raw.toString('latin1')).not.toContain(m);
    expect(outerHeaders(got.raw)).toMatch(/^Subject: Secure message from Qwerty Family Clinic$/m);

    const d = p.gpg.decrypt(armoredPart(got.raw));
    expect(d.exitCode).toBe(0);
    expect(d.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
    expect(d.status.find((l) => l.startsWith('VALIDSIG '))?.split(' ')[1]).toBe(p.practice.info.fingerprint);
    const pdfB64 = p.pdf.toString('base64').slice(0, 60);
    expect(d.stdout.toString('latin1').replace(/\r\n/g, '')).toContain(pdfB64);
  });

  it('delivers over implicit TLS (port-465 style) and reports its TLS facts', async () => {
    const srv = await server({ implicitTls: true });
    const r = await sendRawMessage(settings(srv, { security: 'tls' }), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.tlsProtocol).toBe('TLSv1.3');
    expect(r.tlsCipher.length).toBeGreaterThan(5);
    expect(r.messageId).toBe('<t1@clinic.example.test>');
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.secure).toBe(true);
  });

  it('refuses a server that offers no STARTTLS: TLS_REQUIRED, nothing received, password never sent', async () => {
    const srv = await server({ starttls: false });
    const e = await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'TLS_REQUIRED');
    expect(e.detail).toMatchObject({ nodemailerCode: 'ETLS' });
    expect(srv.received).toHaveLength(0);
    expect(srv.authAttempts).toBe(0);
  });

  it('refuses a certificate from an untrusted CA: TLS_CERT_UNTRUSTED, nothing received, password never sent', async () => {
    const srv = await server({ untrustedCert: true });
    const e = await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'TLS_CERT_UNTRUSTED');
    expect(e.detail).toMatchObject({ nodemailerCode: 'ESOCKET', systemCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(srv.received).toHaveLength(0);
    expect(srv.authAttempts).toBe(0);
  });

  it('refuses the system trust store for a private CA (no ca passed): TLS_CERT_UNTRUSTED', async () => {
    const srv = await server();
    await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { timeoutMs: 5000 }), 'TLS_CERT_UNTRUSTED');
    expect(srv.received).toHaveLength(0);
  });

  it('refuses a trusted certificate issued for another host name: TLS_CERT_WRONG_HOST', async () => {
    const srv = await server({ wrongHostCert: true });
    const e = await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'TLS_CERT_WRONG_HOST');
    expect(e.detail).toMatchObject({ systemCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(srv.received).toHaveLength(0);
  });

  it('refuses a TLS 1.1-only server: TLS_PROTOCOL_TOO_OLD, nothing received', async () => {
    const srv = await server({ maxTlsVersion: 'TLSv1.1' });
    await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'TLS_PROTOCOL_TOO_OLD');
    expect(srv.received).toHaveLength(0);
    expect(srv.authAttempts).toBe(0);
  });

  it('maps a wrong password to SMTP_AUTH_FAILED with the reply code in detail only', async () => {
    const srv = await server();
    const e = await expectCode(sendRawMessage(settings(srv, { password: 'wrong horse' }), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_AUTH_FAILED');
    expect(e.detail).toMatchObject({ nodemailerCode: 'EAUTH', smtpCode: 535 });
    expect(srv.received).toHaveLength(0);
  });

  it('maps a refused recipient to SMTP_REJECTED without echoing the address or server text', async () => {
    const srv = await server({ rejectRecipients: [RECIPIENT.address] });
    const e = await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_REJECTED');
    expect(e.detail).toMatchObject({ nodemailerCode: 'EENVELOPE', smtpCode: 550 });
    expect(srv.received).toHaveLength(0);
  });

  it('reports a partially refused envelope in `rejected`', async () => {
    const srv = await server({ rejectRecipients: ['gone@lawfirm.example.test'] });
    const r = await sendRawMessage(settings(srv), { from: PRACTICE.address, to: [RECIPIENT.address, 'gone@lawfirm.example.test'] }, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.accepted).toEqual([RECIPIENT.address]);
    expect(r.rejected).toEqual(['gone@lawfirm.example.test']);
  });

  it('maps a closed port to SMTP_UNREACHABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const free = (s.address() as AddressInfo).port;
        s.close(() => resolve(free));
      });
    });
    const e = await expectCode(sendRawMessage(settings({ port }), ENVELOPE, SIMPLE_RAW, { timeoutMs: 5000 }), 'SMTP_UNREACHABLE');
    expect(e.detail).toMatchObject({ systemCode: 'ECONNREFUSED' });
  });

  it('maps a server that never answers to SMTP_UNREACHABLE within the timeout', async () => {
    const silent = createServer(() => undefined); // accepts TCP, never sends a greeting
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    const t0 = Date.now();
    try {
      await expectCode(sendRawMessage(settings({ port }), ENVELOPE, SIMPLE_RAW, { timeoutMs: 600 }), 'SMTP_UNREACHABLE');
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('maps implicit TLS against a STARTTLS port to SMTP_TLS_MODE_MISMATCH, nothing received', async () => {
    const srv = await server();
    await expectCode(sendRawMessage(settings(srv, { security: 'tls' }), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_TLS_MODE_MISMATCH');
    expect(srv.received).toHaveLength(0);
  });

  it('refuses invalid envelope input before connecting', async () => {
    const srv = await server();
    await expectCode(sendRawMessage(settings(srv), { from: PRACTICE.address, to: ['x@y.test\r\nRCPT TO:<spy@evil.test>'] }, SIMPLE_RAW, { ca: [srv.caPem] }), 'HEADER_INJECTION');
    await expectCode(sendRawMessage(settings(srv), { from: PRACTICE.address, to: ['not an address'] }, SIMPLE_RAW, { ca: [srv.caPem] }), 'INVALID_EMAIL');
    await expectCode(sendRawMessage(settings(srv), { from: PRACTICE.address, to: [] }, SIMPLE_RAW, { ca: [srv.caPem] }), 'VALIDATION_FAILED');
    await expectCode(sendRawMessage(settings(srv), ENVELOPE, SIMPLE_RAW, { ca: [srv.caPem], envid: 'has space' }), 'VALIDATION_FAILED');
    expect(srv.received).toHaveLength(0);
    expect(srv.authAttempts).toBe(0);
  });
});
