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
 * a misbehaving server, message content): `detail` carries only the
 * nodemailer error code, the system error code and the numeric SMTP reply code.
 */
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import SMTPConnection, { type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import isEmail from 'validator/lib/isEmail';
import { AppError, type ErrorCode } from '../../../shared/errors';

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
  /** Limit for connecting, the greeting and each later wait, in milliseconds. Default 30 000. */
  timeoutMs?: number;
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

/**
 * Submit `raw` over verified TLS, with header-only DSNs, and report the TLS facts.
 *
 * Steps: connect (implicit TLS, or plain + STARTTLS which MUST succeed),
 * verify the connection really is TLS ≥ 1.2 and read protocol and cipher,
 * AUTH (PLAIN/LOGIN, whatever the server offers), MAIL FROM with
 * `RET=HDRS` and `ENVID`, RCPT TO with `NOTIFY=FAILURE,DELAY`, DATA, QUIT.
 *
 * @param settings server, port, security mode and credentials.
 * @param envelope MAIL FROM / RCPT TO addresses (validated with validator.isEmail).
 * @param raw the complete RFC 5322 message (e.g. from buildPgpMimeMessage), CRLF line ends.
 * @param opts trusted CAs, DSN envelope id, timeout.
 * @returns {@link SendResult}.
 * @throws AppError
 *   INVALID_EMAIL / HEADER_INJECTION — bad envelope address or control characters;
 *   VALIDATION_FAILED — bad envid or empty recipient list;
 *   TLS_REQUIRED — server offers no STARTTLS, or the connection is not TLS (RFC 3207 §4; nothing is sent);
 *   TLS_CERT_UNTRUSTED — unknown/self-signed CA, expired certificate or host name mismatch (RFC 6125);
 *   TLS_PROTOCOL_TOO_OLD — server cannot do TLS 1.2 or newer (NIST SP 800-52 Rev. 2 §3.1);
 *   SMTP_UNREACHABLE — connection refused, DNS failure or timeout;
 *   SMTP_AUTH_FAILED — credentials refused (RFC 4954 §6, reply 535);
 *   SMTP_REJECTED — every recipient or the sender refused (RFC 5321 §4.2.2, EENVELOPE);
 *   SMTP_FAILED — anything else the server or connection reported.
 * @source 45 CFR 164.312(e)(1) transmission security; NIST SP 800-52 Rev. 2; RFC 3207 (STARTTLS);
 *   RFC 8314 (implicit TLS); RFC 3461 §4.3–4.4 (RET, ENVID, NOTIFY).
 */
export async function sendRawMessage(settings: SmtpSettings, envelope: SmtpEnvelope, raw: Buffer, opts: SendOptions = {}): Promise<SendResult> {
  validateInputs(settings, envelope, opts);
  const session = await openVerifiedSession(settings, opts);
  try {
    const info = await session.step<SMTPConnectionSendInfo>((resolve, reject) =>
      session.connection.send(
        {
          from: envelope.from,
          to: envelope.to,
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
    session.abort();
    throw toAppError(e);
  }
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
 *
 * @param settings server, port, security mode and credentials (the password to test).
 * @param opts trusted CAs and timeout (`envid` is ignored).
 * @returns `{ ok: true, tlsProtocol, tlsCipher }`.
 * @throws AppError HEADER_INJECTION / VALIDATION_FAILED (bad host, user name or port), TLS_REQUIRED,
 *   TLS_CERT_UNTRUSTED, TLS_PROTOCOL_TOO_OLD, SMTP_UNREACHABLE, SMTP_AUTH_FAILED, SMTP_FAILED — as for sendRawMessage.
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
  tlsProtocol: string;
  tlsCipher: string;
  /** Run one SMTP step, racing against connection-level 'error' / 'end' events. */
  step<T>(run: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): Promise<T>;
  /** Polite end (QUIT). */
  quit(): void;
  /** Hard close after a failure. */
  abort(): void;
}

/**
 * Connect (implicit TLS, or plain + mandatory STARTTLS), check the socket is verified TLS ≥ 1.2,
 * read protocol and cipher, and AUTH. The one place that builds SMTP connections, so sending and
 * the settings test cannot drift apart.
 * @throws AppError as mapped by {@link toAppError} (the connection is closed first).
 */
async function openVerifiedSession(settings: SmtpSettings, opts: SendOptions): Promise<VerifiedSession> {
  const timeout = opts.timeoutMs ?? 30_000;

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
    logger: false,
    debug: false,
    tls: {
      minVersion: TLS_FLOOR,
      rejectUnauthorized: true,
      ...(opts.ca ? { ca: opts.ca } : {}),
    },
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

  try {
    await step<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
    const { tlsProtocol, tlsCipher } = readTlsFacts(connection);

    await step<void>((resolve, reject) =>
      connection.login({ user: settings.username, pass: settings.password }, (err) => (err ? reject(err) : resolve())),
    );
    return {
      connection,
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
    failed = null;
    connection.close();
    throw toAppError(e);
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
function readTlsFacts(connection: SMTPConnection): { tlsProtocol: string; tlsCipher: string } {
  const socket = connection._socket;
  if (!connection.secure || !(socket instanceof TLSSocket) || !socket.encrypted) {
    throw new AppError('TLS_REQUIRED', 'The connection to the mail server is not encrypted, so nothing was sent.');
  }
  if (!socket.authorized) {
    throw new AppError('TLS_CERT_UNTRUSTED', 'The mail server\'s certificate could not be verified, so nothing was sent.');
  }
  const protocol = socket.getProtocol();
  const cipher = socket.getCipher()?.name;
  if (!protocol || !cipher) {
    throw new AppError('TLS_REQUIRED', 'The encryption details of the connection could not be read, so nothing was sent.');
  }
  if (!ACCEPTABLE_PROTOCOLS.has(protocol)) {
    throw new AppError('TLS_PROTOCOL_TOO_OLD', 'The mail server only offers an outdated encryption protocol (older than TLS 1.2), so nothing was sent.');
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

/** System / OpenSSL error codes that mean "certificate not trusted for this host". */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

interface NodemailerErrorLike {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
  message?: string;
  reason?: string;
}

/**
 * Map a nodemailer / Node / OpenSSL error to a coded, PHI-free AppError.
 * The server's text is never copied into the message.
 */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as NodemailerErrorLike;
  const code = err.code ?? '';
  const sys = err.originalCode ?? '';
  const text = err.message ?? '';
  const detail: Record<string, string | number> = {};
  if (code) detail.nodemailerCode = code;
  if (sys) detail.systemCode = sys;
  if (typeof err.responseCode === 'number') detail.smtpCode = err.responseCode;
  if (err.command && /^[A-Z ]{2,20}$/.test(err.command)) detail.command = err.command;
  const fail = (c: ErrorCode, msg: string) => new AppError(c, msg, detail);

  // Certificate problems (chain, self-signed, expiry, host name): OpenSSL names them in the code or the text.
  const certText = /certificate|self[- ]signed|Hostname\/IP does not match|altnames/i;
  if (CERT_CODES.has(sys) || CERT_CODES.has(code) || ((code === 'ESOCKET' || code === 'ETLS') && certText.test(text))) {
    return fail('TLS_CERT_UNTRUSTED', 'The mail server\'s certificate is not trusted (unknown issuer, self-signed, expired or issued for another name). Nothing was sent.');
  }
  // Protocol version: server cannot do TLS ≥ 1.2.
  if (/protocol version|unsupported protocol|no protocols available|version too low|wrong version number/i.test(text) || /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS/.test(sys)) {
    if (/wrong version number/i.test(text)) {
      return fail('SMTP_FAILED', 'The mail server did not answer with TLS on this port. Check the port and the security setting (STARTTLS or TLS). Nothing was sent.');
    }
    return fail('TLS_PROTOCOL_TOO_OLD', 'The mail server only offers an outdated encryption protocol (older than TLS 1.2). Nothing was sent.');
  }
  if (code === 'ETLS') {
    return fail('TLS_REQUIRED', 'The mail server does not offer an encrypted connection (STARTTLS), so nothing was sent.');
  }
  if (code === 'EAUTH' || err.responseCode === 535 || err.responseCode === 534 || err.responseCode === 530) {
    return fail('SMTP_AUTH_FAILED', 'The mail server refused the user name or password.');
  }
  if (code === 'EENVELOPE') {
    return fail('SMTP_REJECTED', 'The mail server refused the sender or the recipient address. Nothing was sent.');
  }
  if (code === 'EDNS' || code === 'ETIMEDOUT' || UNREACHABLE_CODES.has(sys) || UNREACHABLE_CODES.has(code)) {
    return fail('SMTP_UNREACHABLE', 'The mail server could not be reached. Check the server name, the port and the network connection.');
  }
  return fail('SMTP_FAILED', 'Sending failed at the mail server. Nothing was confirmed as sent.');
}
