import { composePasswordPdfMessages } from '../../delivery/compose';
import { generateSpokenPassphrase } from '../../packaging';
import { packetComposeInput, type MethodInput, type PreparedMessages } from './types';

/**
 * Password-protected PDF: the stamped packet, AES-256 (R6), split by pages under the limit, signed; ONE fresh
 * spoken passphrase for all parts, returned once to staff (never stored, logged or emailed). A retry sends the
 * stored messages, so the passphrase never changes for a release once prepared.
 * @throws packaging errors (PDF_*, PACKET_PAGE_TOO_LARGE, PDF_ENCRYPTION_FAILED, SIGNING_FAILED)
 * @source 45 CFR 164.312(e)(2)(ii), 164.312(a)(2)(iv); NIST SP 800-111
 */
export async function composePasswordPdf(m: MethodInput): Promise<PreparedMessages> {
  const packet = await m.assemble();
  const passphrase = generateSpokenPassphrase().passphrase;
  const composed = await composePasswordPdfMessages({ ...packetComposeInput(m, packet), passphrase });
  return { messages: composed.messages, packetSha256: packet.manifest.packetSha256, recipientKeyFingerprint: '', passphrase };
}
