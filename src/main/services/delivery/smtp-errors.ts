/**
 * Classifying an SMTP submission failure into one coded, PHI-free AppError.
 *
 * The classes, their phases and their `transient` flag are the table in
 * src/shared/smtp-failures.ts (SMTP_FAILURE_CLASSES); this module is the one
 * function that decides which row a failure belongs to. The server's reply
 * text is read to recognise a few known provider policies and then dropped:
 * it never reaches a message or `detail` (a reply can echo an address).
 */
import { AppError, type ErrorCode } from '../../../shared/errors';
import { findSmtpFailureClass, type SmtpPhase, type SmtpProviderPolicy } from '../../../shared/smtp-failures';
import { recognizeProviderPolicy } from './smtp-providers';

/** What the session knew when it failed (from the SMTP transcript; see smtp.ts). */
export interface SmtpFailureContext {
  /** The configured security mode. */
  security: 'starttls' | 'tls';
  /** The phase the session was in, as far as the transcript tells (the error's own command refines it). */
  phase: SmtpPhase;
  /** True once any server reply (normally the 220 greeting) was read on this connection. */
  greeted: boolean;
  /** True once the final "." of DATA was written to the socket: every byte may have reached the server. */
  dotWritten: boolean;
  /** SIZE the server advertised after TLS (bytes; 0 = no fixed limit), if known: reported with SMTP_MESSAGE_TOO_LARGE. */
  maxMessageBytes?: number | null;
}

/** The fields of a nodemailer / Node / OpenSSL error this module reads. */
interface ErrorLike {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  timeoutType?: string;
}

type Detail = Record<string, string | number | boolean>;

/** Node / OpenSSL verification codes → certificate class and reason. */
const CERT_CODES: Record<string, [ErrorCode, string]> = {
  CERT_HAS_EXPIRED: ['TLS_CERT_EXPIRED', 'expired'],
  CERT_NOT_YET_VALID: ['TLS_CERT_EXPIRED', 'not-yet-valid'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['TLS_CERT_WRONG_HOST', 'wrong-host'],
  HOSTNAME_MISMATCH: ['TLS_CERT_WRONG_HOST', 'wrong-host'],
  EE_KEY_TOO_SMALL: ['TLS_CERT_WEAK', 'weak-key'],
  CA_KEY_TOO_SMALL: ['TLS_CERT_WEAK', 'weak-key'],
  ERR_RD_CERT_KEY_TOO_WEAK: ['TLS_CERT_WEAK', 'weak-key'],
  CA_MD_TOO_WEAK: ['TLS_CERT_WEAK', 'weak-signature'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['TLS_CERT_UNTRUSTED', 'self-signed'],
  SELF_SIGNED_CERT_IN_CHAIN: ['TLS_CERT_UNTRUSTED', 'self-signed'],
  CERT_REVOKED: ['TLS_CERT_UNTRUSTED', 'revoked'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['TLS_CERT_UNTRUSTED', 'unknown-issuer'],
  UNABLE_TO_GET_ISSUER_CERT: ['TLS_CERT_UNTRUSTED', 'unknown-issuer'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['TLS_CERT_UNTRUSTED', 'unknown-issuer'],
  CERT_UNTRUSTED: ['TLS_CERT_UNTRUSTED', 'unknown-issuer'],
  CERT_SIGNATURE_FAILURE: ['TLS_CERT_UNTRUSTED', 'invalid'],
  CERT_CHAIN_TOO_LONG: ['TLS_CERT_UNTRUSTED', 'invalid'],
  INVALID_CA: ['TLS_CERT_UNTRUSTED', 'invalid'],
  INVALID_PURPOSE: ['TLS_CERT_UNTRUSTED', 'invalid'],
};

/** OpenSSL texts for verification failures Node reports without a specific code (e.g. 'UNSPECIFIED' at SECLEVEL 2). */
const CERT_TEXTS: [RegExp, ErrorCode, string][] = [
  [/key too (weak|small)/i, 'TLS_CERT_WEAK', 'weak-key'],
  [/(digest algorithm|md) too weak/i, 'TLS_CERT_WEAK', 'weak-signature'],
  [/certificate has expired/i, 'TLS_CERT_EXPIRED', 'expired'],
  [/certificate is not yet valid/i, 'TLS_CERT_EXPIRED', 'not-yet-valid'],
  [/Hostname\/IP does not match|altnames/i, 'TLS_CERT_WRONG_HOST', 'wrong-host'],
  [/self[- ]signed/i, 'TLS_CERT_UNTRUSTED', 'self-signed'],
  [/unable to (verify|get)|certificate/i, 'TLS_CERT_UNTRUSTED', 'unknown-issuer'],
];

const MESSAGES: Record<string, string> = {
  SMTP_UNREACHABLE: 'The mail server could not be reached. Check the server name, the port and the network connection. Nothing was sent.',
  TLS_REQUIRED: 'The mail server does not offer an encrypted connection (STARTTLS), so nothing was sent.',
  'TLS_CERT_UNTRUSTED:unknown-issuer': 'The mail server’s certificate was issued by an authority this computer does not trust. Nothing was sent.',
  'TLS_CERT_UNTRUSTED:self-signed': 'The mail server’s certificate is self-signed, so its identity cannot be verified. Nothing was sent.',
  'TLS_CERT_UNTRUSTED:revoked': 'The mail server’s certificate has been revoked. Nothing was sent.',
  'TLS_CERT_UNTRUSTED:invalid': 'The mail server’s certificate could not be verified. Nothing was sent.',
  'TLS_CERT_EXPIRED:expired': 'The mail server’s certificate has expired. Nothing was sent.',
  'TLS_CERT_EXPIRED:not-yet-valid': 'The mail server’s certificate is not valid yet (check this computer’s date and time). Nothing was sent.',
  TLS_CERT_WRONG_HOST: 'The mail server’s certificate was issued for a different server name than the one entered for it. Nothing was sent.',
  'TLS_CERT_WEAK:weak-key': 'The mail server’s certificate uses a key that is too weak (RSA below 2048 bits). Nothing was sent.',
  'TLS_CERT_WEAK:weak-signature': 'The mail server’s certificate is signed with an outdated algorithm (SHA-1). Nothing was sent.',
  TLS_PROTOCOL_TOO_OLD: 'The mail server only offers an outdated encryption protocol (older than TLS 1.2). Nothing was sent.',
  SMTP_AUTH_FAILED: 'The mail server refused the user name or password. Nothing was sent.',
  SMTP_TEMPORARY_FAILURE: 'The mail server could not take the message right now; it was not delivered. Trying again later can work.',
  SMTP_REJECTED: 'The mail server refused the sender or the recipient address. The message was not delivered.',
  SMTP_MESSAGE_TOO_LARGE: 'The message is larger than the mail server accepts. It was not delivered.',
  SMTP_MESSAGE_REJECTED: 'The mail server refused the message after receiving it. It was not delivered.',
  SMTP_NO_REPLY: 'The whole message was handed to the mail server, but no answer came back. It may or may not have been delivered.',
  SMTP_FAILED: 'Sending failed at the mail server. Nothing was confirmed as sent.',
};

/**
 * Message for a TLS mode mismatch: which mode the port speaks.
 * @param security the configured mode that did not match the port.
 */
export function tlsModeMismatch(security: 'starttls' | 'tls', phase: SmtpPhase, extra: Detail = {}): AppError {
  const expectsTls = security === 'starttls';
  return new AppError(
    'SMTP_TLS_MODE_MISMATCH',
    expectsTls
      ? 'This port expects encryption from the first byte (TLS), but STARTTLS is chosen. Port 465 uses TLS, port 587 uses STARTTLS: change the encryption choice or the port. Nothing was sent.'
      : 'This port expects STARTTLS, but TLS is chosen. Port 465 uses TLS, port 587 uses STARTTLS: change the encryption choice or the port. Nothing was sent.',
    { ...extra, phase, transient: false, reason: expectsTls ? 'port-expects-tls' : 'port-expects-starttls' },
  );
}

/** Build the AppError of class `code` with its table flag and message. */
function make(code: ErrorCode, phase: SmtpPhase, detail: Detail, reason?: string): AppError {
  const row = findSmtpFailureClass(code);
  const transient = row?.transient ?? false;
  const message = MESSAGES[reason ? `${code}:${reason}` : code] ?? MESSAGES[code] ?? MESSAGES.SMTP_FAILED!;
  return new AppError(code, message, { ...detail, phase, transient, ...(reason ? { reason } : {}) });
}

function policyError(policy: SmtpProviderPolicy, detail: Detail): AppError {
  return new AppError('SMTP_AUTH_POLICY', `${policy.providerName} refused the sign-in by policy, not because of a typo. ${policy.fix} See ${policy.fixUrl}`, {
    ...detail,
    phase: 'auth',
    transient: false,
    provider: policy.provider,
    reason: policy.reason,
    fixUrl: policy.fixUrl,
  });
}

/** The phase a reply-bearing error belongs to, from nodemailer's `command` (falls back to the transcript). */
function phaseOfCommand(err: ErrorLike, ctx: SmtpFailureContext): SmtpPhase {
  const c = err.command ?? '';
  if (c === 'MAIL FROM') return 'mail';
  if (c === 'RCPT TO') return 'rcpt';
  if (c === 'DATA') return err.code === 'EMESSAGE' ? 'reply' : 'data';
  if (c.startsWith('AUTH')) return 'auth';
  if (c === 'STARTTLS') return 'tls';
  if (c === 'EHLO' || c === 'HELO' || c === 'LHLO') return 'greeting';
  return ctx.dotWritten ? 'reply' : ctx.phase;
}

/**
 * Classify one failure of an SMTP session into the coded, PHI-free AppError of its class
 * (table: SMTP_FAILURE_CLASSES in src/shared/smtp-failures.ts).
 *
 * Rules, in order: certificate problems by OpenSSL/Node code or text → TLS_CERT_*; protocol version →
 * TLS_PROTOCOL_TOO_OLD; "wrong version number" with implicit TLS → SMTP_TLS_MODE_MISMATCH; a server reply
 * → by code and phase (AUTH: known provider policy → SMTP_AUTH_POLICY, else 4xx temporary, else
 * SMTP_AUTH_FAILED; 421/4xx → SMTP_TEMPORARY_FAILURE; 552 or x.3.4 → SMTP_MESSAGE_TOO_LARGE except 552 at
 * RCPT, which RFC 5321 §4.5.3.1.10 makes temporary; 5xx at MAIL/RCPT/DATA command → SMTP_REJECTED;
 * 5xx after the final "." → SMTP_MESSAGE_REJECTED); no reply after the final "." → SMTP_NO_REPLY;
 * no reply before it → SMTP_UNREACHABLE (no session yet) or SMTP_TEMPORARY_FAILURE; else SMTP_FAILED.
 *
 * @param e what the SMTP client threw or emitted (an AppError passes through, completed with phase/transient).
 * @param ctx what the session transcript knew at that moment.
 * @returns an AppError whose `detail` has `phase`, `transient` and only codes, numbers and constant strings.
 * @source RFC 5321 §4.2.1, §4.5.3.1.10; RFC 3463; RFC 4954 §6; RFC 1870 §6; NIST SP 800-52 Rev. 2.
 */
export function classifySmtpFailure(e: unknown, ctx: SmtpFailureContext): AppError {
  if (e instanceof AppError) {
    if (e.detail && typeof e.detail.phase === 'string' && typeof e.detail.transient === 'boolean') return e;
    const row = findSmtpFailureClass(e.code);
    return new AppError(e.code, e.message, { ...(e.detail ?? {}), phase: ctx.phase, transient: row?.transient ?? false });
  }
  const err = (typeof e === 'object' && e !== null ? e : {}) as ErrorLike;
  const code = err.code ?? '';
  const sys = err.originalCode ?? '';
  const text = err.message ?? '';
  const reply = typeof err.response === 'string' ? err.response : '';
  const smtpCode = typeof err.responseCode === 'number' ? err.responseCode : 0;
  const enhanced = /^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1] ?? '';

  const detail: Detail = {};
  if (code) detail.nodemailerCode = code;
  if (sys && /^[A-Z0-9_]{2,60}$/.test(sys)) detail.systemCode = sys;
  if (smtpCode) detail.smtpCode = smtpCode;
  if (enhanced) detail.enhancedCode = enhanced;
  if (err.command && /^[A-Z ]{2,20}$/.test(err.command)) detail.command = err.command;

  // 1. Certificates (before any other TLS rule: OpenSSL names them in the code or the text).
  const cert = CERT_CODES[sys] ?? CERT_CODES[code];
  if (cert) return make(cert[0], 'tls', detail, cert[0] === 'TLS_CERT_WRONG_HOST' ? undefined : cert[1]);
  if ((code === 'ESOCKET' || code === 'ETLS') && !smtpCode) {
    for (const [re, c, reason] of CERT_TEXTS) {
      if (re.test(text)) return make(c, 'tls', detail, c === 'TLS_CERT_WRONG_HOST' ? undefined : reason);
    }
  }
  // 2. A cleartext reply where a TLS record belongs: implicit TLS against a plain (STARTTLS) port.
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text) || sys === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    if (ctx.security === 'tls') return tlsModeMismatch('tls', 'tls', detail);
    return make('TLS_REQUIRED', 'tls', detail);
  }
  // 3. Protocol version: the server cannot do TLS ≥ 1.2.
  if (/protocol version|unsupported protocol|no protocols available|version too low/i.test(text) || /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS/.test(sys)) {
    return make('TLS_PROTOCOL_TOO_OLD', 'tls', detail);
  }

  // 4. A server reply: classify by its code and the phase it answered.
  if (smtpCode) {
    const phase = phaseOfCommand(err, ctx);
    const temporary = smtpCode >= 400 && smtpCode < 500;
    if (phase === 'auth') {
      const policy = recognizeProviderPolicy(reply);
      if (policy) return policyError(policy, detail);
      if (temporary) return make('SMTP_TEMPORARY_FAILURE', phase, detail, 'reply-4xx');
      return make('SMTP_AUTH_FAILED', phase, detail);
    }
    if (phase === 'tls') return temporary ? make('SMTP_TEMPORARY_FAILURE', phase, detail, 'reply-4xx') : make('TLS_REQUIRED', phase, detail);
    if (smtpCode === 530) return make('SMTP_AUTH_FAILED', phase, detail);
    if (smtpCode === 552 || enhanced === '5.3.4') {
      // RFC 5321 §4.5.3.1.10: 552 to RCPT TO ("too many recipients" in RFC 821) is to be treated as temporary.
      if (phase === 'rcpt' && enhanced !== '5.3.4') return make('SMTP_TEMPORARY_FAILURE', phase, detail, 'reply-4xx');
      if (ctx.maxMessageBytes) detail.maxBytes = ctx.maxMessageBytes;
      return make('SMTP_MESSAGE_TOO_LARGE', phase, detail);
    }
    if (temporary) return make('SMTP_TEMPORARY_FAILURE', phase, detail, 'reply-4xx');
    if (smtpCode >= 500) {
      if (phase === 'mail' || phase === 'rcpt' || phase === 'data') return make('SMTP_REJECTED', phase, detail);
      if (phase === 'reply') return make('SMTP_MESSAGE_REJECTED', phase, detail);
    }
    return make('SMTP_FAILED', phase, detail);
  }

  // 5. No reply after the whole message was handed over: it may have been delivered.
  if (ctx.dotWritten) return make('SMTP_NO_REPLY', 'reply', detail);

  if (code === 'ETLS') return make('TLS_REQUIRED', 'tls', detail);
  if (code === 'EMESSAGE' && /size/i.test(text)) return make('SMTP_MESSAGE_TOO_LARGE', 'mail', detail);
  if (code === 'EAUTH' || code === 'ENOAUTH') return make('SMTP_AUTH_FAILED', 'auth', detail);

  // 6. The connection failed, dropped or timed out without a reply.
  const timedOut = code === 'ETIMEDOUT' || sys === 'ETIMEDOUT' || Boolean(err.timeoutType);
  const lost = ['ECONNECTION', 'ESOCKET'].includes(code) || ['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(sys);
  const unreachableSys = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
  if (code === 'EDNS' || unreachableSys.includes(sys) || unreachableSys.includes(code)) {
    return make('SMTP_UNREACHABLE', 'connect', detail, sys === 'ECONNREFUSED' ? 'refused' : code === 'EDNS' || /^E(NOTFOUND|AI_AGAIN)$/.test(sys) ? 'dns' : 'refused');
  }
  if (timedOut || lost) {
    const reason = timedOut ? 'timeout' : sys === 'ECONNRESET' ? 'reset' : 'connection-lost';
    if (err.timeoutType === 'CONNECT_TIMEOUT') return make('SMTP_UNREACHABLE', 'connect', detail, 'timeout');
    if (err.timeoutType === 'UPGRADE_TIMEOUT') return make('SMTP_UNREACHABLE', 'tls', detail, 'timeout');
    if (ctx.phase === 'connect' || ctx.phase === 'tls' || (ctx.phase === 'greeting' && !ctx.greeted)) {
      return make('SMTP_UNREACHABLE', ctx.phase, detail, reason === 'connection-lost' ? 'reset' : reason);
    }
    return make('SMTP_TEMPORARY_FAILURE', ctx.phase, detail, timedOut ? 'timeout' : 'connection-lost');
  }
  return make('SMTP_FAILED', ctx.phase, detail);
}
