/**
 * Composition of the email messages of a release for each email delivery method
 * (issue #4): password-protected PDF, unencrypted (TLS-only) email at the
 * individual's request, and OpenPGP PGP/MIME — each split into "part k of n"
 * messages under a per-message size limit, each message openable on its own.
 *
 * What every outer header carries: From (practice name and address), To (the
 * address only: the recipient's display name may be the patient's), a PHI-free
 * Subject, Date, Message-ID, MIME headers. File names carry only the release
 * reference. The passphrase of a password PDF never appears in any message.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import isEmail from 'validator/lib/isEmail';
import { AppError } from '../../../shared/errors';
import { DEFAULT_PART_LIMIT_BYTES } from '../packaging/split';
import {
  filesOfPart,
  openLockedLines,
  partLines,
  preparePacketFiles,
  requireReference,
  verifyLines,
  type PreparedPacket,
  type PreparedPart,
} from './packet-files';
import { buildPgpMimeMessage, type Mailbox } from './pgpmime';

export * from './compose-types';
import type { ComposePacketInput, ComposePasswordPdfInput, ComposeTlsOnlyInput, ComposedMessage, ComposedPartInfo, ComposedRelease } from './compose-types';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** The outer headers of an end-to-end encrypted message, after checkOuterMessage (pgpmime.ts). */
export interface CheckedOuterHeaders {
  from: Mailbox;
  to: Mailbox;
  /** PHI-free (checked). */
  subject: string;
  /** Date header. */
  date: Date;
  /** With angle brackets (checked). */
  messageId: string;
}

/**
 * The outer MIME node of a PGP/MIME or S/MIME message: `contentType` and the same headers in the clear for both —
 * From, To, Subject, Date, Message-ID, MIME-Version — CRLF line ends, no file or URL access. The caller adds the
 * body (PGP/MIME: the two RFC 3156 parts; S/MIME: the base64 CMS object) and builds it.
 * @param contentType the top-level Content-Type with its parameters
 * @param checked mailboxes, subject and Message-ID as returned by checkOuterMessage (never unchecked input)
 * @returns a nodemailer MimeNode (root)
 * @source RFC 5322 §3.6; RFC 2045 §4 (MIME-Version); RFC 3156 §4; RFC 8551 §3.3
 */
export function outerMessage(contentType: string, checked: CheckedOuterHeaders): MimeNode {
  const root = new MimeNode(contentType, { newline: 'win', disableFileAccess: true, disableUrlAccess: true });
  root.setHeader('From', { name: checked.from.name, address: checked.from.address });
  root.setHeader('To', { name: checked.to.name, address: checked.to.address });
  root.setHeader('Subject', checked.subject);
  root.setHeader('Date', checked.date);
  root.setHeader('Message-ID', checked.messageId);
  root.setHeader('MIME-Version', '1.0');
  return root;
}

/**
 * Compose a password-protected-PDF release: the packet is split under `limitBytes`, every part is
 * encrypted with AES-256 (R6) under the same `passphrase`, each part file is signed (detached
 * `.sig`), and each message (multipart/mixed, built by nodemailer's MailComposer) carries one part,
 * its signature, the manifest JSON with its signature and the practice public key. Subject:
 * "Secure message from <practice>" plus " (part k of n)" when split. The body says the PDF is locked,
 * that the passphrase comes by phone, SMS or in person, how to open it and how to verify it.
 *
 * The passphrase is never written into a message; each composed message is checked for it
 * (raw bytes and decoded text body).
 *
 * @returns messages in part order and what each holds; the manifest with parts
 * @throws AppError INVALID_EMAIL / HEADER_INJECTION (addresses, practice name); VALIDATION_FAILED
 *   (reference, passphrase length, manifest mismatch, limit too small); PACKET_PAGE_TOO_LARGE;
 *   PDF_ENCRYPTION_FAILED; KEY_INVALID; SIGNING_FAILED; INTERNAL if the passphrase were found in a message
 * @source 45 CFR 164.312(e)(2)(ii) (encryption in transit), 164.312(c)(1) (integrity);
 *   ISO 32000-2 §7.6.4 (AES-256); RFC 2046 §5.1.3 (multipart/mixed); RFC 5322 §3.6
 */
export async function composePasswordPdfMessages(input: ComposePasswordPdfInput): Promise<ComposedRelease> {
  checkParties(input);
  if (input.passphrase.length === 0) throw new AppError('VALIDATION_FAILED', 'The passphrase must not be empty.');
  const prepared = await preparePacketFiles({ ...prepareArgs(input), passphrase: input.passphrase });
  const result = await composePacketMessages(input, prepared, `Secure message from ${input.practiceName}`, (part) => [
    `${input.practiceName} sends you the records of release ${prepared.reference}.`,
    '',
    ...partLines(prepared, part, 'message'),
    ...openLockedLines(input.practiceName, [part.file.name], part.of > 1),
    ...verifyLines(prepared, part, input.practiceName),
    'If you did not expect this message, please delete it and call the practice.',
  ]);
  const needle = Buffer.from(input.passphrase, 'utf8');
  for (const m of result.messages) {
    if (m.raw.includes(needle) || decodedText(m.raw).includes(input.passphrase)) {
      throw new AppError('INTERNAL', 'The message could not be composed safely.', { check: 'passphrase-in-message' });
    }
  }
  return result;
}

/**
 * Compose an unencrypted (TLS-only) release at the individual's request: the same parts, signatures,
 * manifest and key as {@link composePasswordPdfMessages}, but the part PDFs are not password-protected,
 * and the body says plainly that the message was sent unencrypted at the patient's request.
 * Subject: "Message from <practice>" (+ " (part k of n)").
 *
 * @param input.unencrypted the recorded decision; refused unless `allowed` and an acknowledgment id is present
 * @throws AppError UNENCRYPTED_NOT_ACKNOWLEDGED when the decision is absent, not allowed or has no
 *   acknowledgment id; otherwise as {@link composePasswordPdfMessages}
 * @source 45 CFR 164.524(c)(2)(ii) and HHS guidance (unencrypted email at the individual's request
 *   after a warning); 164.312(c)(1) (signatures)
 */
export async function composeTlsOnlyMessages(input: ComposeTlsOnlyInput): Promise<ComposedRelease> {
  const u = input.unencrypted;
  if (!u || !u.allowed || typeof u.acknowledgmentId !== 'string' || u.acknowledgmentId.trim() === '') {
    throw new AppError(
      'UNENCRYPTED_NOT_ACKNOWLEDGED',
      'Unencrypted email needs the patient\'s recorded choice after the risk warning. Record it first, or choose an encrypted method.',
    );
  }
  checkParties(input);
  const prepared = await preparePacketFiles({ ...prepareArgs(input), passphrase: null });
  return composePacketMessages(input, prepared, `Message from ${input.practiceName}`, (part) => [
    `${input.practiceName} sends you the records of release ${prepared.reference}.`,
    '',
    'Please note: as you asked, this email was sent WITHOUT encryption of its content. It was protected only',
    'on its way to your email provider (TLS), and email providers may be able to read it. If you did not ask',
    'for unencrypted email, please call the practice.',
    '',
    ...partLines(prepared, part, 'message'),
    `The PDF file "${part.file.name}" is not locked: open it with any PDF reader.`,
    '',
    ...verifyLines(prepared, part, input.practiceName),
    'If you did not expect this message, please delete it and call the practice.',
  ]);
}

/** Default raw-attachment limit for PGP/MIME: the attachments are base64 inside the ciphertext, then armored (base64 again), so 18 MB × 3/4 × 64/65 ≈ 13.29 MB. */
export const PGP_MIME_DEFAULT_LIMIT_BYTES = Math.floor((DEFAULT_PART_LIMIT_BYTES * 3 * 64) / (4 * 65));

/** Input of {@link composePgpMimeMessages}. */
export interface ComposePgpMimeInput {
  from: Mailbox;
  /** Recipient address only. */
  to: string;
  practiceName: string;
  reference: string;
  /** Files to send (inside the encryption), in order; file names PHI-free ([A-Za-z0-9._-]). */
  files: Array<{ filename: string; content: Buffer; contentType: string }>;
  /** Optional manifest JSON, attached to every message (inside the encryption) as manifest.json. */
  manifestJson?: Uint8Array;
  signingKeyArmored: string;
  /** The recipient's and the practice's public keys. */
  encryptionKeysArmored: string[];
  /** Raw attachment bytes per message; default {@link PGP_MIME_DEFAULT_LIMIT_BYTES}. */
  limitBytes?: number;
  /** Date header and signature time; default now. */
  date?: Date;
  /** Files attached to EVERY message after its share of `files` (e.g. the practice public key); not counted against the limit's file grouping. */
  alwaysAttach?: Array<{ filename: string; content: Buffer; contentType: string }>;
  /** The encrypted body of message `part` of `of` carrying `files` (default: a neutral text naming the files). */
  bodyFor?: (part: number, of: number, files: string[]) => string;
}

/**
 * Group files, in order, into messages whose raw bytes stay at or under `room` (PGP/MIME and S/MIME send the files
 * themselves and never split one file). `sizeOf` gives a file's bytes (default: its `content` length), so files can
 * be grouped by their stored size before they are read.
 * @throws AppError ATTACHMENT_TOO_LARGE when one file alone exceeds `room` (detail: fileIndex, bytes, limitBytes)
 */
export function groupFilesUnderLimit<F>(files: readonly F[], room: number, sizeOf: (f: F) => number = (f) => (f as { content: Buffer }).content.length): F[][] {
  const groups: F[][] = [];
  let current: F[] = [];
  let size = 0;
  for (const [i, f] of files.entries()) {
    const bytes = sizeOf(f);
    if (bytes > room) {
      throw new AppError(
        'ATTACHMENT_TOO_LARGE',
        'One file is larger than an encrypted email can carry. Send it as a password-protected PDF (split into parts) or export it to a drive.',
        { fileIndex: i + 1, bytes, limitBytes: room },
      );
    }
    if (current.length > 0 && size + bytes > room) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += bytes;
  }
  groups.push(current);
  return groups;
}

/**
 * Compose a PGP/MIME release (RFC 3156, via buildPgpMimeMessage): the files are grouped, in order,
 * into messages whose raw attachments (files + manifest) stay at or under `limitBytes`; each message
 * is signed and encrypted on its own and says "part k of n" in its subject and (encrypted) body.
 * A single file larger than the limit is refused: PGP/MIME does not split files; the password PDF
 * (which splits by pages) or export can carry it.
 *
 * @throws AppError ATTACHMENT_TOO_LARGE (one file over the limit); VALIDATION_FAILED (no files, bad
 *   file name or reference); and everything buildPgpMimeMessage throws (INVALID_EMAIL, HEADER_INJECTION, KEY_INVALID)
 * @source RFC 3156 §4, §6.2; 45 CFR 164.312(e)(2)(ii)
 */
export async function composePgpMimeMessages(input: ComposePgpMimeInput): Promise<ComposedRelease> {
  const lazy = composePgpMimeMessagesOneByOne({
    ...input,
    files: input.files.map((f) => ({ filename: f.filename, contentType: f.contentType, sizeBytes: f.content.length, read: () => f.content })),
  });
  const messages: ComposedMessage[] = [];
  for await (const m of lazy.messages) messages.push(m);
  return { messages, parts: lazy.parts };
}

/** A file of a PGP/MIME release read only when its message is composed (a record file in the vault's chunks). */
export interface LazyFile {
  filename: string;
  contentType: string;
  /** The stored size in bytes (what the grouping counts). */
  sizeBytes: number;
  /** The bytes, read when the message carrying the file is composed. */
  read(): Buffer;
  /**
   * The bytes in pieces (the vault's stored chunks), read while the message is written: used instead of `read` when
   * given, so the file is never held whole.
   */
  chunks?: (() => Iterable<Buffer>) | undefined;
}

/**
 * {@link composePgpMimeMessages} one message at a time, for releases of any size: the files are grouped by their
 * stored sizes up front (so the number of messages and what each carries are known before anything is read), and
 * each message is composed — its files read, encrypted, signed — only when the caller asks for it. Holding one
 * message at a time, memory is bounded by the per-message limit, not by the release; files given with `chunks` are
 * read piece by piece into the message being written (one buffer per message, no whole-file copies).
 * @returns the parts (what goes in which message) and the messages, composed in order as they are iterated
 * @throws AppError as composePgpMimeMessages: the grouping and name checks at once; key and composition errors
 *   while iterating
 * @source RFC 3156 §4, §6.2; 45 CFR 164.312(e)(2)(ii)
 */
export function composePgpMimeMessagesOneByOne(
  input: Omit<ComposePgpMimeInput, 'files'> & {
    files: LazyFile[];
    /**
     * Write every message into one buffer reused from message to message (pgpmime.ts `scratch`): each message's `raw`
     * is then valid only until the next one is asked for — for a caller that stores each message before the next
     * (the send workflow's stageMessages), so a release holds one message buffer, not one per message awaiting GC.
     */
    reuseBuffer?: boolean;
  },
): {
  parts: ComposedPartInfo[];
  messages: AsyncGenerator<ComposedMessage>;
} {
  const reference = requireReference(input.reference);
  checkPracticeName(input.practiceName);
  if (input.files.length === 0) throw new AppError('VALIDATION_FAILED', 'There are no files to send.');
  for (const f of input.files) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(f.filename)) {
      throw new AppError('VALIDATION_FAILED', 'An attachment name may only use letters, digits, dots, dashes and underscores (no names of people).');
    }
  }
  const limit = input.limitBytes ?? PGP_MIME_DEFAULT_LIMIT_BYTES;
  const room = limit - (input.manifestJson?.length ?? 0) - (input.alwaysAttach ?? []).reduce((n, a) => n + a.content.length, 0);
  const groups = groupFilesUnderLimit(input.files, room, (f) => f.sizeBytes);
  const date = input.date ?? new Date();
  const of = groups.length;
  const extra = [
    ...(input.manifestJson ? [{ filename: 'manifest.json', content: Buffer.from(input.manifestJson), contentType: 'application/json' }] : []),
    ...(input.alwaysAttach ?? []),
  ];
  const parts = groups.map((group, i) => ({ part: i + 1, of, files: [...group.map((f) => f.filename), ...extra.map((a) => a.filename)] }));

  const scratch = input.reuseBuffer ? { buf: null as Buffer | null } : undefined;
  async function* messages(): AsyncGenerator<ComposedMessage> {
    for (const [i, group] of groups.entries()) {
      const part = i + 1;
      const attachments = [
        ...group.map((f) =>
          f.chunks
            ? { filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes, chunks: f.chunks }
            : { filename: f.filename, content: f.read(), contentType: f.contentType },
        ),
        ...extra,
      ];
      const custom = input.bodyFor?.(part, of, group.map((f) => f.filename));
      const textBody = custom ?? [
        `${input.practiceName} sends you the records of release ${reference}.`,
        '',
        ...(of > 1 ? [`This is message ${part} of ${of}. The records were too large for one email; each message can be read on its own.`, ''] : []),
        `Attached in this message: ${group.map((f) => f.filename).join(', ')}.`,
        '',
        'This message was encrypted to your OpenPGP key and signed by the practice key.',
        'Your mail program or GnuPG shows whether the signature is valid.',
      ].join('\n');
      const built = await buildPgpMimeMessage({
        from: input.from,
        to: { name: '', address: input.to },
        subject: withPart(`Secure message from ${input.practiceName}`, part, of),
        textBody,
        attachments,
        signingKeyArmored: input.signingKeyArmored,
        encryptionKeysArmored: input.encryptionKeysArmored,
        date,
        scratch,
      });
      yield { raw: built.raw, messageId: built.messageId, part, of, attachments: parts[i]!.files };
    }
  }
  return { parts, messages: messages() };
}

function prepareArgs(input: ComposePacketInput) {
  return {
    reference: input.reference,
    packetPdf: input.packetPdf,
    manifest: input.manifest,
    practiceSigningKeyArmored: input.practiceSigningKeyArmored,
    ...(input.practiceSigningKeyPassphrase !== undefined ? { practiceSigningKeyPassphrase: input.practiceSigningKeyPassphrase } : {}),
    limitBytes: input.limitBytes ?? DEFAULT_PART_LIMIT_BYTES,
    ...(input.assetsRoot !== undefined ? { assetsRoot: input.assetsRoot } : {}),
    ...(input.packaging ? { packaging: input.packaging } : {}),
  };
}

async function composePacketMessages(
  input: ComposePacketInput,
  prepared: PreparedPacket,
  baseSubject: string,
  body: (part: PreparedPart) => string[],
): Promise<ComposedRelease> {
  const date = input.date ?? new Date();
  const domain = input.from.address.slice(input.from.address.lastIndexOf('@') + 1);
  const messages: ComposedMessage[] = [];
  for (const part of prepared.parts) {
    const files = filesOfPart(prepared, part);
    const messageId = `<${randomUUID()}@${domain}>`;
    const composer = new MailComposer({
      from: { name: input.from.name, address: input.from.address },
      to: [{ name: '', address: input.to }],
      subject: withPart(baseSubject, part.part, part.of),
      date,
      messageId,
      text: body(part).join('\n'),
      attachments: files.map((f) => ({ filename: f.name, content: Buffer.from(f.bytes), contentType: f.contentType })),
      newline: 'windows',
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const raw = await composer.compile().build();
    messages.push({ raw, messageId, part: part.part, of: part.of, attachments: files.map((f) => f.name) });
  }
  return {
    messages,
    parts: prepared.parts.map((p) => ({ part: p.part, of: p.of, firstPage: p.firstPage, lastPage: p.lastPage, files: filesOfPart(prepared, p).map((f) => f.name) })),
    manifest: prepared.manifestData,
  };
}

/** The subject of part `part` of `of` (unchanged for a single message). */
export function withPart(subject: string, part: number, of: number): string {
  return of > 1 ? `${subject} (part ${part} of ${of})` : subject;
}

function checkPracticeName(name: string): void {
  if (CONTROL.test(name)) throw new AppError('HEADER_INJECTION', 'The practice name contains a line break or control character.');
  if (name.trim() === '') throw new AppError('VALIDATION_FAILED', 'The practice name must not be empty.');
}

function checkParties(input: { from: Mailbox; to: string; practiceName: string; reference: string }): void {
  requireReference(input.reference);
  checkPracticeName(input.practiceName);
  for (const [role, v] of [['sender', input.from.address], ['sender', input.from.name], ['recipient', input.to]] as const) {
    if (CONTROL.test(v)) throw new AppError('HEADER_INJECTION', `The ${role}'s name or address contains a line break or control character.`);
  }
  if (!isEmail(input.from.address)) throw new AppError('INVALID_EMAIL', "The sender's email address is not valid.");
  if (!isEmail(input.to)) throw new AppError('INVALID_EMAIL', "The recipient's email address is not valid.");
}

/** The text parts of a MailComposer message, decoded from quoted-printable (for the passphrase check). */
function decodedText(raw: Buffer): string {
  const s = raw.toString('latin1');
  return s.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
