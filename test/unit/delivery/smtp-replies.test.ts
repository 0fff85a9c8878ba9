/**
 * MAIL / RCPT / DATA replies: a temporary 4xx is never read as a rejection (451 at RCPT is not a
 * refusal), 5xx at MAIL/RCPT is SMTP_REJECTED, a 5xx verdict after the final "." is
 * SMTP_MESSAGE_REJECTED, and a dropped connection before the final "." is a transient failure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage } from '../../../src/main/services/delivery/smtp';
import { startScriptedSmtp, type ScriptedSmtpOptions } from '../../support/scripted-smtp';
import { startSmtpServer } from '../../support/smtp';
import { ENVELOPE, TO, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const RAW = syntheticMessage();

async function failWith(script: ScriptedSmtpOptions, code: string, phase: string) {
  const srv = await startScriptedSmtp(script);
  closers.push(() => srv.close());
  const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), code, phase);
  expectNoSecretsIn(srv.cleartext);
  return { f, srv };
}

const CASES: [string, ScriptedSmtpOptions, string, string, number][] = [
  ['451 at RCPT (greylisting) is temporary, not a rejection', { rcpt: '451 4.7.1 Greylisted, please try again later' }, 'SMTP_TEMPORARY_FAILURE', 'rcpt', 451],
  ['452 at RCPT (insufficient storage) is temporary', { rcpt: '452 4.3.1 Insufficient system storage' }, 'SMTP_TEMPORARY_FAILURE', 'rcpt', 452],
  ['552 at RCPT is temporary (RFC 5321 §4.5.3.1.10)', { rcpt: '552 Too many recipients' }, 'SMTP_TEMPORARY_FAILURE', 'rcpt', 552],
  ['421 at MAIL FROM (server closing) is temporary', { mail: '421 4.4.2 Connection dropped due to timeout' }, 'SMTP_TEMPORARY_FAILURE', 'mail', 421],
  ['451 at MAIL FROM is temporary', { mail: '451 4.3.0 Local error in processing' }, 'SMTP_TEMPORARY_FAILURE', 'mail', 451],
  ['451 to DATA is temporary', { data: '451 4.3.0 Try again later' }, 'SMTP_TEMPORARY_FAILURE', 'data', 451],
  ['451 after the final "." is temporary (refused, not delivered)', { final: '451 4.3.0 Try again later' }, 'SMTP_TEMPORARY_FAILURE', 'reply', 451],
  ['550 at RCPT (no such user) is a rejection', { rcpt: '550 5.1.1 User unknown' }, 'SMTP_REJECTED', 'rcpt', 550],
  ['553 at MAIL FROM (sender not allowed) is a rejection', { mail: '553 5.7.1 Sender address rejected: not owned by user' }, 'SMTP_REJECTED', 'mail', 553],
  ['554 at MAIL FROM is a rejection', { mail: '554 5.7.1 Transaction failed' }, 'SMTP_REJECTED', 'mail', 554],
  ['554 to DATA (no valid recipients) is a rejection', { data: '554 5.5.1 No valid recipients' }, 'SMTP_REJECTED', 'data', 554],
  ['554 after the final "." is SMTP_MESSAGE_REJECTED', { final: '554 5.7.1 Message rejected as spam' }, 'SMTP_MESSAGE_REJECTED', 'reply', 554],
  ['550 after the final "." is SMTP_MESSAGE_REJECTED', { final: '550 5.7.0 Content policy violation' }, 'SMTP_MESSAGE_REJECTED', 'reply', 550],
];

describe.skipIf(!hasOpenssl)('SMTP replies: temporary 4xx vs permanent 5xx at MAIL, RCPT and DATA', () => {
  for (const [name, script, code, phase, smtpCode] of CASES) {
    it(name, async () => {
      const { f } = await failWith(script, code, phase);
      expect(f.detail.smtpCode).toBe(smtpCode);
      expect(f.detail.transient).toBe(code === 'SMTP_TEMPORARY_FAILURE');
    });
  }

  it('451 at RCPT from a real pipelining server (smtp-server, MAIL/RCPT/DATA in one batch) is still temporary at RCPT', async () => {
    const srv = await startSmtpServer({ deferRecipients: [TO] });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_TEMPORARY_FAILURE', 'rcpt');
    expect(f.detail.smtpCode).toBe(451);
    expect(srv.received).toHaveLength(0);
  });

  it('one recipient deferred, another accepted: the message goes to the accepted one and the deferred one is listed in `rejected`', async () => {
    const srv = await startSmtpServer({ deferRecipients: ['second@lawfirm.example.test'] });
    closers.push(() => srv.close());
    const r = await sendRawMessage(localSettings(srv.port), { from: ENVELOPE.from, to: [TO, 'second@lawfirm.example.test'] }, RAW, { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.accepted).toEqual([TO]);
    expect(r.rejected).toEqual(['second@lawfirm.example.test']);
  });

  it('a connection dropped at MAIL FROM (no reply) is a transient failure, not a rejection', async () => {
    const { f } = await failWith({ mail: 'close' }, 'SMTP_TEMPORARY_FAILURE', 'mail');
    expect(f.detail.reason).toBe('connection-lost');
  });

  it('a server silent after RCPT TO times out as a transient failure at RCPT', async () => {
    const srv = await startScriptedSmtp({ rcpt: 'silent' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 700 }), 'SMTP_TEMPORARY_FAILURE', 'rcpt');
    expect(f.detail.reason).toBe('timeout');
  });
});
