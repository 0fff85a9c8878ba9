import { AppError } from '../../../../shared/errors';
import { composePgpMimeMessagesOneByOne } from '../../delivery/compose';
import { inspectRecipientKey } from '../../openpgp/keys';
import type { ReleaseNotice } from '../../../../shared/compliance';
import type { DocumentSummaryT } from '../../../../shared/contract';
import { formatFingerprint } from '../../../../shared/fingerprint';
import type { MethodInput, PreparedMessages } from './types';

/**
 * OpenPGP PGP/MIME (RFC 3156): the record files themselves (byte-exact, neutral names), the practice public key
 * inside every message, signed by the practice and encrypted to the recipient and the practice; split by files
 * into "part k of n" messages when they exceed the per-message limit.
 * @throws AppError RELEASE_NOT_READY (no key) | KEY_NOT_CONFIRMED | KEY_* (key no longer usable) | ATTACHMENT_TOO_LARGE
 * @source RFC 3156 §4, §6.2; 45 CFR 164.312(e)(2)(ii)
 */
export async function composePgpMime(m: MethodInput): Promise<PreparedMessages> {
  const r = m.recipient;
  if (!r.keyArmored || !r.keyFingerprint) throw new AppError('RELEASE_NOT_READY', 'The recipient has no OpenPGP key. Choose another delivery method, or add their key.');
  if (!r.fingerprintConfirmed) throw new AppError('KEY_NOT_CONFIRMED', "Confirm the recipient's key fingerprint with them by phone or in person before sending.");
  await inspectRecipientKey(r.keyArmored, m.now);
  const docs = m.gate.docs;
  // One message at a time: files are grouped by their stored sizes, and read from the vault (its chunks) only when
  // their message is composed; the workflow stores each message before the next is made.
  const composed = composePgpMimeMessagesOneByOne({
    from: { name: m.practice.senderName, address: m.practice.senderEmail },
    to: r.email,
    practiceName: m.practice.name,
    reference: m.reference,
    files: [
      ...docs.map((d) => ({
        filename: d.label,
        sizeBytes: d.sizeBytes,
        read: () => m.readDocument(d.id),
        chunks: m.readDocumentChunks ? () => m.readDocumentChunks!(d.id) : undefined,
        contentType: 'application/pdf',
      })),
      ...m.scopeSheets.map((sh) => ({ filename: sh.filename, sizeBytes: sh.bytes.length, read: () => sh.bytes, contentType: 'application/pdf' })),
    ],
    alwaysAttach: [practiceKeyAttachment(m.practiceKey.armoredPublic)],
    bodyFor: (part, of, files) => {
      const here = docs.filter((d) => files.includes(d.label));
      const body = innerBody(m.practice.name, m.reference, here, m.gate.decision.notices, m.practiceKey.fingerprint);
      return of > 1 ? `This is message ${part} of ${of}; each message can be read on its own.\r\n\r\n${body}` : body;
    },
    signingKeyArmored: m.practiceKey.armoredPrivate,
    encryptionKeysArmored: [r.keyArmored, m.practiceKey.armoredPublic],
    // Base64 and ASCII armor grow the files by about 4/3 × 65/64: keep the finished message under the limit.
    limitBytes: Math.floor((m.limitBytes * 3 * 64) / (4 * 65)),
    date: m.now,
    // The workflow stores each message before it asks for the next: one message buffer serves the whole release.
    reuseBuffer: true,
  });
  return { messages: [], oneByOne: { of: composed.parts.length, messages: composed.messages }, packetSha256: null, recipientKeyFingerprint: r.keyFingerprint, passphrase: null };
}

/** File name of the practice public key attached inside every PGP/MIME release. */
export const PRACTICE_KEY_FILENAME = 'practice-key.asc';

/**
 * The practice's armored OpenPGP PUBLIC key as an attachment of the encrypted entity
 * (`application/pgp-keys`, RFC 3156 §7), so a recipient can import it and check the signature.
 * @param armoredPublic the practice's armored public key (never the private key).
 */
export function practiceKeyAttachment(armoredPublic: string): { filename: string; content: Buffer; contentType: string } {
  if (/PRIVATE KEY BLOCK/.test(armoredPublic)) throw new AppError('INTERNAL', 'Only the practice public key may be attached.');
  return { filename: PRACTICE_KEY_FILENAME, content: Buffer.from(armoredPublic, 'utf8'), contentType: 'application/pgp-keys' };
}

/**
 * Inner (encrypted) body: what was sent and how to check it, and any notice the
 * release must carry (e.g. 42 CFR 2.32 with Part 2 records). No PHI beyond the reference.
 * With `practiceKeyFingerprint` (40 hex) it explains how to import the attached practice key
 * and which fingerprint (grouped by four) to expect.
 */
export function innerBody(
  practiceName: string,
  reference: string,
  docs: DocumentSummaryT[],
  notices: readonly ReleaseNotice[] = [],
  practiceKeyFingerprint?: string,
): string {
  const lines = [
    `${practiceName} sends you the records of release ${reference}.`,
    '',
    `Attached: ${docs.length} PDF file(s).`,
    ...docs.map((d) => `- ${d.label}: ${d.pageCount} page(s), SHA-256 ${d.sha256}`),
    '',
    'This message was encrypted to your OpenPGP key and signed by the practice key.',
    ...(practiceKeyFingerprint
      ? [
          `The practice public key is attached as ${PRACTICE_KEY_FILENAME}. To check the signature, import it once`,
          `(GnuPG: gpg --import ${PRACTICE_KEY_FILENAME}; or open it with your mail program's key manager).`,
          'Its fingerprint must be:',
          `  ${formatFingerprint(practiceKeyFingerprint)}`,
          'Compare it with the fingerprint the practice gives you by phone or in person before you trust it.',
          'Your mail program or GnuPG then shows whether the signature is valid.',
        ]
      : ['Your mail program or GnuPG shows whether the signature is valid.']),
    'If you received this message by mistake, please tell the practice and delete it.',
    ...notices.flatMap((n) => ['', n.title.toUpperCase(), n.text]),
  ];
  return lines.join('\r\n');
}

