/**
 * PGP/MIME composition (RFC 3156): the whole message — text and attachments —
 * is one MIME entity, signed by the practice key and encrypted to the
 * recipient and the practice (so the practice can read its own sent copy).
 *
 * What travels in the clear: From, To, Subject (caller-supplied, PHI-free),
 * Date, Message-ID and the two fixed MIME parts. Everything else is inside
 * the OpenPGP message.
 */
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import MailComposer from 'nodemailer/lib/mail-composer';
import isEmail from 'validator/lib/isEmail';
import { AppError } from '../../../shared/errors';
import { outerMessage } from './compose';
import { prepareEncryptAndSign } from '../openpgp/fast-encrypt';
import { GNUPG22_COMPATIBLE_CONFIG } from '../openpgp/keys';

/** A mailbox: display name (may be empty) and address. */
export interface Mailbox {
  name: string;
  address: string;
}

/** One file inside the encrypted entity. */
export interface PgpMimeAttachment {
  /** Neutral label such as "record-1.pdf": never the original file name (it may carry PHI). */
  filename: string;
  content: Buffer;
  /** MIME type, e.g. "application/pdf". */
  contentType: string;
}

/** One file inside the encrypted entity whose bytes are read in pieces while the message is written (a record file from the vault's chunks). */
export interface StreamedAttachment {
  /** Neutral label such as "record-1.pdf" (as {@link PgpMimeAttachment}). */
  filename: string;
  contentType: string;
  /** The file's size in bytes as stored (sizes the output buffer; the bytes read are what goes out). */
  sizeBytes: number;
  /** The bytes, in order; read once, when the message is written. Whatever it throws stops the composition. */
  chunks(): Iterable<Buffer>;
}

export interface PgpMimeInput {
  from: Mailbox;
  to: Mailbox;
  /** Visible in transit and in bounces: must be PHI-free, e.g. "Secure message from Qwerty Family Clinic". */
  subject: string;
  /** Plain-text body (inside the encryption). */
  textBody: string;
  /** Files in memory, or read in pieces ({@link StreamedAttachment}: never held whole). */
  attachments: Array<PgpMimeAttachment | StreamedAttachment>;
  /** The practice's armored, unprotected private key; signs the message. */
  signingKeyArmored: string;
  /** Armored public keys to encrypt to: the recipient's and the practice's own. */
  encryptionKeysArmored: string[];
  /** "<id@domain>"; generated from a random UUID and the From domain when absent. */
  messageId?: string;
  /** Date header, signature time and key-validity instant: pass the current time (keys are not valid before their creation). */
  date: Date;
  /**
   * A buffer kept between messages: the message is written into `scratch.buf` when it is large enough (and a larger
   * one is left there otherwise), so composing message after message reuses one allocation instead of leaving each
   * ~limit-sized buffer to the garbage collector. The returned `raw` is then a view of it, valid only until the next
   * message is built with the same scratch.
   */
  scratch?: { buf: Buffer | null } | undefined;
}

export interface PgpMimeMessage {
  /** The RFC 5322 message, CRLF line ends, 7bit. */
  raw: Buffer;
  /** The Message-ID header value, with angle brackets. */
  messageId: string;
}

/** Stands for the armored message while MimeNode lays out the parts (base64 never contains '#'). */
const ARMOR_SLOT = '#ReleaseDesk-armored-message-slot#';

// Control characters (CR, LF, NUL, ...) in a header value would let a value start a new header (RFC 5322 §2.2).
const CONTROL = /[\u0000-\u001f\u007f]/;
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;

/**
 * Build a signed-and-encrypted PGP/MIME message.
 *
 * Structure (RFC 3156 §4): `multipart/encrypted; protocol="application/pgp-encrypted"`
 * with a first part `application/pgp-encrypted` holding `Version: 1` and a
 * second `application/octet-stream` part holding the ASCII-armored OpenPGP
 * message. That OpenPGP message is signed and encrypted in one pass (RFC 3156
 * §6.2, "combined method") over the inner MIME entity, which nodemailer's
 * MailComposer builds (text part + attachments, base64), CRLF line ends.
 * All parts are 7bit; the result is pure ASCII.
 *
 * @returns the raw message (Buffer, CRLF) and its Message-ID.
 * @throws AppError INVALID_EMAIL — From or To address fails `validator.isEmail`;
 *   HEADER_INJECTION — a control character (CR/LF, ...) in a name, the subject,
 *   an attachment file name or content type, or a malformed Message-ID;
 *   VALIDATION_FAILED — no encryption key, or a subject that names the recipient;
 *   KEY_INVALID — a key that cannot be read or used (openpgp error not echoed).
 * @source RFC 3156 §4 and §6.2; RFC 5322 §3.6; 45 CFR 164.312(e)(2)(ii) (encryption in transit),
 *   164.312(c)(1) (integrity: the signature).
 */
export async function buildPgpMimeMessage(input: PgpMimeInput): Promise<PgpMimeMessage> {
  const { from, to, messageId } = checkOuterMessage(input);
  if (input.encryptionKeysArmored.length === 0) throw new AppError('VALIDATION_FAILED', 'There is no key to encrypt the message to.');
  const inner = await innerEntityPieces(input);

  const root = outerMessage('multipart/encrypted; protocol="application/pgp-encrypted"', { from, to, subject: input.subject, date: input.date, messageId });

  root
    .createChild('application/pgp-encrypted')
    .setHeader('Content-Description', 'PGP/MIME version identification')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent('Version: 1\r\n');
  root
    .createChild('application/octet-stream; name="encrypted.asc"')
    .setHeader('Content-Description', 'OpenPGP encrypted message')
    .setHeader('Content-Disposition', 'inline; filename="encrypted.asc"')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent(ARMOR_SLOT);

  // The armored message (CRLF, 7bit) is written where the slot is, straight into the finished message's one buffer:
  // MimeNode writes 7bit content as it is given, so the result is byte-identical to setContent(armored).
  const frame = await root.build();
  const at = frame.indexOf(ARMOR_SLOT);
  if (at < 0 || frame.indexOf(ARMOR_SLOT, at + 1) >= 0) throw new AppError('INTERNAL', 'The message could not be composed.');
  const raw = await signAndEncryptInto(inner, input.signingKeyArmored, input.encryptionKeysArmored, input.date, frame.subarray(0, at), frame.subarray(at + ARMOR_SLOT.length), input.scratch);
  return { raw, messageId };
}

/**
 * The checks every end-to-end encrypted message (PGP/MIME, S/MIME) makes before composing: both mailboxes valid
 * and free of control characters, a non-empty subject that does not name the recipient (it travels in the clear),
 * safe attachment names and content types, a well-formed Message-ID (generated from a random UUID when absent).
 * @returns the checked mailboxes and the Message-ID (with angle brackets)
 * @throws AppError INVALID_EMAIL | HEADER_INJECTION | VALIDATION_FAILED
 * @source RFC 5322 §2.2, §3.6.4
 */
export function checkOuterMessage(input: {
  from: Mailbox;
  to: Mailbox;
  subject: string;
  attachments: ReadonlyArray<{ filename: string; contentType: string }>;
  messageId?: string | undefined;
}): { from: Mailbox; to: Mailbox; messageId: string } {
  const from = checkMailbox(input.from, 'sender');
  const to = checkMailbox(input.to, 'recipient');
  checkHeaderValue(input.subject, 'subject');
  if (input.subject.trim() === '') throw new AppError('VALIDATION_FAILED', 'The subject must not be empty.');
  const subjectLower = input.subject.toLowerCase();
  if (subjectLower.includes(to.address.toLowerCase()) || (to.name.trim().length >= 3 && subjectLower.includes(to.name.trim().toLowerCase()))) {
    throw new AppError('VALIDATION_FAILED', 'The subject must not name the recipient: subjects travel unencrypted and appear in bounces.');
  }
  for (const a of input.attachments) {
    checkHeaderValue(a.filename, 'attachment file name');
    checkHeaderValue(a.contentType, 'attachment content type');
    if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(a.contentType)) {
      throw new AppError('VALIDATION_FAILED', 'An attachment has an invalid content type.');
    }
  }
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  const messageId = input.messageId ?? `<${randomUUID()}@${domain}>`;
  if (CONTROL.test(messageId) || !MESSAGE_ID.test(messageId)) {
    throw new AppError('HEADER_INJECTION', 'The message id is malformed.');
  }
  return { from, to, messageId };
}

/** Validate a mailbox: address per validator.isEmail, no control characters anywhere. */
function checkMailbox(m: Mailbox, role: 'sender' | 'recipient'): Mailbox {
  if (CONTROL.test(m.name) || CONTROL.test(m.address)) {
    throw new AppError('HEADER_INJECTION', `The ${role}'s name or address contains a line break or control character.`);
  }
  if (!isEmail(m.address)) {
    throw new AppError('INVALID_EMAIL', `The ${role}'s email address is not valid.`);
  }
  return { name: m.name, address: m.address };
}

function checkHeaderValue(v: string, what: string): void {
  if (CONTROL.test(v)) throw new AppError('HEADER_INJECTION', `The ${what} contains a line break or control character.`);
}

/**
 * The inner MIME entity (RFC 3156 §4: "the MIME body part to be encrypted"):
 * multipart/mixed with the text and the attachments, only Content-* headers
 * at the top (MailComposer's Message-ID/Date/MIME-Version are dropped:
 * they belong to the outer message). S/MIME (RFC 8551 §3.1) protects the same entity.
 * @returns the entity's bytes (CRLF)
 * @throws AppError INTERNAL when MailComposer's output has no header/body boundary
 */
export async function buildInnerEntity(input: { textBody: string; attachments: readonly PgpMimeAttachment[] }): Promise<Buffer> {
  const composer = new MailComposer({
    text: input.textBody,
    attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const built = await composer.compile().build();
  const split = built.indexOf('\r\n\r\n');
  if (split < 0) throw new AppError('INTERNAL', 'The message could not be composed.');
  const headerBlock = built.subarray(0, split).toString('latin1');
  // Unfold into logical headers (continuation lines start with space or tab), keep Content-*.
  const headers: string[] = [];
  for (const line of headerBlock.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += '\r\n' + line;
    else headers.push(line);
  }
  const kept = headers.filter((h) => /^content-/i.test(h)).join('\r\n');
  return Buffer.concat([Buffer.from(kept, 'latin1'), built.subarray(split)]);
}

/** Base64 line length of MailComposer's attachments (RFC 2045 §6.8: at most 76 characters), and the bytes one line holds. */
const B64_LINE = 76;
const B64_LINE_BYTES = 57;
/** Input bytes base64-encoded at a time (whole lines): about 77 KB of text, so each temporary string stays under V8's large-object size (young generation, cheap to collect). */
const B64_BLOCK_LINES = 1_000;

/**
 * The inner entity of {@link buildInnerEntity} as pieces, with its size, without holding a streamed attachment whole:
 * MailComposer lays out the parts with a one-line stand-in for each streamed attachment's content; each stand-in's base64 is
 * then replaced by the attachment's own base64, encoded as its chunks are read, in MailComposer's layout (76-character
 * lines, CRLF between them), so the bytes are identical to {@link buildInnerEntity}'s.
 * @returns the size in bytes and the pieces in order (iterate once)
 * @throws AppError INTERNAL when a stand-in cannot be found exactly once
 */
async function innerEntityPieces(input: { textBody: string; attachments: ReadonlyArray<PgpMimeAttachment | StreamedAttachment> }): Promise<{ size: number; pieces: () => Iterable<Buffer> }> {
  const streamed = input.attachments.filter((a): a is StreamedAttachment => !('content' in a));
  const slot = (i: number) => Buffer.from(`#ReleaseDesk-attachment-slot-${i}#`, 'latin1');
  let k = 0;
  const frame = await buildInnerEntity({
    textBody: input.textBody,
    attachments: input.attachments.map((a) => ('content' in a ? a : { filename: a.filename, contentType: a.contentType, content: slot(k++) })),
  });
  let at = 0;
  const cuts: Array<{ from: number; to: number }> = [];
  for (let i = 0; i < streamed.length; i++) {
    const b64 = Buffer.from(`\r\n\r\n${slot(i).toString('base64')}\r\n`, 'latin1');
    const found = frame.indexOf(b64, at);
    if (found < 0 || frame.indexOf(b64, found + 1) >= 0) throw new AppError('INTERNAL', 'The message could not be composed.');
    cuts.push({ from: found + 4, to: found + b64.length - 2 });
    at = found + b64.length;
  }
  const wrapped = (n: number) => (n === 0 ? 0 : Math.ceil(n / 3) * 4 + (Math.ceil(n / B64_LINE_BYTES) - 1) * 2);
  const size = frame.length + cuts.reduce((n, c, i) => n - (c.to - c.from) + wrapped(streamed[i]!.sizeBytes), 0);
  function* pieces(): Generator<Buffer> {
    let pos = 0;
    for (const [i, a] of streamed.entries()) {
      yield frame.subarray(pos, cuts[i]!.from);
      yield* base64Lines(a.chunks());
      pos = cuts[i]!.to;
    }
    yield frame.subarray(pos);
  }
  return { size, pieces };
}

/**
 * Base64 of the concatenated `chunks` in lines of 76 characters with CRLF between them (none after the last), as
 * MailComposer writes an attachment; in blocks of about 1 MiB, never holding the whole input.
 * @source RFC 2045 §6.8
 */
function* base64Lines(chunks: Iterable<Buffer>): Generator<Buffer> {
  let first = true;
  let carry: Buffer = Buffer.alloc(0);
  // The block's base64 text is written at the end of its output buffer, then each line moved forward to its place
  // (a line's place never lies after where its text is, nor reaches the next line's text) and CRLF put before it:
  // one buffer per block, no second copy of the text.
  const encode = (bytes: Buffer): Buffer => {
    const b64len = Math.ceil(bytes.length / 3) * 4;
    const lines = Math.ceil(b64len / B64_LINE);
    const lead = first ? 0 : 2;
    const out = Buffer.allocUnsafe(b64len + (lines - 1) * 2 + lead);
    const text = out.length - b64len;
    out.write(bytes.toString('base64'), text, 'latin1');
    let o = 0;
    for (let l = 0; l < lines; l++) {
      if (l > 0 || !first) {
        out[o++] = 13;
        out[o++] = 10;
      }
      const from = text + l * B64_LINE;
      const to = Math.min(out.length, from + B64_LINE);
      if (o !== from) out.copyWithin(o, from, to);
      o += to - from;
    }
    first = false;
    return out;
  };
  for (const chunk of chunks) {
    let rest = chunk;
    if (carry.length > 0) {
      const take = Math.min(B64_LINE_BYTES - carry.length, rest.length);
      carry = Buffer.concat([carry, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      if (carry.length < B64_LINE_BYTES) continue;
      yield encode(carry);
      carry = Buffer.alloc(0);
    }
    const whole = rest.length - (rest.length % B64_LINE_BYTES);
    for (let off = 0; off < whole; off += B64_LINE_BYTES * B64_BLOCK_LINES) yield encode(rest.subarray(off, Math.min(whole, off + B64_LINE_BYTES * B64_BLOCK_LINES)));
    if (whole < rest.length) carry = Buffer.from(rest.subarray(whole));
  }
  if (carry.length > 0) yield encode(carry);
}

/** Milliseconds of reading, base64 and encryption between two turns of the event loop (issue 16: p99 delay ≤ 50 ms). */
const FEED_MS_PER_TURN = 4;

/**
 * One-pass sign+encrypt (SEIPDv1, no AEAD: readable by GnuPG 2.2), ASCII-armored with CRLF line ends, written with
 * `head` before it and `tail` after it into ONE buffer sized from the plaintext's length (or `scratch.buf`, reused) (native writer,
 * fast-encrypt.ts; the plaintext is read piece by piece and the event loop gets a turn about every 8 ms). Key types the
 * native writer does not handle go through openpgp.js with the plaintext joined in memory.
 * @returns head + armored message + tail
 * @throws AppError KEY_INVALID (a key cannot be read or used); what reading the plaintext throws (passed on as is)
 */
async function signAndEncryptInto(
  inner: { size: number; pieces: () => Iterable<Buffer> },
  signingKeyArmored: string,
  encryptionKeysArmored: string[],
  date: Date,
  head: Buffer,
  tail: Buffer,
  scratch?: { buf: Buffer | null },
): Promise<Buffer> {
  let signingKey: openpgp.PrivateKey;
  let encryptionKeys: openpgp.Key[];
  try {
    signingKey = await openpgp.readPrivateKey({ armoredKey: signingKeyArmored });
    encryptionKeys = await Promise.all(encryptionKeysArmored.map((k) => openpgp.readKey({ armoredKey: k })));
  } catch {
    throw new AppError('KEY_INVALID', 'A key needed to encrypt or sign the message could not be read.');
  }
  let make: Awaited<ReturnType<typeof prepareEncryptAndSign>>;
  try {
    // Native bulk work (node:crypto) when the keys allow it; openpgp.js otherwise. Same packets.
    make = await prepareEncryptAndSign({ encryptionKeys, signingKey, filename: '', date, armor: true }, { crlf: true, partLog2: 16, reuseOutput: true });
  } catch (e) {
    throw encryptError(e);
  }
  if (!make) {
    let armored: string;
    try {
      const message = await openpgp.createMessage({ binary: Buffer.concat([...inner.pieces()]), format: 'binary', date });
      armored = await openpgp.encrypt({ message, encryptionKeys, signingKeys: signingKey, format: 'armored', date, config: GNUPG22_COMPATIBLE_CONFIG });
    } catch (e) {
      throw encryptError(e);
    }
    return Buffer.concat([head, Buffer.from(armored.replace(/\r?\n/g, '\r\n'), 'latin1'), tail]);
  }
  // Binary message ≤ plaintext + 1/1024 (partial-length headers) + 16 KiB (session-key packets, signature, MDC);
  // armor: 64 characters + CRLF per 48 bytes, plus its header and checksum lines.
  const binaryBound = inner.size + (inner.size >> 10) + 16384;
  const need = head.length + Math.ceil(binaryBound / 48) * 66 + 256 + tail.length;
  let out = scratch?.buf && scratch.buf.length >= need ? scratch.buf : Buffer.allocUnsafe(need);
  let o = head.copy(out, 0);
  const put = (b: Buffer) => {
    if (o + b.length > out.length) {
      // Never expected (the bound holds); grow rather than fail.
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, o + b.length + tail.length));
      out.copy(bigger, 0, 0, o);
      out = bigger;
    }
    o += b.copy(out, o);
  };
  const w = make(put);
  let turnStart = performance.now();
  for (const piece of inner.pieces()) {
    w.update(piece);
    if (performance.now() - turnStart >= FEED_MS_PER_TURN) {
      await new Promise((r) => setImmediate(r));
      turnStart = performance.now();
    }
  }
  await w.end();
  put(tail);
  if (scratch) scratch.buf = out;
  return out.subarray(0, o);
}

/** openpgp's error while preparing or writing -> KEY_INVALID (its text may quote a key id: never passed on). */
function encryptError(e: unknown): AppError {
  const revokedOrExpired = e instanceof Error && /revoked|expired/i.test(e.message);
  return new AppError('KEY_INVALID', 'The message could not be encrypted: one of the keys cannot be used (revoked, expired or unsuitable).', {
    stage: 'encrypt',
    revokedOrExpired,
  });
}
