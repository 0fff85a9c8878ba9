/**
 * Message size (RFC 1870): the message is compared with the SIZE the server advertised after TLS
 * before MAIL FROM (nothing is sent; detail.maxBytes lets the workflow offer a smaller split),
 * SIZE=<n> is declared on MAIL FROM, and 552 is SMTP_MESSAGE_TOO_LARGE wherever it comes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage } from '../../../src/main/services/delivery/smtp';
import { startScriptedSmtp } from '../../support/scripted-smtp';
import { startSmtpServer } from '../../support/smtp';
import { ENVELOPE, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe.skipIf(!hasOpenssl)('SMTP message size: advertised SIZE, SIZE= and 552', () => {
  it('refuses a message larger than the advertised SIZE before MAIL FROM: nothing sent, maxBytes in detail', async () => {
    const srv = await startSmtpServer({ size: 20_000 });
    closers.push(() => srv.close());
    const raw = syntheticMessage(50_000);
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, raw, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_MESSAGE_TOO_LARGE', 'mail');
    expect(f.detail).toMatchObject({ maxBytes: 20_000, sizeBytes: raw.length });
    expect(f.message).toMatch(/smaller split/);
    expect(srv.received).toHaveLength(0);
  });

  it('sends no MAIL FROM at all when the message is too large (scripted server sees only EHLO, STARTTLS, AUTH, QUIT)', async () => {
    const srv = await startScriptedSmtp({ size: 1000 });
    closers.push(() => srv.close());
    await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(5000), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_MESSAGE_TOO_LARGE', 'mail');
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'QUIT']);
    expect(srv.dataBytes).toBe(0);
    expectNoSecretsIn(srv.cleartext);
  });

  it('declares SIZE=<n> on MAIL FROM when the message fits (RFC 1870 §3)', async () => {
    const srv = await startSmtpServer({ size: 20_000 });
    closers.push(() => srv.close());
    const raw = syntheticMessage(10_000);
    const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, raw, { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.accepted).toEqual(ENVELOPE.to);
    expect(srv.received[0]!.mailFromArgs.SIZE).toBe(String(raw.length));
  });

  it('uses the SIZE advertised after TLS and forgets a smaller one advertised before it', async () => {
    const srv = await startScriptedSmtp({ sizeBeforeTls: 1000 });
    closers.push(() => srv.close());
    const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(5000), { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.response).toMatch(/^250 /);
    expect(srv.sawEndOfData).toBe(true);
  });

  it('552 after the final "." is SMTP_MESSAGE_TOO_LARGE (permanent) at the reply', async () => {
    const srv = await startScriptedSmtp({ final: '552 5.3.4 Message size exceeds fixed maximum message size' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_MESSAGE_TOO_LARGE', 'reply');
    expect(f.detail).toMatchObject({ smtpCode: 552, enhancedCode: '5.3.4' });
  });

  it('552 after the final "." reports the advertised limit as maxBytes when the server gave one', async () => {
    const srv = await startScriptedSmtp({ size: 1_000_000, final: '552 5.3.4 Message size exceeds fixed maximum message size' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_MESSAGE_TOO_LARGE', 'reply');
    expect(f.detail.maxBytes).toBe(1_000_000);
  });

  it('552 to MAIL FROM (declared SIZE over the limit) is SMTP_MESSAGE_TOO_LARGE at MAIL', async () => {
    const srv = await startScriptedSmtp({ size: 10_000_000, mail: '552 5.3.4 Message size exceeds fixed limit' });
    closers.push(() => srv.close());
    await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_MESSAGE_TOO_LARGE', 'mail');
    expect(srv.mailFromLine).toMatch(/ SIZE=\d+/);
  });
});
