/**
 * TLS-only SMTP submission of an already composed message.
 *
 * There is no code path that sends without verified TLS: STARTTLS is required
 * (never opportunistic) or the connection is TLS from the first byte; the
 * certificate chain and host name are verified; TLS 1.2 is the floor. The
 * negotiated protocol and cipher are read from the live socket and returned,
 * so every recorded transmission carries its transport-security facts.
 *
 * Errors never echo the server's reply text (it can quote addresses or, from
 * a misbehaving server, message content). Every failure is one row of the class
 * table SMTP_FAILURE_CLASSES (src/shared/smtp-failures.ts), classified by
 * classifySmtpFailure (smtp-errors.ts): `detail` carries `phase`, `transient`
 * and only codes, numbers and constant strings (nodemailer/system codes, the
 * SMTP reply and enhanced status codes, a constant reason, a known provider's
 * fix link, the advertised size limit).
 */
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { checkServerIdentity, connect as tlsConnect, DEFAULT_CIPHERS, TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import SMTPConnection, { type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import isEmail from 'validator/lib/isEmail';
import { AppError } from '../../../shared/errors';
import { envelopeAddress, needsSmtpUtf8 } from '../recipients/email';
import type { SmtpPhase } from '../../../shared/smtp-failures';
import { classifySmtpFailure, tlsModeMismatch, type SmtpFailureContext } from './smtp-errors';

export { classifySmtpFailure } from './smtp-errors';

/** Where and how to submit. Mirrors the contract's SmtpSettingsInput. */
export interface SmtpSettings {
  host: string;
  /** TCP port: usually 587 for 'starttls', 465 for 'tls'. */
  port: number;
  /** 'starttls': plain connect then mandatory STARTTLS (RFC 3207); 'tls': implicit TLS (RFC 8314 §3.3). */
  security: 'starttls' | 'tls';
  username: string;
  password: string;
}

/** SMTP envelope (RFC 5321 §2.3.1): MAIL FROM and RCPT TO addresses, independent of the headers. */
export interface SmtpEnvelope {
  from: string;
  to: string[];
}

export interface SendOptions {
  /** PEM CA certificates to trust INSTEAD of the system roots (tests, or a practice's private CA). */
  ca?: string[];
  /** DSN envelope id (RFC 3461 §4.4): printable ASCII, at most 100 characters; returned in bounces. Must carry no PHI. */
  envid?: string;
  /**
   * Limit for connecting, the greeting and each later wait, in milliseconds. Default 30 000.
   * When given, it is also the wait for the verdict after the final "." (unless `replyTimeoutMs` is given).
   */
  timeoutMs?: number;
  /**
   * Wait for the server's verdict after the final "." of DATA, in milliseconds. Default: `timeoutMs` when
   * given, else 600 000 (RFC 5321 §4.5.3.2.6: 10 minutes; a server may scan the message before answering,
   * and giving up early turns a delivered message into an unconfirmed one).
   */
  replyTimeoutMs?: number;
  /**
   * Called synchronously once the whole message has been handed to the connection and BEFORE the final
   * "." of DATA can be written (RFC 5321 §4.1.1.4): from then on a missing reply means the message may have
   * been delivered. If it throws, the message is not ended (nothing can be delivered) and the send fails.
   */
  beforeEndOfData?: () => void;
  /** Called synchronously after each chunk of the message is taken by the connection: bytes handed over so far, of the total. */
  onDataProgress?: (sentBytes: number, totalBytes: number) => void;
}

export interface SendResult {
  /** The Message-ID header of `raw` (with angle brackets), '' when it has none. */
  messageId: string;
  /** The server's final reply to DATA, e.g. "250 2.0.0 OK: queued as ABC". For the transmission log (may contain a queue id). */
  response: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting others (all refused is an error). */
  rejected: string[];
  /** Negotiated TLS protocol of this connection: 'TLSv1.2' or 'TLSv1.3'. */
  tlsProtocol: string;
  /** Negotiated cipher suite, OpenSSL name, e.g. 'TLS_AES_256_GCM_SHA384'. */
  tlsCipher: string;
}

const TLS_FLOOR = 'TLSv1.2';
const ACCEPTABLE_PROTOCOLS = new Set(['TLSv1.2', 'TLSv1.3']);
/** Smallest RSA modulus accepted in a server certificate (NIST SP 800-52 Rev. 2 §3.3.2: 112-bit security). */
const MIN_RSA_BITS = 2048;
/** With STARTTLS settings, how long to wait for the greeting before checking whether the port speaks TLS (ms). */
const GREETING_PROBE_AFTER_MS = 1500;
/** Longest the TLS probe may take (ms). Together with the wait above this keeps a TLS-mode mismatch under 5 s. */
const GREETING_PROBE_TIMEOUT_MS = 2500;
/** Default wait for the verdict after the final "." (RFC 5321 §4.5.3.2.6 "DATA Termination: 10 minutes"). */
const DEFAULT_REPLY_TIMEOUT_MS = 600_000;

/**
 * Submit `raw` over verified TLS, with header-only DSNs, and report the TLS facts.
 *
 * Steps: connect (implicit TLS, or plain + STARTTLS which MUST succeed),
 * verify the connection really is TLS ≥ 1.2 and read protocol and cipher,
 * AUTH (PLAIN/LOGIN, whatever the server offers), compare the message with the
 * `SIZE` the server advertised after TLS (RFC 1870) before MAIL FROM, MAIL FROM with
 * `SIZE=`, `RET=HDRS` and `ENVID`, RCPT TO with `NOTIFY=FAILURE,DELAY`, DATA, QUIT.
 *
 * Every failure is classified by {@link classifySmtpFailure} (table: SMTP_FAILURE_CLASSES in
 * src/shared/smtp-failures.ts): `detail.phase` says where it happened and `detail.transient`
 * whether a later retry can succeed. When the final "." of DATA was written and no verdict came,
 * the error is SMTP_NO_REPLY: the message MAY have been delivered (never reported as a plain failure).
 *
 * @param settings server, port, security mode and credentials.
 * @param envelope MAIL FROM / RCPT TO addresses (validated with validator.isEmail).
 * @param raw the complete RFC 5322 message (e.g. from buildPgpMimeMessage), CRLF line ends.
 * @param opts trusted CAs, DSN envelope id, timeout (each wait, including the wait for the final reply).
 * @returns {@link SendResult}.
 * @throws AppError
 *   INVALID_EMAIL / HEADER_INJECTION — bad envelope address or control characters (nothing connected);
 *   VALIDATION_FAILED — bad envid or empty recipient list (nothing connected);
 *   SMTP_UNREACHABLE (transient) — connection refused, DNS failure, connect/greeting timeout;
 *   SMTP_TLS_MODE_MISMATCH — STARTTLS against an implicit-TLS port or the reverse, told apart within 5 s;
 *   TLS_REQUIRED — server offers no STARTTLS, or the connection is not TLS (RFC 3207 §4; nothing is sent);
 *   TLS_CERT_UNTRUSTED / TLS_CERT_EXPIRED / TLS_CERT_WRONG_HOST / TLS_CERT_WEAK — certificate checks (RFC 5280, RFC 6125);
 *   TLS_PROTOCOL_TOO_OLD — server cannot do TLS 1.2 or newer (NIST SP 800-52 Rev. 2 §3.1);
 *   SMTP_AUTH_FAILED — credentials refused (RFC 4954 §6); SMTP_AUTH_POLICY — a known provider's policy
 *     (detail.provider, detail.fixUrl);
 *   SMTP_TEMPORARY_FAILURE (transient) — 4xx, or the connection dropped/timed out before the final ".";
 *   SMTP_REJECTED — 5xx to MAIL FROM / RCPT TO (every recipient refused);
 *   SMTP_MESSAGE_TOO_LARGE — larger than the advertised SIZE (detail.maxBytes, nothing sent), or 552;
 *   SMTP_MESSAGE_REJECTED — 5xx verdict after the final ".";
 *   SMTP_NO_REPLY — the final "." was written, no verdict came (detail.phase 'reply');
 *   SMTPUTF8_REQUIRED — a non-ASCII local part and a server that does not offer SMTPUTF8 (RFC 6531 §3.4; nothing sent);
 *   SMTP_FAILED — anything else.
 * @source 45 CFR 164.312(e)(1) transmission security; NIST SP 800-52 Rev. 2; RFC 3207 (STARTTLS);
 *   RFC 8314 (implicit TLS); RFC 1870 (SIZE); RFC 3461 §4.3–4.4 (RET, ENVID, NOTIFY); RFC 5321 §4.2, §4.5.3.2.
 */
export async function sendRawMessage(settings: SmtpSettings, envelope: SmtpEnvelope, raw: Buffer, opts: SendOptions = {}): Promise<SendResult> {
  validateInputs(settings, envelope, opts);
  // RFC 5321 §2.3.5 / RFC 5890: domains travel as A-labels (xn--…); only a non-ASCII local part needs SMTPUTF8.
  const from = envelopeAddress(envelope.from);
  const to = envelope.to.map(envelopeAddress);
  const session = await openVerifiedSession(settings, opts);
  if ([from, ...to].some(needsSmtpUtf8) && !serverOffers(session.connection, 'SMTPUTF8')) {
    session.quit();
    throw new AppError(
      'SMTPUTF8_REQUIRED',
      'An address has non-English letters before the @, and the practice’s email server does not support international addresses (SMTPUTF8), so nothing was sent.',
      { phase: 'mail', transient: false },
    );
  }
  // From the final "." on, wait for the verdict as long as RFC 5321 §4.5.3.2.6 allows (or as configured).
  const replyWait = opts.replyTimeoutMs ?? opts.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  session.transcript.onDotWritten = () => {
    const socket = session.connection._socket;
    if (socket) socket.setTimeout(replyWait);
  };
  try {
    // RFC 1870 §6: a message larger than the advertised limit is not submitted; refuse before MAIL FROM.
    const maxBytes = session.transcript.maxMessageBytes;
    if (maxBytes !== null && maxBytes > 0 && raw.length > maxBytes) {
      session.quit();
      throw new AppError('SMTP_MESSAGE_TOO_LARGE', 'The message is larger than the mail server accepts, so it was not sent. A smaller split can go through.', {
        phase: 'mail',
        transient: false,
        maxBytes,
        sizeBytes: raw.length,
      });
    }
    const info = await session.step<SMTPConnectionSendInfo>((resolve, reject) =>
      session.connection.send(
        {
          from,
          to,
          // RFC 1870: declare the size on MAIL FROM (sent only when the server advertises SIZE).
          size: raw.length,
          dsn: { ret: 'HDRS', notify: ['FAILURE', 'DELAY'], ...(opts.envid ? { envid: opts.envid } : {}) },
        },
        opts.beforeEndOfData || opts.onDataProgress ? handOver(raw, opts.beforeEndOfData, opts.onDataProgress) : raw,
        (err, result) => (err || !result ? reject(err ?? new Error('no result')) : resolve(result)),
      ),
    );
    session.quit();
    return {
      messageId: readMessageId(raw),
      response: info.response,
      accepted: info.accepted,
      rejected: info.rejected,
      tlsProtocol: session.tlsProtocol,
      tlsCipher: session.tlsCipher,
    };
  } catch (e) {
    const ctx = session.transcript.context();
    session.abort();
    throw classifySmtpFailure(e, ctx);
  }
}

/** True when the server's EHLO reply listed this extension (nodemailer keeps the parsed list on the connection). */
function serverOffers(connection: SMTPConnection, extension: string): boolean {
  const list = (connection as unknown as { _supportedExtensions?: unknown })._supportedExtensions;
  return Array.isArray(list) && list.includes(extension);
}

/** Bytes handed to the connection at a time (progress granularity). */
export const HAND_OVER_CHUNK = 16 * 1024;

/**
 * The message as a stream of {@link HAND_OVER_CHUNK} pieces (reporting `progress` after each) that calls
 * `beforeEnd` after its last byte was taken and before it ends: the DATA terminator is written only after the
 * source ends, so `beforeEnd` runs strictly before it.
 */
function handOver(raw: Buffer, beforeEnd?: () => void, progress?: (sent: number, total: number) => void): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset < raw.length) {
        const end = Math.min(raw.length, offset + HAND_OVER_CHUNK);
        const chunk = raw.subarray(offset, end);
        offset = end;
        this.push(chunk);
        progress?.(offset, raw.length);
        return;
      }
      try {
        beforeEnd?.();
      } catch (e) {
        this.destroy(e instanceof Error ? e : new Error('hand-over hook failed'));
        return;
      }
      this.push(null);
    },
  });
}

/** What a successful {@link testSmtpConnection} learned about the server. */
export interface SmtpTestResult {
  ok: true;
  /** Negotiated TLS protocol: 'TLSv1.2' or 'TLSv1.3'. */
  tlsProtocol: string;
  /** Negotiated cipher suite, OpenSSL name. */
  tlsCipher: string;
}

/**
 * Check the submission settings without sending anything: connect with exactly the same enforced,
 * verified TLS (≥ 1.2) as {@link sendRawMessage}, AUTH, then QUIT. No MAIL FROM, RCPT TO or DATA.
 * Failures are classified exactly as for sendRawMessage (same session code, same {@link classifySmtpFailure}).
 *
 * @param settings server, port, security mode and credentials (the password to test).
 * @param opts trusted CAs and timeout (`envid` is ignored).
 * @returns `{ ok: true, tlsProtocol, tlsCipher }`.
 * @throws AppError HEADER_INJECTION / VALIDATION_FAILED (bad host, user name or port); otherwise the classes of
 *   sendRawMessage up to the 'auth' phase: SMTP_UNREACHABLE, SMTP_TLS_MODE_MISMATCH, TLS_REQUIRED, TLS_CERT_*,
 *   TLS_PROTOCOL_TOO_OLD, SMTP_AUTH_FAILED, SMTP_AUTH_POLICY, SMTP_TEMPORARY_FAILURE, SMTP_FAILED.
 * @source 45 CFR 164.312(e)(1) transmission security; RFC 3207 (STARTTLS); RFC 4954 (AUTH); RFC 5321 §4.1.1.10 (QUIT).
 */
export async function testSmtpConnection(settings: SmtpSettings, opts: SendOptions = {}): Promise<SmtpTestResult> {
  validateServer(settings);
  const session = await openVerifiedSession(settings, opts);
  session.quit();
  return { ok: true, tlsProtocol: session.tlsProtocol, tlsCipher: session.tlsCipher };
}

/** A connected, TLS-verified and authenticated SMTP session, ready for MAIL FROM. */
interface VerifiedSession {
  connection: SMTPConnection;
  transcript: SessionTranscript;
  tlsProtocol: string;
  tlsCipher: string;
  /** Run one SMTP step, racing against connection-level 'error' / 'end' events. */
  step<T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T>;
  /** Polite end (QUIT). */
  quit(): void;
  /** Hard close after a failure. */
  abort(): void;
}

type Verb = 'EHLO' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA' | 'DOT' | 'QUIT' | 'OTHER';
const VERB_PHASE: Record<Verb, SmtpPhase | null> = {
  EHLO: 'greeting',
  STARTTLS: 'tls',
  AUTH: 'auth',
  MAIL: 'mail',
  RCPT: 'rcpt',
  DATA: 'data',
  DOT: 'reply',
  QUIT: null,
  OTHER: null,
};

/**
 * Where the session stands, read from nodemailer's transaction log (its documented `logger` +
 * `transactionLog` options): every command sent, every reply read, and the moment the message
 * stream — including the final "." — was handed to the socket. Only verbs, reply counts and the
 * advertised SIZE are kept; addresses and reply texts are dropped on the spot.
 */
class SessionTranscript {
  /** TCP (and, for implicit TLS, the TLS handshake) is up. */
  established = false;
  /** Replies read on this connection (the greeting is the first). */
  replies = 0;
  /** The final "." of DATA was written: every byte of the message may have reached the server. */
  dotWritten = false;
  /** SIZE advertised in the latest EHLO reply after TLS: null = no SIZE extension, 0 = no fixed limit. */
  maxMessageBytes: number | null = null;
  private pending: Verb[] = [];
  private last: Verb | null = null;
  private upgrading = false;
  private readonly listeners: (() => void)[] = [];
  /** Called once when the final "." was written. */
  onDotWritten: (() => void) | null = null;

  constructor(private readonly security: 'starttls' | 'tls') {}

  /** Call `fn` on the first reply (the greeting). */
  onFirstReply(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** A bunyan-style logger for SMTPConnection's `logger` option. */
  readonly logger = ((): Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (entry: unknown, message?: unknown) => void> => {
    const log = (entry: unknown, message?: unknown) => this.observe(entry, message);
    return { trace: log, debug: log, info: log, warn: log, error: log, fatal: log };
  })();

  private observe(entry: unknown, message: unknown): void {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { tnx?: unknown; remotePort?: unknown };
    const msg = typeof message === 'string' ? message : '';
    if (e.tnx === 'network' && e.remotePort !== undefined) {
      this.established = true;
    } else if (e.tnx === 'client') {
      const word = /^[A-Za-z]+/.exec(msg)?.[0]?.toUpperCase() ?? '';
      const verb: Verb = word === 'EHLO' || word === 'HELO' ? 'EHLO' : (['STARTTLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT'] as const).find((v) => v === word) ?? (this.last === 'AUTH' ? 'AUTH' : 'OTHER');
      this.pending.push(verb);
      this.last = verb;
      this.upgrading = false;
    } else if (e.tnx === 'server') {
      this.replies++;
      const answered = this.pending.shift();
      if (answered === 'STARTTLS' && /^2/.test(msg)) {
        this.upgrading = true;
        this.maxMessageBytes = null; // RFC 3207 §4.2: forget what the server said before TLS
      }
      if (answered === 'EHLO' && /^2/.test(msg)) {
        const size = /^\d{3}[ -]SIZE(?:[ \t]+(\d+))?[ \t]*$/im.exec(msg);
        this.maxMessageBytes = size ? Number(size[1] ?? 0) : null;
      }
      if (this.replies === 1) for (const fn of this.listeners.splice(0)) fn();
    } else if (e.tnx === 'message') {
      // Logged when the message stream ended: its last chunk, "\r\n.\r\n", was handed to the socket.
      this.dotWritten = true;
      this.pending.push('DOT');
      this.last = 'DOT';
      this.onDotWritten?.();
    }
  }

  /** The session's phase now (see SMTP_PHASES). */
  phase(): SmtpPhase {
    if (this.dotWritten) return 'reply';
    if (!this.established) return 'connect';
    if (this.upgrading) return 'tls';
    const verb = this.pending[0] ?? this.last;
    return (verb && VERB_PHASE[verb]) || 'greeting';
  }

  /** The context {@link classifySmtpFailure} needs. */
  context(): SmtpFailureContext {
    return { security: this.security, phase: this.phase(), greeted: this.replies > 0, dotWritten: this.dotWritten, maxMessageBytes: this.maxMessageBytes };
  }
}

/**
 * TLS options for every connection: TLS ≥ 1.2, verified chain and host name, OpenSSL security level 2
 * (RSA/DH ≥ 2048 bits, no SHA-1 signatures in the chain), and our own check of the leaf key size so the
 * floor holds whatever OpenSSL configuration Node runs with.
 * @source NIST SP 800-52 Rev. 2 §3.1 (versions), §3.3.2 (≥ 112-bit keys), §3.5 (certificate checks); RFC 6125.
 */
function tlsOptionsFor(opts: SendOptions): ConnectionOptions {
  return {
    minVersion: TLS_FLOOR,
    rejectUnauthorized: true,
    ciphers: `${DEFAULT_CIPHERS}:@SECLEVEL=2`,
    checkServerIdentity: (host: string, cert: PeerCertificate) => {
      const err = checkServerIdentity(host, cert);
      if (err) return err;
      if (cert.modulus && typeof cert.bits === 'number' && cert.bits < MIN_RSA_BITS) {
        return Object.assign(new Error('EE certificate key too weak'), { code: 'ERR_RD_CERT_KEY_TOO_WEAK' });
      }
      return undefined;
    },
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
}

/**
 * Does the port answer a TLS ClientHello? Used only when STARTTLS settings got no greeting: an
 * implicit-TLS port (465) waits silently for the client to start TLS. A separate connection that
 * sends nothing but the handshake and is closed at once; the session itself is never downgraded.
 * @returns 'tls' (handshake or a TLS-level refusal), 'plain' (a cleartext reply), 'unknown' (silence, reset).
 */
function probePortSpeaksTls(host: string, port: number, tlsOptions: ConnectionOptions, timeoutMs: number): Promise<'tls' | 'plain' | 'unknown'> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ ...tlsOptions, host, port, ...(isIP(host) ? {} : { servername: host }) });
    const done = (r: 'tls' | 'plain' | 'unknown') => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    sock.once('secureConnect', () => done('tls'));
    sock.once('error', (e: NodeJS.ErrnoException) => {
      const text = `${e.code ?? ''} ${e.message}`;
      if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text)) return done('plain');
      if (/^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(e.code ?? '')) return done('unknown');
      done('tls'); // certificate, protocol-version or alert errors: the peer speaks TLS
    });
  });
}

/**
 * Connect (implicit TLS, or plain + mandatory STARTTLS), check the socket is verified TLS ≥ 1.2,
 * read protocol and cipher, and AUTH. The one place that builds SMTP connections, so sending and
 * the settings test cannot drift apart. With STARTTLS settings and no greeting after
 * {@link GREETING_PROBE_AFTER_MS}, a TLS probe tells an implicit-TLS port apart (SMTP_TLS_MODE_MISMATCH).
 * @throws AppError as classified by {@link classifySmtpFailure} (the connection is closed first).
 */
async function openVerifiedSession(settings: SmtpSettings, opts: SendOptions): Promise<VerifiedSession> {
  const timeout = opts.timeoutMs ?? 30_000;
  const tlsOptions = tlsOptionsFor(opts);
  const transcript = new SessionTranscript(settings.security);

  const connection = new SMTPConnection({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: false,
    opportunisticTLS: false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    socketCloseTimeout: 1000,
    // The transaction log (commands and replies, never the message: `debug` stays off) feeds the
    // transcript, which keeps only verbs, counts and SIZE.
    logger: transcript.logger as never,
    transactionLog: true,
    debug: false,
    tls: tlsOptions,
  });
  // SMTPConnection reports connection-level failures (TLS, socket, timeouts) only as an 'error'
  // event, not through the pending callback: every step races against it.
  let failed: ((e: unknown) => void) | null = null;
  let firstError: unknown = null;
  connection.on('error', (e: unknown) => {
    firstError ??= e;
    failed?.(e);
  });
  connection.on('end', () => failed?.(firstError ?? Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })));
  const step = <T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (firstError) return reject(firstError);
      failed = reject;
      run(resolve, reject);
    });

  // STARTTLS settings against an implicit-TLS port: no greeting ever comes. Probe the port after a short wait.
  let probeTimer: NodeJS.Timeout | null = null;
  if (settings.security === 'starttls') {
    let greeted = false;
    transcript.onFirstReply(() => (greeted = true));
    probeTimer = setTimeout(() => {
      void probePortSpeaksTls(settings.host, settings.port, tlsOptions, Math.min(GREETING_PROBE_TIMEOUT_MS, timeout)).then((kind) => {
        if (kind === 'tls' && !greeted) failed?.(tlsModeMismatch('starttls', 'greeting'));
      });
    }, Math.min(GREETING_PROBE_AFTER_MS, Math.floor(timeout / 2)));
  }

  try {
    await step<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
    if (probeTimer) clearTimeout(probeTimer);
    const { tlsProtocol, tlsCipher } = readTlsFacts(connection);

    await step<void>((resolve, reject) =>
      connection.login({ user: settings.username, pass: settings.password }, (err) => (err ? reject(err) : resolve())),
    );
    return {
      connection,
      transcript,
      tlsProtocol,
      tlsCipher,
      step,
      quit: () => {
        failed = null;
        connection.quit();
      },
      abort: () => {
        failed = null;
        connection.close();
      },
    };
  } catch (e) {
    if (probeTimer) clearTimeout(probeTimer);
    const ctx = transcript.context();
    failed = null;
    connection.close();
    throw classifySmtpFailure(e, ctx);
  }
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function validateServer(settings: SmtpSettings): void {
  if (CONTROL.test(settings.host) || CONTROL.test(settings.username)) {
    throw new AppError('HEADER_INJECTION', 'The mail server name or user name contains a line break or control character.');
  }
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) {
    throw new AppError('VALIDATION_FAILED', 'The mail server port must be a number from 1 to 65535.');
  }
}

function validateInputs(settings: SmtpSettings, envelope: SmtpEnvelope, opts: SendOptions): void {
  const control = CONTROL;
  validateServer(settings);
  if (envelope.to.length === 0) throw new AppError('VALIDATION_FAILED', 'There is no recipient to send to.');
  for (const a of [envelope.from, ...envelope.to]) {
    if (control.test(a)) throw new AppError('HEADER_INJECTION', 'An email address contains a line break or control character.');
    if (!isEmail(a)) throw new AppError('INVALID_EMAIL', 'An email address of the message is not valid.');
  }
  if (opts.envid !== undefined && !/^[\x21-\x7e]{1,100}$/.test(opts.envid)) {
    throw new AppError('VALIDATION_FAILED', 'The delivery-status envelope id must be 1 to 100 printable ASCII characters.');
  }
}

/**
 * Read protocol and cipher from the connection's TLS socket. Refuses (and so
 * nothing is sent) when the socket is not TLS, not authorized, or the facts
 * cannot be read: a send is never recorded without them.
 */
const TLS_DETAIL = { phase: 'tls', transient: false } as const;

function readTlsFacts(connection: SMTPConnection): { tlsProtocol: string; tlsCipher: string } {
  const socket = connection._socket;
  if (!connection.secure || !(socket instanceof TLSSocket) || !socket.encrypted) {
    throw new AppError('TLS_REQUIRED', 'The connection to the mail server is not encrypted, so nothing was sent.', TLS_DETAIL);
  }
  if (!socket.authorized) {
    throw new AppError('TLS_CERT_UNTRUSTED', 'The mail server\'s certificate could not be verified, so nothing was sent.', { ...TLS_DETAIL, reason: 'invalid' });
  }
  const protocol = socket.getProtocol();
  const cipher = socket.getCipher()?.name;
  if (!protocol || !cipher) {
    throw new AppError('TLS_REQUIRED', 'The encryption details of the connection could not be read, so nothing was sent.', TLS_DETAIL);
  }
  if (!ACCEPTABLE_PROTOCOLS.has(protocol)) {
    throw new AppError('TLS_PROTOCOL_TOO_OLD', 'The mail server only offers an outdated encryption protocol (older than TLS 1.2), so nothing was sent.', TLS_DETAIL);
  }
  return { tlsProtocol: protocol, tlsCipher: cipher };
}

/** The Message-ID header value of an RFC 5322 message (first header block only). */
function readMessageId(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
  const m = /^Message-ID:\s*(<[^>\r\n]*>)/im.exec(head);
  return m?.[1] ?? '';
}

/**
 * Map an error of an SMTP send to a coded, PHI-free AppError (kept for callers such as send-parts).
 * AppErrors from {@link sendRawMessage} pass through unchanged (they already carry phase and transient);
 * anything else is classified by {@link classifySmtpFailure} without a session transcript
 * (phase from the error's command, else 'connect').
 */
export function toAppError(e: unknown): AppError {
  return classifySmtpFailure(e, { security: 'starttls', phase: 'connect', greeted: false, dotWritten: false });
}
