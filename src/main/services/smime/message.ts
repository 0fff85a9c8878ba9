/**
 * S/MIME message composition (RFC 8551): the same inner MIME entity as PGP/MIME (text + the record files,
 * built by delivery/pgpmime.ts), signed by the practice certificate and then encrypted to the recipient's and the
 * practice's certificates, as one `application/pkcs7-mime; smime-type=enveloped-data` message.
 *
 * What travels in the clear: From, To, Subject (PHI-free, checked), Date, Message-ID and the MIME header of the
 * encrypted body. Everything else is inside the EnvelopedData.
 */
import { outerMessage } from '../delivery/compose';
import { buildInnerEntity, checkOuterMessage, type Mailbox, type PgpMimeAttachment } from '../delivery/pgpmime';
import { signThenEnvelope, type CmsSigner, type SmimeContentEncryption } from './cms';

export interface SmimeInput {
  from: Mailbox;
  to: Mailbox;
  /** PHI-free; must not name the recipient. */
  subject: string;
  /** Plain text inside the encryption. */
  textBody: string;
  attachments: PgpMimeAttachment[];
  /** The practice certificate and key: signs. */
  signer: CmsSigner;
  /** Certificates (PEM) to encrypt to: the recipient's and the practice's own. */
  recipientCertsPem: string[];
  messageId?: string;
  /** Date header and signingTime. */
  date: Date;
  /** 'cbc' (default, EnvelopedData) or 'gcm-oaep' (AuthEnvelopedData: the recipient's program reads it). */
  encryption?: SmimeContentEncryption;
}

/**
 * Build a signed-then-encrypted S/MIME message.
 * @returns the raw message (CRLF, 7bit: the body is base64) and its Message-ID (with angle brackets)
 * @throws AppError INVALID_EMAIL | HEADER_INJECTION | VALIDATION_FAILED (see checkOuterMessage) | SMIME_ENCRYPTION_FAILED
 * @source RFC 8551 §3.3 (application/pkcs7-mime), §3.4 (authEnveloped-data), §3.7 (signing and encrypting); RFC 5322 §3.6; 45 CFR 164.312(e)(2)(ii), 164.312(c)(1)
 */
export async function buildSmimeMessage(input: SmimeInput): Promise<{ raw: Buffer; messageId: string }> {
  const { from, to, messageId } = checkOuterMessage(input);
  const inner = await buildInnerEntity(input);
  const mode = input.encryption ?? 'cbc';
  const der = await signThenEnvelope(inner, input.signer, input.recipientCertsPem, input.date, mode);
  // RFC 8551 §3.4: smime-type=authEnveloped-data for AuthEnvelopedData.
  const smimeType = mode === 'cbc' ? 'enveloped-data' : 'authEnveloped-data';
  const root = outerMessage(`application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`, { from, to, subject: input.subject, date: input.date, messageId });
  root.setHeader('Content-Disposition', 'attachment; filename="smime.p7m"');
  root.setHeader('Content-Transfer-Encoding', 'base64');
  root.setContent(der);
  const raw = await root.build();
  return { raw, messageId };
}
