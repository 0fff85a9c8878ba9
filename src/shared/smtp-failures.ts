/**
 * The one table of SMTP submission failure classes, shared by main (which
 * classifies), the renderer (which explains) and the tests (which prove each row).
 *
 * Every AppError thrown by sendRawMessage / testSmtpConnection carries
 * `detail.phase` (one of {@link SMTP_PHASES}) and `detail.transient`
 * (true when trying the same message again later can succeed). `detail` holds
 * only codes, numbers and the constant strings of this file — never server text.
 *
 * Pure TypeScript: no Node or DOM imports.
 * @source RFC 5321 §4.2 (reply codes), §4.5.3.1.10 (552 at RCPT is temporary); RFC 3463 (enhanced status codes);
 *   RFC 1870 (SIZE); RFC 3207 (STARTTLS); RFC 8314 (implicit TLS); RFC 4954 §6 (AUTH replies);
 *   NIST SP 800-52 Rev. 2 §3.1–3.5 (TLS ≥ 1.2, certificate checks, ≥ 112-bit keys, no SHA-1 signatures).
 */
import type { ErrorCode } from './errors';

/**
 * Where in the session a failure happened, in session order.
 * - `connect`: opening the TCP connection (DNS, refused, connect timeout).
 * - `tls`: the TLS handshake (implicit TLS, or the STARTTLS command and the handshake after it): certificate, protocol, mode.
 * - `greeting`: waiting for the server's 220 greeting and the EHLO exchange.
 * - `auth`: the AUTH exchange.
 * - `mail` / `rcpt`: MAIL FROM (including the SIZE check before it) / RCPT TO.
 * - `data`: the DATA command and the transfer of the message, up to (not including) writing the final ".".
 * - `reply`: the final "." was written: every byte of the message may have reached the server; waiting for or reading its verdict.
 */
export const SMTP_PHASES = ['connect', 'tls', 'greeting', 'auth', 'mail', 'rcpt', 'data', 'reply'] as const;
export type SmtpPhase = (typeof SMTP_PHASES)[number];

/** One failure class: its code, the phases it occurs in, whether a later retry can succeed, and when it applies. */
export interface SmtpFailureClass {
  code: ErrorCode;
  phases: readonly SmtpPhase[];
  /** Value of `detail.transient`. */
  transient: boolean;
  /** When this class applies (for docs and the fault-matrix test). */
  when: string;
  /** Values `detail.reason` can take for this class, if any. */
  reasons?: readonly string[];
}

/** The failure classes, in session order. The fault-matrix test has one case per row. */
export const SMTP_FAILURE_CLASSES: readonly SmtpFailureClass[] = [
  { code: 'SMTP_UNREACHABLE', phases: ['connect', 'tls', 'greeting'], transient: true, when: 'DNS failure, connection refused or reset, connect/greeting/handshake timeout (and the port does not speak TLS either)', reasons: ['refused', 'dns', 'timeout', 'reset'] },
  { code: 'SMTP_TLS_MODE_MISMATCH', phases: ['greeting', 'tls'], transient: false, when: 'STARTTLS settings against an implicit-TLS port (no greeting; the port answers a TLS ClientHello), or implicit TLS against a plain port (a cleartext "220" where a ServerHello belongs)', reasons: ['port-expects-tls', 'port-expects-starttls'] },
  { code: 'TLS_REQUIRED', phases: ['tls'], transient: false, when: 'the server offers no STARTTLS, refuses it, or the connection is not TLS after it' },
  { code: 'TLS_CERT_UNTRUSTED', phases: ['tls'], transient: false, when: 'unknown issuer, self-signed, revoked or otherwise unverifiable chain', reasons: ['unknown-issuer', 'self-signed', 'revoked', 'invalid'] },
  { code: 'TLS_CERT_EXPIRED', phases: ['tls'], transient: false, when: 'a certificate of the chain is past its notAfter or before its notBefore date', reasons: ['expired', 'not-yet-valid'] },
  { code: 'TLS_CERT_WRONG_HOST', phases: ['tls'], transient: false, when: 'the certificate does not name the configured server (RFC 6125)' },
  { code: 'TLS_CERT_WEAK', phases: ['tls'], transient: false, when: 'RSA key below 2048 bits or a SHA-1/MD5 signature (below 112-bit security)', reasons: ['weak-key', 'weak-signature'] },
  { code: 'TLS_PROTOCOL_TOO_OLD', phases: ['tls'], transient: false, when: 'the server cannot do TLS 1.2 or newer' },
  { code: 'SMTP_AUTH_FAILED', phases: ['auth', 'mail'], transient: false, when: 'credentials refused (535, 534, 530) with no known provider policy behind it' },
  { code: 'SMTP_AUTH_POLICY', phases: ['auth'], transient: false, when: 'a known provider refuses password sign-in by policy (Microsoft 365 SMTP AUTH off, security defaults, basic auth retired; Gmail app password required)', reasons: ['smtp-auth-disabled', 'security-defaults', 'basic-auth-disabled', 'app-password-required', 'password-not-accepted', 'web-login-required'] },
  { code: 'SMTP_TEMPORARY_FAILURE', phases: ['greeting', 'tls', 'auth', 'mail', 'rcpt', 'data', 'reply'], transient: true, when: 'a 4xx reply (421, 450, 451, 452, 454, and 552 at RCPT), or the connection dropped or timed out before the final "." was written', reasons: ['reply-4xx', 'connection-lost', 'timeout'] },
  { code: 'SMTP_REJECTED', phases: ['mail', 'rcpt', 'data'], transient: false, when: '5xx to MAIL FROM or RCPT TO (550, 553, 554 …), or every recipient refused' },
  { code: 'SMTP_MESSAGE_TOO_LARGE', phases: ['mail', 'data', 'reply'], transient: false, when: 'the message is larger than the SIZE the server advertised (checked before MAIL FROM: nothing sent), or 552 / x.3.4 to MAIL FROM or after the final "."' },
  { code: 'SMTP_MESSAGE_REJECTED', phases: ['reply'], transient: false, when: 'a 5xx verdict after the final "." (the message was refused, not delivered)' },
  { code: 'SMTP_NO_REPLY', phases: ['reply'], transient: false, when: 'the final "." was written but no verdict came (connection dropped or timed out): the message MAY have been delivered; the workflow decides (unconfirmed)' },
  { code: 'SMTP_FAILED', phases: ['greeting', 'tls', 'auth', 'mail', 'rcpt', 'data'], transient: false, when: 'anything else (a protocol error, a 5xx greeting or EHLO, a beforeEndOfData hook that threw: the "." was never written)' },
] as const;

/** A known provider's documented sign-in policy, recognised from its enhanced status code and reply text. */
export interface SmtpProviderPolicy {
  provider: 'microsoft365' | 'gmail';
  /** Value of `detail.reason`. */
  reason: string;
  /** The provider's display name, for messages. */
  providerName: string;
  /** What staff (or their email administrator) should do, in plain words. */
  fix: string;
  /** The provider's own help page for the fix (value of `detail.fixUrl`). */
  fixUrl: string;
}

const MS_SMTP_AUTH = 'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission';
const GOOGLE_APP_PASSWORDS = 'https://support.google.com/accounts/answer/185833';

/** Provider policies ReleaseDesk recognises (keyed by `${provider}:${reason}`). */
export const SMTP_PROVIDER_POLICIES: readonly SmtpProviderPolicy[] = [
  {
    provider: 'microsoft365',
    reason: 'smtp-auth-disabled',
    providerName: 'Microsoft 365',
    fix: 'Microsoft 365 has sending from apps (SMTP AUTH) turned off for this mailbox or the whole organization. Your Microsoft 365 administrator can turn on “Authenticated SMTP” for this mailbox.',
    fixUrl: MS_SMTP_AUTH,
  },
  {
    provider: 'microsoft365',
    reason: 'security-defaults',
    providerName: 'Microsoft 365',
    fix: 'Microsoft 365 security defaults block password sign-in from apps for this account. Your Microsoft 365 administrator decides whether to exclude this mailbox or to use another way of sending.',
    fixUrl: 'https://learn.microsoft.com/en-us/entra/fundamentals/security-defaults',
  },
  {
    provider: 'microsoft365',
    reason: 'basic-auth-disabled',
    providerName: 'Microsoft 365',
    fix: 'Microsoft 365 no longer accepts a password from apps for this mailbox (basic authentication is turned off). Ask your Microsoft 365 administrator which sending service your practice should use instead.',
    fixUrl: MS_SMTP_AUTH,
  },
  {
    provider: 'gmail',
    reason: 'app-password-required',
    providerName: 'Gmail',
    fix: 'Gmail needs an app password here, not your normal Google password. Create one under Google Account → Security → 2-Step Verification → App passwords, and enter it as the password in Settings.',
    fixUrl: GOOGLE_APP_PASSWORDS,
  },
  {
    provider: 'gmail',
    reason: 'password-not-accepted',
    providerName: 'Gmail',
    fix: 'Gmail did not accept this password. Gmail accepts only an app password from apps like ReleaseDesk (your normal Google password does not work). Create an app password and enter it in Settings.',
    fixUrl: GOOGLE_APP_PASSWORDS,
  },
  {
    provider: 'gmail',
    reason: 'web-login-required',
    providerName: 'Gmail',
    fix: 'Google wants this account to sign in through a web browser first. Sign in to Gmail in a browser, then try again.',
    fixUrl: 'https://support.google.com/mail/answer/78754',
  },
] as const;

/** The policy for `provider` and `reason`, or undefined. */
export function findProviderPolicy(provider: unknown, reason: unknown): SmtpProviderPolicy | undefined {
  return SMTP_PROVIDER_POLICIES.find((p) => p.provider === provider && p.reason === reason);
}

/** The class row for `code`, or undefined when the code is not an SMTP failure class. */
export function findSmtpFailureClass(code: string): SmtpFailureClass | undefined {
  return SMTP_FAILURE_CLASSES.find((c) => c.code === code);
}
