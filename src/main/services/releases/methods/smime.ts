import { AppError } from '../../../../shared/errors';
import { formatFingerprint } from '../../../../shared/fingerprint';
import type { ReleaseNotice } from '../../../../shared/compliance';
import type { DocumentSummaryT } from '../../../../shared/contract';
import { groupFilesUnderLimit, withPart, type ComposedMessage } from '../../delivery/compose';
import { buildSmimeMessage } from '../../smime/message';
import type { MethodInput, PreparedMessages } from './types';

/**
 * S/MIME 4.0 (RFC 8551): the record files themselves (byte-exact, neutral names) in the same inner entity as
 * PGP/MIME, signed by the practice certificate, then encrypted (AES-256-CBC, or AES-256-GCM AuthEnvelopedData with
 * RSA-OAEP when staff recorded that the recipient's program reads it: smime/cms.ts) to the recipient's confirmed
 * certificate AND the practice's own certificate (so the practice can read what it sent); split by files into
 * "part k of n" messages when they exceed the per-message limit. The workflow checked the recipient certificate at
 * this moment and made the practice certificate at first use (SmimeService.forSend) before calling this.
 * @returns the messages; `recipientKeyFingerprint` is the certificate's SHA-256 fingerprint (64 hex)
 * @throws AppError RELEASE_NOT_READY (no certificate input) | ATTACHMENT_TOO_LARGE | SMIME_ENCRYPTION_FAILED | VALIDATION_FAILED
 * @source RFC 8551 §3.7 (signed then enveloped); RFC 5652; 45 CFR 164.312(e)(2)(ii), 164.312(c)(1)
 */
export async function composeSmime(m: MethodInput): Promise<PreparedMessages> {
  const s = m.smime;
  if (!s) throw new AppError('RELEASE_NOT_READY', 'The recipient has no confirmed S/MIME certificate. Choose another delivery method, or import and confirm it.');
  const docs = m.gate.docs;
  const files = [
    ...docs.map((d) => ({ filename: d.label, content: m.readDocument(d.id), contentType: 'application/pdf' })),
    ...m.scopeSheets.map((sh) => ({ filename: sh.filename, content: sh.bytes, contentType: 'application/pdf' })),
  ];
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', 'There are no files to send.');
  // base64 inside the CMS, then base64 of the CMS: about (4/3)² of the raw files.
  const groups = groupFilesUnderLimit(files, Math.floor((m.limitBytes * 9) / 16));
  const of = groups.length;
  const messages: ComposedMessage[] = [];
  for (const [i, group] of groups.entries()) {
    const part = i + 1;
    const names = group.map((f) => f.filename);
    const here = docs.filter((d) => names.includes(d.label));
    const body = smimeInnerBody(m.practice.name, m.reference, here, m.gate.decision.notices, s.practice.fingerprint, s.practice.selfSigned);
    const built = await buildSmimeMessage({
      from: { name: m.practice.senderName, address: m.practice.senderEmail },
      to: { name: '', address: m.recipient.email },
      subject: withPart(`Secure message from ${m.practice.name}`, part, of),
      textBody: of > 1 ? `This is message ${part} of ${of}; each message can be read on its own.\r\n\r\n${body}` : body,
      attachments: group,
      signer: s.practice,
      recipientCertsPem: [s.recipientCertPem, s.practice.certPem],
      date: m.now,
      encryption: s.encryption,
    });
    messages.push({ raw: built.raw, messageId: built.messageId, part, of, attachments: names });
  }
  return { messages, packetSha256: null, recipientKeyFingerprint: s.recipientFingerprint, passphrase: null };
}

/**
 * Inner (encrypted) body of an S/MIME release: what was sent and how to check the signature — with a self-made
 * practice certificate, the SHA-256 fingerprint to compare by phone. No PHI beyond the reference.
 */
export function smimeInnerBody(
  practiceName: string,
  reference: string,
  docs: DocumentSummaryT[],
  notices: readonly ReleaseNotice[],
  practiceCertFingerprint: string,
  selfSigned: boolean,
): string {
  return [
    `${practiceName} sends you the records of release ${reference}.`,
    '',
    `Attached: ${docs.length} PDF file(s).`,
    ...docs.map((d) => `- ${d.label}: ${d.pageCount} page(s), SHA-256 ${d.sha256}`),
    '',
    'This message was encrypted to your S/MIME certificate and signed with the practice certificate.',
    ...(selfSigned
      ? [
          'The practice certificate was not issued by a certificate authority, so your mail program may show the signature',
          'as not trusted. Its SHA-256 fingerprint must be:',
          `  ${formatFingerprint(practiceCertFingerprint)}`,
          'Compare it with the fingerprint the practice gives you by phone or in person before you trust it.',
        ]
      : ['Your mail program shows whether the signature is valid.']),
    'If you received this message by mistake, please tell the practice and delete it.',
    ...notices.flatMap((n) => ['', n.title.toUpperCase(), n.text]),
  ].join('\r\n');
}
