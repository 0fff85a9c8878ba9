/**
 * The AUTH phase: a provider's sign-in policy (Microsoft 365, Gmail) is told apart from a wrong
 * password by its enhanced status code and text, and answered with the provider's documented fix;
 * the server's text itself never reaches the message or the detail. A plain wrong password stays
 * SMTP_AUTH_FAILED; a 454 is temporary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage, testSmtpConnection } from '../../../src/main/services/delivery/smtp';
import { recognizeProviderPolicy } from '../../../src/main/services/delivery/smtp-providers';
import { SMTP_PROVIDER_POLICIES } from '../../../src/shared/smtp-failures';
import { startScriptedSmtp } from '../../support/scripted-smtp';
import { ENVELOPE, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const RAW = syntheticMessage();

/** Replies as the providers send them (multi-line where they are), with a synthetic address echoed in one. */
const POLICY_REPLIES: [string, string, 'microsoft365' | 'gmail', string][] = [
  ['Microsoft 365, SMTP AUTH off for the tenant', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0001.namprd02.prod.outlook.com]', 'microsoft365', 'smtp-auth-disabled'],
  ['Microsoft 365, security defaults', "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [frontdesk@clinic.example.test]", 'microsoft365', 'security-defaults'],
  ['Microsoft 365, basic authentication disabled', '535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BM1P287CA0015.INDP287.PROD.OUTLOOK.COM]', 'microsoft365', 'basic-auth-disabled'],
  ['Microsoft 365, basic auth retired for client submission', '550 5.7.30 Basic authentication is not supported for Client Submission.', 'microsoft365', 'basic-auth-disabled'],
  ['Microsoft 365, request did not meet the criteria', '535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.', 'microsoft365', 'smtp-auth-disabled'],
  ['Gmail, app password required', '534-5.7.9 Application-specific password required. Learn more at\r\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1-20020a05 - gsmtp', 'gmail', 'app-password-required'],
  ['Gmail, username and password not accepted', '535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials b2-20020a05 - gsmtp', 'gmail', 'password-not-accepted'],
  ['Gmail, web login required', '534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1> Please log in via your web browser and\r\n534-5.7.14 then try again.\r\n534 5.7.14  Learn more at https://support.google.com/mail/answer/78754 c3 - gsmtp', 'gmail', 'web-login-required'],
];

describe.skipIf(!hasOpenssl)('SMTP AUTH phase: provider policy vs wrong password', () => {
  for (const [name, reply, provider, reason] of POLICY_REPLIES) {
    it(`${name}: SMTP_AUTH_POLICY with the provider's fix link, never the server's text`, async () => {
      const srv = await startScriptedSmtp({ auth: reply });
      closers.push(() => srv.close());
      const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_AUTH_POLICY', 'auth');
      const policy = SMTP_PROVIDER_POLICIES.find((p) => p.provider === provider && p.reason === reason)!;
      expect(f.detail).toMatchObject({ provider, reason, fixUrl: policy.fixUrl });
      expect(f.detail.fixUrl).toMatch(/^https:\/\/(learn\.microsoft\.com|support\.google\.com)\//);
      expect(f.message).toContain(policy.fixUrl);
      expect(f.message).toContain(policy.providerName);
      for (const serverText of ['Authentication unsuccessful', 'OUTLOOK.COM', 'gsmtp', 'Contact your administrator', 'aka.ms']) expect(f.message).not.toContain(serverText);
      expect(srv.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
      expectNoSecretsIn(srv.cleartext);
    });
  }

  it('a plain wrong password (RFC 4954 535 5.7.8 "credentials invalid") stays SMTP_AUTH_FAILED', async () => {
    const srv = await startScriptedSmtp({ auth: '535 5.7.8 Authentication credentials invalid' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_AUTH_FAILED', 'auth');
    expect(f.detail).toMatchObject({ smtpCode: 535, enhancedCode: '5.7.8' });
    expect(f.detail.provider).toBeUndefined();
  });

  it('Microsoft 365 wrong password (535 5.7.3) stays SMTP_AUTH_FAILED', async () => {
    const srv = await startScriptedSmtp({ auth: '535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]' });
    closers.push(() => srv.close());
    await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_AUTH_FAILED', 'auth');
  });

  it('454 4.7.0 temporary authentication failure is SMTP_TEMPORARY_FAILURE (transient), not a wrong password', async () => {
    const srv = await startScriptedSmtp({ auth: '454 4.7.0 Temporary authentication failure' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, RAW, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_TEMPORARY_FAILURE', 'auth');
    expect(f.detail.reason).toBe('reply-4xx');
  });

  it('the settings test reports the provider policy the same way', async () => {
    const srv = await startScriptedSmtp({ auth: POLICY_REPLIES[0]![1] });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => testSmtpConnection(localSettings(srv.port), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_AUTH_POLICY', 'auth');
    expect(f.detail.provider).toBe('microsoft365');
  });

  it('recognises nothing in an empty or unrelated reply', () => {
    expect(recognizeProviderPolicy('')).toBeUndefined();
    expect(recognizeProviderPolicy('535 Authentication failed')).toBeUndefined();
    expect(recognizeProviderPolicy('535 5.7.8 Authentication credentials invalid')).toBeUndefined();
  });
});
