/**
 * The class table is shared: every SMTP failure class has a plain explanation with a next step, a
 * provider policy is explained with that provider's fix and link (from the error's detail, or from
 * the fix link in main's message), and a message that may have been delivered is never offered as
 * a plain "try again". Plus the pure classifier's edge rules.
 */
import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, toAppError } from '../../../src/main/services/delivery/smtp';
import { tlsModeMismatch } from '../../../src/main/services/delivery/smtp-errors';
import { explain, isRetryableSendFailure } from '../../../src/renderer/lib/explain';
import { AppError, ERROR_CODES } from '../../../src/shared/errors';
import { SMTP_FAILURE_CLASSES, SMTP_PROVIDER_POLICIES } from '../../../src/shared/smtp-failures';

const ctx = { security: 'starttls' as const, phase: 'data' as const, greeted: true, dotWritten: false };

describe('SMTP failure classes in the UI', () => {
  it('every class is a known error code with its own explanation and next step', () => {
    for (const c of SMTP_FAILURE_CLASSES) {
      expect(ERROR_CODES).toContain(c.code);
      const ex = explain(c.code);
      expect(ex.title).not.toBe('Something went wrong.');
      expect(ex.next.length).toBeGreaterThan(20);
    }
  });

  it('explains a provider policy with the provider’s fix and link, from detail or from main’s message alone', () => {
    const replies: Record<string, string> = {
      'microsoft365:smtp-auth-disabled': '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
      'microsoft365:security-defaults': "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.",
      'microsoft365:basic-auth-disabled': '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.',
      'gmail:app-password-required': '534-5.7.9 Application-specific password required.',
      'gmail:password-not-accepted': '535-5.7.8 Username and Password not accepted.',
      'gmail:web-login-required': '534-5.7.14 Please log in via your web browser and then try again.',
    };
    for (const p of SMTP_PROVIDER_POLICIES) {
      const byDetail = explain('SMTP_AUTH_POLICY', 'x', { provider: p.provider, reason: p.reason });
      expect(byDetail.link).toEqual({ label: `${p.providerName} instructions`, url: p.fixUrl });
      expect(byDetail.next).toBe(p.fix);
      const err = classifySmtpFailure({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: replies[`${p.provider}:${p.reason}`] }, ctx);
      expect(err.detail).toMatchObject({ provider: p.provider, reason: p.reason });
      const byMessage = explain(err.code, err.message);
      expect(byMessage.next).toBe(p.fix);
      expect(byMessage.link?.url).toBe(p.fixUrl);
    }
    expect(explain('SMTP_AUTH_POLICY').link).toBeUndefined();
  });

  it('never offers SMTP_NO_REPLY as a plain retry; temporary failures are retryable and not fixed in Settings', () => {
    expect(isRetryableSendFailure('SMTP_NO_REPLY')).toBe(false);
    expect(isRetryableSendFailure('SMTP_TEMPORARY_FAILURE')).toBe(true);
    expect(explain('SMTP_NO_REPLY').fixIn).toBeUndefined();
    expect(explain('SMTP_TEMPORARY_FAILURE').fixIn).toBeUndefined();
    expect(explain('SMTP_MESSAGE_TOO_LARGE').fixIn).toBeUndefined();
    expect(explain('SMTP_TLS_MODE_MISMATCH').fixIn).toBe('settings');
    expect(explain('TLS_CERT_WEAK').fixIn).toBe('settings');
  });
});

describe('where the email server settings are, by where the explanation is read', () => {
  it('setup points to the fields above (no Settings yet), the Settings screen to this page, elsewhere to Settings', () => {
    const setup = explain('SMTP_AUTH_FAILED', undefined, undefined, 'setup');
    expect(setup.next).toContain('above');
    expect(setup.next).not.toMatch(/Settings/);
    expect(setup.fixIn).toBeUndefined();
    expect(explain('SMTP_AUTH_FAILED', undefined, undefined, 'settings').next).toContain('on this page');
    expect(explain('SMTP_AUTH_FAILED').next).toContain('under Settings');
    expect(explain('SMTP_AUTH_FAILED').fixIn).toBe('settings');
  });

  it('main’s email-server messages never send staff to Settings (they are also shown during setup, before Settings exists)', () => {
    const messages = [
      tlsModeMismatch('starttls', 'greeting').message,
      tlsModeMismatch('tls', 'greeting').message,
      classifySmtpFailure({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'Hostname/IP does not match certificate altnames' }, { ...ctx, phase: 'tls' }).message,
    ];
    expect(messages[2]).toMatch(/different server name/);
    for (const m of messages) expect(m).not.toMatch(/Settings/);
  });

  it('main’s message, when given, is the one sentence saying what happened (no second restatement)', () => {
    const m = 'The mail server refused the user name or password. Nothing was sent.';
    expect(explain('SMTP_AUTH_FAILED', m).title).toBe(m);
    expect(explain('SMTP_AUTH_FAILED').title).toBe('The email server did not accept the username or password.');
  });
});

describe('classifySmtpFailure edge rules', () => {
  it('a drop after the final "." is SMTP_NO_REPLY even when the error names DATA without a reply', () => {
    const e = classifySmtpFailure({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, { ...ctx, phase: 'reply', dotWritten: true });
    expect(e.code).toBe('SMTP_NO_REPLY');
    expect(e.detail).toMatchObject({ phase: 'reply', transient: false });
  });

  it('a reply that arrives after the final "." is a verdict, not SMTP_NO_REPLY', () => {
    const e = classifySmtpFailure({ code: 'EMESSAGE', command: 'DATA', responseCode: 451, response: '451 4.3.0 later' }, { ...ctx, phase: 'reply', dotWritten: true });
    expect(e.code).toBe('SMTP_TEMPORARY_FAILURE');
    expect(e.detail?.phase).toBe('reply');
  });

  it('an AppError passes through, completed with phase and transient when it lacks them', () => {
    const done = new AppError('SMTP_NO_REPLY', 'm', { phase: 'reply', transient: false });
    expect(classifySmtpFailure(done, ctx)).toBe(done);
    const bare = classifySmtpFailure(new AppError('TLS_REQUIRED', 'm'), { ...ctx, phase: 'tls' });
    expect(bare.detail).toMatchObject({ phase: 'tls', transient: false });
    expect(toAppError(done)).toBe(done);
  });

  it('keeps the server text out of detail: only codes, numbers and constants', () => {
    const e = classifySmtpFailure({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 <patient.name@example.test>: Recipient address rejected' }, { ...ctx, phase: 'rcpt' });
    expect(e.code).toBe('SMTP_REJECTED');
    expect(JSON.stringify(e.detail)).not.toMatch(/patient|example|Recipient/);
    expect(e.detail).toMatchObject({ smtpCode: 550, enhancedCode: '5.1.1', command: 'RCPT TO', phase: 'rcpt', transient: false });
  });
});
