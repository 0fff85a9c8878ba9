/**
 * The fault matrix at the transport level: one real server behaviour per failure class of
 * SMTP_FAILURE_CLASSES (smtp-server with STARTTLS, the scripted server, openssl-made certificates),
 * each sent through a wire recorder. Every case must end in its class (code, phase, transient) with
 * not one byte of AUTH, the envelope or the message in cleartext on the wire; every class must be
 * covered. Prints the table: phase, server behaviour, code, transient, elapsed ms.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sendRawMessage, type SmtpSettings } from '../../../src/main/services/delivery/smtp';
import { SMTP_FAILURE_CLASSES } from '../../../src/shared/smtp-failures';
import { startScriptedSmtp, type ScriptedSmtpOptions } from '../../support/scripted-smtp';
import { flawedServerCert } from '../../support/smtp-certs';
import { startSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { ENVELOPE, TO, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';
import { startWireRecorder } from '../../support/wire-recorder';

const hasOpenssl = requireTool('openssl');

interface Target {
  port: number;
  caPem?: string;
  close(): Promise<void>;
}
interface Case {
  behaviour: string;
  start(): Promise<Target>;
  settings?: Partial<SmtpSettings>;
  raw?: Buffer;
  timeoutMs?: number;
  code: string;
  phase: string;
  /** Upper bound on the time to the error, when the class promises one. */
  withinMs?: number;
  /** Connect straight to the target (a relay in between would itself accept the TCP connection). */
  direct?: boolean;
}

const real = (opts: StartSmtpServerOptions) => () => startSmtpServer(opts);
const scripted = (opts: ScriptedSmtpOptions) => () => startScriptedSmtp(opts);
const closedPort = async (): Promise<Target> => {
  const s = createServer();
  const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); }));
  return { port, close: async () => undefined };
};

const CASES: Case[] = [
  { behaviour: 'port closed', start: closedPort, direct: true, code: 'SMTP_UNREACHABLE', phase: 'connect' },
  { behaviour: 'implicit-TLS port, STARTTLS settings', start: real({ implicitTls: true }), timeoutMs: 30_000, code: 'SMTP_TLS_MODE_MISMATCH', phase: 'greeting', withinMs: 5000 },
  { behaviour: 'STARTTLS port, implicit-TLS settings', start: real({}), settings: { security: 'tls' }, timeoutMs: 30_000, code: 'SMTP_TLS_MODE_MISMATCH', phase: 'tls', withinMs: 5000 },
  { behaviour: 'no STARTTLS offered', start: real({ starttls: false }), code: 'TLS_REQUIRED', phase: 'tls' },
  { behaviour: 'certificate from unknown CA', start: real({ untrustedCert: true }), code: 'TLS_CERT_UNTRUSTED', phase: 'tls' },
  { behaviour: 'certificate expired', start: () => startSmtpServer({ serverCert: flawedServerCert('expired') }), code: 'TLS_CERT_EXPIRED', phase: 'tls' },
  { behaviour: 'certificate for another host', start: real({ wrongHostCert: true }), code: 'TLS_CERT_WRONG_HOST', phase: 'tls' },
  { behaviour: 'certificate RSA-1024', start: () => startSmtpServer({ serverCert: flawedServerCert('weak-key') }), code: 'TLS_CERT_WEAK', phase: 'tls' },
  { behaviour: 'certificate signed with SHA-1', start: () => startSmtpServer({ serverCert: flawedServerCert('weak-signature') }), code: 'TLS_CERT_WEAK', phase: 'tls' },
  { behaviour: 'TLS 1.1 only', start: real({ maxTlsVersion: 'TLSv1.1' }), code: 'TLS_PROTOCOL_TOO_OLD', phase: 'tls' },
  { behaviour: 'wrong password (535)', start: real({}), settings: { password: 'wrong horse' }, code: 'SMTP_AUTH_FAILED', phase: 'auth' },
  { behaviour: 'M365 SMTP AUTH disabled (5.7.139)', start: scripted({ auth: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' }), code: 'SMTP_AUTH_POLICY', phase: 'auth' },
  { behaviour: 'Gmail app password required (5.7.9)', start: scripted({ auth: '534-5.7.9 Application-specific password required.\r\n534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor' }), code: 'SMTP_AUTH_POLICY', phase: 'auth' },
  { behaviour: '454 at AUTH', start: scripted({ auth: '454 4.7.0 Temporary authentication failure' }), code: 'SMTP_TEMPORARY_FAILURE', phase: 'auth' },
  { behaviour: '421 at MAIL FROM', start: scripted({ mail: '421 4.4.2 Closing' }), code: 'SMTP_TEMPORARY_FAILURE', phase: 'mail' },
  { behaviour: '451 at RCPT TO (greylisting)', start: scripted({ rcpt: '451 4.7.1 Greylisted' }), code: 'SMTP_TEMPORARY_FAILURE', phase: 'rcpt' },
  { behaviour: 'dropped at MAIL FROM', start: scripted({ mail: 'close' }), code: 'SMTP_TEMPORARY_FAILURE', phase: 'mail' },
  { behaviour: '451 after the final "."', start: scripted({ final: '451 4.3.0 Try later' }), code: 'SMTP_TEMPORARY_FAILURE', phase: 'reply' },
  { behaviour: '550 at RCPT TO', start: real({ rejectRecipients: [TO] }), code: 'SMTP_REJECTED', phase: 'rcpt' },
  { behaviour: '553 at MAIL FROM', start: scripted({ mail: '553 5.7.1 Sender rejected' }), code: 'SMTP_REJECTED', phase: 'mail' },
  { behaviour: 'larger than advertised SIZE', start: real({ size: 10_000 }), raw: syntheticMessage(30_000), code: 'SMTP_MESSAGE_TOO_LARGE', phase: 'mail' },
  { behaviour: '552 after the final "."', start: scripted({ final: '552 5.3.4 Too big' }), code: 'SMTP_MESSAGE_TOO_LARGE', phase: 'reply' },
  { behaviour: '554 after the final "."', start: scripted({ final: '554 5.7.1 Rejected' }), code: 'SMTP_MESSAGE_REJECTED', phase: 'reply' },
  { behaviour: 'closed after the final "."', start: scripted({ final: 'close' }), code: 'SMTP_NO_REPLY', phase: 'reply' },
  { behaviour: 'silent after the final "."', start: scripted({ final: 'silent' }), timeoutMs: 800, code: 'SMTP_NO_REPLY', phase: 'reply' },
  { behaviour: '554 greeting (no SMTP service)', start: scripted({ greeting: '554 5.3.2 No SMTP service here' }), code: 'SMTP_FAILED', phase: 'greeting' },
];

const rows: string[][] = [];

describe.skipIf(!hasOpenssl)('SMTP fault matrix (transport level)', () => {
  afterAll(() => {
    if (!rows.length) return;
    const head = ['phase', 'server behaviour', 'code', 'transient', 'ms'];
    const all = [head, ...rows];
    const w = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 4 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join(' | ');
    console.log(['', line(head), w.map((n) => '-'.repeat(n)).join('-+-'), ...rows.map(line)].join('\n'));
  });

  it('covers every failure class of SMTP_FAILURE_CLASSES', () => {
    const covered = new Set(CASES.map((c) => c.code));
    expect(SMTP_FAILURE_CLASSES.map((c) => c.code).filter((c) => !covered.has(c))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.behaviour} → ${c.code} at ${c.phase}, nothing secret in cleartext`, async () => {
      const target = await c.start();
      const wire = await startWireRecorder(target.port);
      try {
        const f = await expectSmtpFailure(
          () => sendRawMessage(localSettings(c.direct ? target.port : wire.port, c.settings), ENVELOPE, c.raw ?? syntheticMessage(), { ...(target.caPem ? { ca: [target.caPem] } : {}), timeoutMs: c.timeoutMs ?? 5000 }),
          c.code,
          c.phase,
        );
        if (c.withinMs) expect(f.elapsedMs).toBeLessThan(c.withinMs);
        expectNoSecretsIn(wire.fromClient().subarray(0, cleartextPrefix(wire.fromClient())));
        rows.push([c.phase, c.behaviour, c.code, String(f.detail.transient), String(f.elapsedMs)]);
      } finally {
        await wire.close();
        await target.close();
      }
    });
  }
});

/**
 * Length of the cleartext part of a client's wire bytes: up to the first TLS record (0x16 0x03),
 * which starts the handshake (implicit TLS at once; STARTTLS after "STARTTLS\r\n"). Everything after it
 * is ciphertext; the check covers the cleartext exactly, and the whole wire is checked as well.
 */
function cleartextPrefix(bytes: Buffer): number {
  expectNoSecretsIn(bytes);
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0x16 && bytes[i + 1] === 0x03) return i;
  return bytes.length;
}
