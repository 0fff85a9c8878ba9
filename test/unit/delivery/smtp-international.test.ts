import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage, type SmtpSettings } from '../../../src/main/services/delivery/smtp';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { requireTool } from '../../support/tools';

const hasTools = requireTool('openssl');
const FROM = 'frontdesk@clinic.example.test';
const servers: RunningSmtpServer[] = [];
async function server(opts: StartSmtpServerOptions = {}) {
  const s = await startSmtpServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const settings = (port: number): SmtpSettings => ({ host: '127.0.0.1', port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD });
const raw = (to: string) => Buffer.from(`From: ${FROM}\r\nTo: ${to}\r\nSubject: test\r\nMessage-ID: <intl1@clinic.example.test>\r\n\r\nhello\r\n`);

describe.skipIf(!hasTools)('international addresses against a real smtp-server', () => {
  it('sends an internationalised domain as its A-label in RCPT TO, without needing SMTPUTF8', async () => {
    const srv = await server({ hideSmtpUtf8: true });
    await sendRawMessage(settings(srv.port), { from: FROM, to: ['jane@bücher.example'] }, raw('jane@xn--bcher-kva.example'), { ca: [srv.caPem], timeoutMs: 5000 });
    expect(srv.received).toHaveLength(1);
    const rcpt = srv.commands.filter((c) => /^RCPT TO:/i.test(c));
    expect(rcpt).toHaveLength(1);
    expect(rcpt[0]).toMatch(/^RCPT TO:<jane@xn--bcher-kva\.example>/);
    expect(srv.commands.find((c) => /^MAIL FROM:/i.test(c))).not.toMatch(/SMTPUTF8/);
  });

  it('sends a non-ASCII local part with SMTPUTF8 when the server offers it', async () => {
    const srv = await server();
    await sendRawMessage(settings(srv.port), { from: FROM, to: ['jürgen@bücher.example'] }, raw('jürgen@bücher.example'), { ca: [srv.caPem], timeoutMs: 5000 });
    expect(srv.received).toHaveLength(1);
    expect(srv.commands.find((c) => /^MAIL FROM:/i.test(c))).toMatch(/ SMTPUTF8\b/);
    expect(srv.commands.find((c) => /^RCPT TO:/i.test(c))).toMatch(/^RCPT TO:<jürgen@xn--bcher-kva\.example>/);
  });

  it('refuses a non-ASCII local part with SMTPUTF8_REQUIRED before MAIL FROM when the server does not offer SMTPUTF8; nothing arrives', async () => {
    const srv = await server({ hideSmtpUtf8: true });
    const err = await sendRawMessage(settings(srv.port), { from: FROM, to: ['jürgen@clinic.example'] }, raw('jürgen@clinic.example'), { ca: [srv.caPem], timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SMTPUTF8_REQUIRED', detail: { phase: 'mail', transient: false } });
    expect((err as Error).message).not.toContain('jürgen');
    expect(srv.received).toHaveLength(0);
    expect(srv.commands.some((c) => /^(MAIL|RCPT)/i.test(c))).toBe(false);
  });
});
