import { composeTlsOnlyMessages } from '../../delivery/compose';
import { packetComposeInput, type MethodInput, type PreparedMessages } from './types';

/**
 * Unencrypted email over verified TLS, only at the individual's recorded request after the risk warning
 * (the workflow's gate checks the acknowledgment first): the stamped packet, split by pages, signed.
 * @source 45 CFR 164.524(c)(2)(ii) and HHS guidance on unencrypted email at the individual's request
 */
export async function composeTlsOnly(m: MethodInput): Promise<PreparedMessages> {
  const packet = await m.assemble();
  const composed = await composeTlsOnlyMessages({
    ...packetComposeInput(m, packet),
    unencrypted: { allowed: true, acknowledgmentId: m.gate.acknowledgmentId ?? '' },
  });
  return { messages: composed.messages, packetSha256: packet.manifest.packetSha256, recipientKeyFingerprint: '', passphrase: null };
}
