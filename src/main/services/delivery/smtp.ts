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
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import SMTPConnection, { type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import isEmail from 'validator/lib/isEmail';
import { AppError, isAppError } from '../../../shared/errors';
import { envelopeAddress, needsSmtpUtf8 } from '../recipients/email';
import { classifySmtpFailure } from './smtp-errors';
import { openVerifiedSession } from './smtp-session';
import type { ChunkedMessage, SendOptions, SendResult, SmtpEnvelope, SmtpSettings } from './smtp-types';

export { classifySmtpFailure } from './smtp-errors';
export type { ChunkedMessage, SendOptions, SendResult, SmtpEnvelope, SmtpSettings } from './smtp-types';

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
 * @param raw the complete RFC 5322 message (e.g. from buildPgpMimeMessage), CRLF line ends; or a {@link ChunkedMessage}
 *   (a stored outbox message) streamed chunk by chunk and checked against its size and SHA-256 before the final ".".
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
 *   OUTBOX_INTEGRITY — a ChunkedMessage's chunks do not match its size or SHA-256: DATA ended without the final ".",
 *     nothing delivered (detail.phase 'data', not transient);
 *   SMTPUTF8_REQUIRED — a non-ASCII local part and a server that does not offer SMTPUTF8 (RFC 6531 §3.4; nothing sent);
 *   SMTP_FAILED — anything else.
 * @source 45 CFR 164.312(e)(1) transmission security; NIST SP 800-52 Rev. 2; RFC 3207 (STARTTLS);
 *   RFC 8314 (implicit TLS); RFC 1870 (SIZE); RFC 3461 §4.3–4.4 (RET, ENVID, NOTIFY); RFC 5321 §4.2, §4.5.3.2.
 */
export async function sendRawMessage(settings: SmtpSettings, envelope: SmtpEnvelope, raw: Buffer | ChunkedMessage, opts: SendOptions = {}): Promise<SendResult> {
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
  const integrity: { error: AppError | null } = { error: null };
  const head = { bytes: Buffer.alloc(0) };
  try {
    // RFC 1870 §6: a message larger than the advertised limit is not submitted; refuse before MAIL FROM.
    const maxBytes = session.transcript.maxMessageBytes;
    const sizeBytes = Buffer.isBuffer(raw) ? raw.length : raw.sizeBytes;
    if (maxBytes !== null && maxBytes > 0 && sizeBytes > maxBytes) {
      session.quit();
      throw new AppError('SMTP_MESSAGE_TOO_LARGE', 'The message is larger than the mail server accepts, so it was not sent. A smaller split can go through.', {
        phase: 'mail',
        transient: false,
        maxBytes,
        sizeBytes,
      });
    }
    const info = await session.step<SMTPConnectionSendInfo>((resolve, reject) =>
      session.connection.send(
        {
          from,
          to,
          // RFC 1870: declare the size on MAIL FROM (sent only when the server advertises SIZE).
          size: sizeBytes,
          dsn: { ret: 'HDRS', notify: ['FAILURE', 'DELAY'], ...(opts.envid ? { envid: opts.envid } : {}) },
        },
        !Buffer.isBuffer(raw)
          ? handOverChunks(raw, integrity, head, opts.beforeEndOfData, opts.onDataProgress)
          : opts.beforeEndOfData || opts.onDataProgress
            ? handOver(raw, opts.beforeEndOfData, opts.onDataProgress)
            : raw,
        (err, result) => (err || !result ? reject(err ?? new Error('no result')) : resolve(result)),
      ),
    );
    session.quit();
    return {
      messageId: readMessageId(Buffer.isBuffer(raw) ? raw : head.bytes),
      response: info.response,
      accepted: info.accepted,
      rejected: info.rejected,
      tlsProtocol: session.tlsProtocol,
      tlsCipher: session.tlsCipher,
    };
  } catch (e) {
    const ctx = session.transcript.context();
    session.abort();
    // nodemailer reports a failed source stream as its own ESTREAM: the chunk check's coded error is kept apart.
    throw integrity.error ?? classifySmtpFailure(e, ctx);
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
function handOver(raw: Buffer, beforeEnd?: (() => void) | (() => Promise<void>), progress?: (sent: number, total: number) => void): Readable {
  let offset = 0;
  let ending = false;
  const fail = (stream: Readable, e: unknown) => stream.destroy(e instanceof Error ? e : new Error('hand-over hook failed'));
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
      if (ending) return;
      ending = true;
      let pending: void | Promise<void>;
      try {
        pending = beforeEnd?.();
      } catch (e) {
        fail(this, e);
        return;
      }
      // An asynchronous hook (e.g. a commit to a database server) is awaited: the stream ends, and so the final "."
      // can be written, only after it resolved; if it rejects, the message is never ended.
      if (pending instanceof Promise) {
        pending.then(
          () => this.push(null),
          (e: unknown) => fail(this, e),
        );
        return;
      }
      this.push(null);
    },
  });
}

/**
 * A {@link ChunkedMessage} as a stream of {@link HAND_OVER_CHUNK} pieces, one stored chunk in memory at a time,
 * hashing what it hands over. The chunks may come from a synchronous or an ASYNCHRONOUS iterable (a message read
 * from the practice server chunk by chunk): the stream pulls the next chunk only when the connection wants more
 * (back-pressure), so memory stays at about one chunk whatever the message's size. After the last byte it compares
 * size and SHA-256 with the stored ones: a mismatch destroys the stream with OUTBOX_INTEGRITY, kept in `integrity`
 * (nodemailer then never writes the final ".", and `beforeEnd` is not called); a coded error of the chunk source
 * (e.g. a stored chunk that is missing or does not open) is kept there the same way. A match calls and AWAITS
 * `beforeEnd` (it may commit to a database server), then ends (the terminator follows); if it rejects, the message
 * is never ended. `head` receives the start of the first chunk (where the Message-ID header is).
 */
function handOverChunks(
  msg: ChunkedMessage,
  integrity: { error: AppError | null },
  head: { bytes: Buffer },
  beforeEnd?: (() => void) | (() => Promise<void>),
  progress?: (sent: number, total: number) => void,
): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let sent = 0;
    const source = msg.chunks();
    const iterator: AsyncIterator<Buffer> | Iterator<Buffer> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]() : (source as Iterable<Buffer>)[Symbol.iterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await iterator.next();
      } catch (e) {
        // The source's own coded error (PHI-free) is what the caller sees, kept apart: nodemailer rewrites the code of
        // the error that ends its message stream (to ESTREAM), so it is given a plain one.
        if (isAppError(e)) integrity.error = new AppError(e.code, e.message, { ...(e.detail ?? {}), phase: 'data', transient: false });
        throw new Error('stored message could not be read', { cause: e });
      }
      if (next.done) break;
      const chunk = next.value;
      if (sent === 0 && head.bytes.length === 0) head.bytes = Buffer.from(chunk.subarray(0, 64 * 1024));
      for (let offset = 0; offset < chunk.length; offset += HAND_OVER_CHUNK) {
        const piece = chunk.subarray(offset, offset + HAND_OVER_CHUNK);
        sent += piece.length;
        hash.update(piece);
        yield piece;
        progress?.(sent, msg.sizeBytes);
      }
    }
    if (sent !== msg.sizeBytes || hash.digest('hex') !== msg.sha256) {
      integrity.error = new AppError('OUTBOX_INTEGRITY', 'A stored message of this release was damaged in the vault, so it was not sent. Prepare the release again.', {
        phase: 'data',
        transient: false,
      });
      // A plain error for nodemailer (it rewrites the code of what it is given to ESTREAM).
      throw new Error('stored message check failed');
    }
    await beforeEnd?.();
  }
  return Readable.from(pieces(), { objectMode: false, highWaterMark: HAND_OVER_CHUNK });
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
