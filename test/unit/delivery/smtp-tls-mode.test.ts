/**
 * Connecting: unreachable servers, and a TLS mode that does not match the port told apart in
 * under 5 s — STARTTLS settings against an implicit-TLS port (no greeting; the port answers a TLS
 * ClientHello) and implicit TLS against a plain port (a cleartext "220" where a ServerHello belongs).
 * Never a downgrade: the wire recorder proves nothing secret crossed in cleartext.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage, testSmtpConnection } from '../../../src/main/services/delivery/smtp';
import { startScriptedSmtp } from '../../support/scripted-smtp';
import { startSmtpServer } from '../../support/smtp';
import { ENVELOPE, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';
import { startWireRecorder } from '../../support/wire-recorder';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const RAW = syntheticMessage();

describe.skipIf(!hasOpenssl)('SMTP connect phase: unreachable servers and TLS mode mismatches', () => {
  it('tells STARTTLS settings against an implicit-TLS port (465 style) apart in under 5 s, with the default 30 s timeout; nothing secret on the wire', async () => {
    const srv = await startSmtpServer({ implicitTls: true });
    const wire = await startWireRecorder(srv.port);
    closers.push(() => srv.close(), () => wire.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(wire.port), ENVELOPE, RAW, { ca: [srv.caPem] }), 'SMTP_TLS_MODE_MISMATCH', 'greeting');
    expect(f.elapsedMs).toBeLessThan(5000);
    expect(f.detail.reason).toBe('port-expects-tls');
    expect(f.message).toMatch(/465 uses TLS, port 587 uses STARTTLS/);
    expect(srv.authAttempts).toBe(0);
    expect(srv.received).toHaveLength(0);
    expectNoSecretsIn(wire.fromClient());
  });

  it('tells implicit TLS against a plain STARTTLS port apart in under 5 s; nothing secret on the wire', async () => {
    const srv = await startSmtpServer();
    const wire = await startWireRecorder(srv.port);
    closers.push(() => srv.close(), () => wire.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(wire.port, { security: 'tls' }), ENVELOPE, RAW, { ca: [srv.caPem] }), 'SMTP_TLS_MODE_MISMATCH', 'tls');
    expect(f.elapsedMs).toBeLessThan(5000);
    expect(f.detail.reason).toBe('port-expects-starttls');
    expect(srv.authAttempts).toBe(0);
    expectNoSecretsIn(wire.fromClient());
  });

  it('the settings test reports the same mismatch (shared classification)', async () => {
    const srv = await startSmtpServer({ implicitTls: true });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => testSmtpConnection(localSettings(srv.port), { ca: [srv.caPem] }), 'SMTP_TLS_MODE_MISMATCH', 'greeting');
    expect(f.elapsedMs).toBeLessThan(5000);
  });

  it('a port that accepts TCP but never speaks (no greeting, no TLS) is SMTP_UNREACHABLE at the greeting, transient', async () => {
    const held = new Set<Socket>();
    const silent = createServer((s) => held.add(s.on('error', () => undefined))); // reads nothing, says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => { for (const s of held) s.destroy(); silent.close(() => r()); }));
    const port = (silent.address() as AddressInfo).port;
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(port), ENVELOPE, RAW, { timeoutMs: 1200 }), 'SMTP_UNREACHABLE', 'greeting');
    expect(f.detail.reason).toBe('timeout');
  });

  it('a closed port is SMTP_UNREACHABLE at connect, transient', async () => {
    const s = createServer();
    const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); }));
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(port), ENVELOPE, RAW, { timeoutMs: 2000 }), 'SMTP_UNREACHABLE', 'connect');
    expect(f.detail).toMatchObject({ systemCode: 'ECONNREFUSED', reason: 'refused' });
  });

  it('a 421 greeting ("service not available") is a temporary failure at the greeting, nothing sent', async () => {
    const srv = await startScriptedSmtp({ greeting: '421 4.3.2 Service not available, closing channel' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 3000 }), 'SMTP_TEMPORARY_FAILURE', 'greeting');
    expect(f.detail.smtpCode).toBe(421);
    expectNoSecretsIn(srv.cleartext);
  });
});
