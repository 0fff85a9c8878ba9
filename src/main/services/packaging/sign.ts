/**
 * Detached OpenPGP signature over the packet by the practice key (RFC 4880 §5.2.4,
 * signature type 0x00 over binary data), verifiable with `gpg --verify packet.pdf.sig packet.pdf`.
 */
import * as openpgp from 'openpgp';
import { AppError } from '../../../shared/errors';
import { signDetachedNative } from '../openpgp/fast-encrypt';

/**
 * Sign `bytes` with the practice's private key, detached and binary (not armored).
 *
 * @param bytes the exact bytes that will be sent (e.g. the packet PDF, or each encrypted part)
 * @param practicePrivateArmored the practice's armored private key (v4, ECC curve25519Legacy or RSA: GnuPG 2.2 compatible)
 * @param passphrase the key's passphrase when the key is protected
 * @returns the binary detached signature (`.sig`)
 * @throws AppError KEY_INVALID when the key cannot be read or unlocked; SIGNING_FAILED otherwise
 */
export async function signDetached(bytes: Uint8Array, practicePrivateArmored: string, passphrase?: string): Promise<Uint8Array> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: practicePrivateArmored });
    if (!key.isDecrypted()) {
      if (!passphrase) throw new Error('locked');
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    }
  } catch {
    throw new AppError('KEY_INVALID', 'The practice signing key cannot be read or unlocked.');
  }
  try {
    // node:crypto hashing and signing for Ed25519 and RSA keys (40 MiB: ~0.2 s instead of 4-5 s); openpgp.js otherwise.
    const native = await signDetachedNative(bytes, key);
    if (native) return native;
    const message = await openpgp.createMessage({ binary: bytes });
    const sig = await openpgp.sign({ message, signingKeys: key, detached: true, format: 'binary' });
    return sig as Uint8Array;
  } catch {
    throw new AppError('SIGNING_FAILED', 'The release packet could not be signed with the practice key.');
  }
}

/**
 * Plain-language text explaining how to check the signature: in the email (`carrier` 'email', the default: the
 * files are attachments) or in the README.txt of an exported folder (`carrier` 'folder': the files are next to it).
 *
 * @param o.packetFileName the attachment's PHI-free file name, e.g. "release-REQ-2026-0042.pdf"
 * @param o.signatureFileName e.g. "release-REQ-2026-0042.pdf.sig"
 * @param o.fingerprint the practice key's fingerprint (40 hex digits), to compare out of band
 * @param o.practiceName shown as the signer
 * @param o.carrier where the text is read: 'email' (default) or an export 'folder'
 */
export function verificationInstructions(o: { packetFileName: string; signatureFileName: string; fingerprint: string; practiceName: string; carrier?: 'email' | 'folder' }): string {
  const fpr = o.fingerprint.toUpperCase().replace(/(.{4})/g, '$1 ').trim();
  const folder = o.carrier === 'folder';
  return [
    `How to check that these records really come from ${o.practiceName} and were not changed:`,
    '',
    folder
      ? `1. Keep both files, "${o.packetFileName}" and "${o.signatureFileName}", together in one folder (as they are in this one).`
      : `1. Save both attachments, "${o.packetFileName}" and "${o.signatureFileName}", in the same folder.`,
    `2. Import the practice's public key (once), for example with GnuPG: gpg --import practice-key.asc`,
    `3. Check that the key's fingerprint is ${fpr}. Compare it with the fingerprint the practice gave you by phone or on its website, not with one written ${folder ? 'in this folder' : 'in this email'}.`,
    `4. Run: gpg --verify "${o.signatureFileName}" "${o.packetFileName}"`,
    `   It must say "Good signature from ${o.practiceName}". If it says "BAD signature", do not rely on the file and call the practice.`,
    '',
    `The first pages of the packet list every document with its pages and a SHA-256 digest; the ${folder ? 'manifest in this folder' : 'attached manifest'} has the same list in machine-readable form.`,
  ].join('\n');
}
