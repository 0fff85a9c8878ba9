/**
 * OpenPGP keys: the practice's own key pair and the recipients' public keys.
 *
 * Everything here is chosen so that a recipient running GnuPG 2.2 (the version
 * many patients and third parties have) can read what we send: v4 keys,
 * ECC curve25519 in its "legacy" encoding (EdDSA primary, ECDH subkey), no
 * AEAD (SEIPDv1). See docs/toolchain.md, section OpenPGP.
 *
 * Error messages never contain a user id or address from the key: they say
 * WHY a key cannot be used, in plain words.
 */
import * as openpgp from 'openpgp';
import type { z } from 'zod';
import { formatFingerprint } from '../../../shared/fingerprint';
import type { KeyInfo } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { datedKeyRefusal, dearmor, onDate, sniffPastedKey, unsupportedAlgorithm, walkPackets } from './pasted-keys';

export { applyRevocationCertificate, datedKeyRefusal, mergeSameKey, sniffPastedKey, type PastedKeyText } from './pasted-keys';

/** The contract's key description: fingerprint (40 upper-case hex), user ids, algorithm, ISO dates. */
export type KeyInfoT = z.infer<typeof KeyInfo>;

/** The practice key pair as armored text plus its description. */
export interface PracticeKeyPair {
  /** ASCII-armored private key (RFC 4880 §6.2), NOT passphrase-protected: store it only inside the encrypted vault. */
  armoredPrivate: string;
  /** ASCII-armored public key, the one handed to recipients. */
  armoredPublic: string;
  info: KeyInfoT;
}

/**
 * openpgp configuration pinned for GnuPG 2.2 compatibility: v4 keys, no AEAD
 * (SEIPDv1 with MDC). Passed explicitly so a global config change elsewhere
 * cannot silently produce keys or messages GnuPG 2.2 cannot read.
 */
export const GNUPG22_COMPATIBLE_CONFIG: Partial<openpgp.Config> = { v6Keys: false, aeadProtect: false };

/**
 * Generate the practice's key pair: an EdDSA (Ed25519, legacy encoding)
 * signing primary key and an ECDH (Curve25519, legacy encoding) encryption
 * subkey, v4, no expiry, no passphrase.
 *
 * @param owner.name the practice's display name (goes into the user id; not PHI).
 * @param owner.email the practice's sending address.
 * @param now creation time (defaults to the current time; injected by tests and the service clock).
 * @returns armored private and public key and {@link KeyInfoT}.
 * @throws AppError INVALID_EMAIL when name or email contain control characters or the email is empty.
 * @source RFC 4880 §5.5.2 (v4 keys), §11.1 (transferable public keys);
 *   45 CFR 164.312(e)(2)(ii) (encryption of ePHI in transit).
 */
export async function generatePracticeKey(owner: { name: string; email: string }, now: Date = new Date()): Promise<PracticeKeyPair> {
  if (/[\u0000-\u001f\u007f]/.test(owner.name + owner.email) || owner.email.trim() === '') {
    throw new AppError('INVALID_EMAIL', 'The practice name and email must be single lines and the email must not be empty.');
  }
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: owner.name, email: owner.email }],
    subkeys: [{ sign: false }],
    date: now,
    format: 'armored',
    config: GNUPG22_COMPATIBLE_CONFIG,
  });
  const info = await describeKey(await openpgp.readKey({ armoredKey: publicKey }), now);
  return { armoredPrivate: privateKey, armoredPublic: publicKey, info };
}

/**
 * Take the practice's existing OpenPGP key (made elsewhere, e.g. with gpg) instead of generating one: check that
 * it can sign and receive encrypted copies now, remove its passphrase (the key is kept only inside the encrypted
 * vault, like a generated one; the passphrase is used once and never stored).
 *
 * A key without hash-algorithm preferences is accepted: signatures then use SHA-256 (openpgp.js's default),
 * which every OpenPGP implementation reads.
 *
 * @param armored the whole armored PRIVATE key block (RFC 4880 section 6.2 "PRIVATE KEY BLOCK")
 * @param passphrase the key's passphrase, when it has one
 * @param now the instant to judge expiry and revocation at
 * @returns the key pair to store (private part without passphrase) and its {@link KeyInfoT}
 * @throws AppError KEY_INVALID (not a private key, several keys, damaged, wrong or missing passphrase, cannot sign);
 *   KEY_UNSUPPORTED (Ed448/X448 or unknown algorithm, named); KEY_EXPIRED / KEY_REVOKED (fingerprint and date named);
 *   KEY_NO_ENCRYPTION_SUBKEY (signing-only key)
 * @source RFC 4880 sections 5.5.3 (secret-key packets), 11.2 (transferable secret keys), 5.2.3.8 (preferred hash
 *   algorithms); 45 CFR 164.312(c)(2) (mechanism to authenticate ePHI: the practice's signature).
 */
export async function importPracticeKey(armored: string, passphrase: string | undefined, now: Date): Promise<PracticeKeyPair> {
  const text = armored.trim();
  if (!/^-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(text)) {
    throw new AppError('KEY_INVALID', 'This is not an OpenPGP private key. Export the practice key with its private part (for example "gpg --export-secret-keys --armor") and paste the whole block.');
  }
  if ((text.match(/-----BEGIN PGP PRIVATE KEY BLOCK-----/g)?.length ?? 0) > 1) {
    throw new AppError('KEY_INVALID', 'More than one key was pasted. Paste only the practice key.');
  }
  const bytes = await dearmor(text);
  const primary = bytes ? walkPackets(bytes)[0] : undefined;
  const bad = bytes && primary?.tag === 5 ? unsupportedAlgorithm(bytes, primary) : null;
  if (bad) {
    throw new AppError('KEY_UNSUPPORTED', `This key uses ${bad}, which ReleaseDesk cannot use. Use a key made with Curve25519 or RSA (3072 bits or more).`, { algorithm: bad });
  }
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: text });
  } catch {
    throw new AppError('KEY_INVALID', 'The pasted key could not be read: it is incomplete or damaged. Export it again and paste the whole block.');
  }
  if (!key.isDecrypted()) {
    if (!passphrase) throw new AppError('KEY_INVALID', `The key ${formatFingerprint(key.getFingerprint())} is protected by a passphrase. Type its passphrase to import it.`, { passphraseRequired: true });
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new AppError('KEY_INVALID', `That passphrase does not open the key ${formatFingerprint(key.getFingerprint())}. Check it and try again.`, { passphraseRequired: true });
    }
  }
  try {
    await key.verifyPrimaryKey(now);
  } catch (e) {
    throw (await datedKeyRefusal(key, now)) ?? mapKeyError(e, 'primary');
  }
  try {
    await key.getSigningKey(undefined, now);
  } catch {
    throw new AppError('KEY_INVALID', `The key ${formatFingerprint(key.getFingerprint())} has no valid signing key: ReleaseDesk signs every release with the practice key.`);
  }
  try {
    await key.getEncryptionKey(undefined, now);
  } catch (e) {
    throw (await datedKeyRefusal(key, now)) ?? mapKeyError(e, 'encryption');
  }
  const info = await describeKey(key, now);
  return { armoredPrivate: key.armor(), armoredPublic: key.toPublic().armor(), info };
}

/**
 * Check a pasted recipient public key and describe it, or refuse it saying why.
 *
 * The key must be exactly one armored public key (RFC 4880 §6.2 "PUBLIC KEY
 * BLOCK") whose primary key is neither revoked nor expired at `now` and which
 * has at least one valid (not revoked, not expired) encryption-capable key.
 *
 * @param armored the text the user pasted.
 * @param now the instant to judge expiry and revocation at.
 * Refusals for revoked or expired keys name the fingerprint and the date ({@link datedKeyRefusal}); subkeys in
 * unsupported algorithms are ignored and named in `warnings`.
 * @returns {@link KeyInfoT}; `expiresAt` is the earliest of the primary's and
 *   the encryption subkey's expiry, or null when neither expires.
 * @throws AppError KEY_INVALID — not an armored public key, several keys, a
 *   private key pasted, or an algorithm too weak to use;
 *   KEY_UNSUPPORTED — the primary key is in an algorithm ReleaseDesk cannot use (Ed448, X448, unknown ids; named);
 *   KEY_REVOKED also for a pasted revocation certificate (detail.revocationCertificate; fingerprint and date named);
 *   KEY_NO_ENCRYPTION_SUBKEY — signing-only key;
 *   KEY_EXPIRED — primary or encryption subkey expired (RFC 4880 §5.2.3.6, §5.2.3.10);
 *   KEY_REVOKED — primary or encryption subkey revoked (RFC 4880 §5.2.1, types 0x20/0x28).
 * @source RFC 4880 §11.1, §5.2.3.21 (key flags); 45 CFR 164.312(e)(1) (transmission security).
 */
export async function inspectRecipientKey(armored: string, now: Date): Promise<KeyInfoT> {
  const text = armored.trim();
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(text)) {
    throw privateKeyPasted();
  }
  if (!/-----BEGIN PGP PUBLIC KEY BLOCK-----/.test(text)) {
    throw new AppError('KEY_INVALID', 'This is not an OpenPGP public key. Paste the whole public key, from "-----BEGIN PGP PUBLIC KEY BLOCK-----" to the END line.');
  }
  const blocks = text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----/g)?.length ?? 0;
  if (blocks > 1) {
    throw new AppError('KEY_INVALID', 'More than one key was pasted. Paste only the recipient\'s own public key.', { keys: blocks });
  }
  const sniff = await sniffPastedKey(text);
  if (sniff.kind === 'revocation-certificate') {
    const fpr = sniff.issuerFingerprint ? ` for key ${formatFingerprint(sniff.issuerFingerprint)}` : '';
    const made = sniff.created ? `, made ${onDate(sniff.created)}` : '';
    throw new AppError(
      'KEY_REVOKED',
      `This is a revocation certificate${fpr}${made}, not a key: that key must no longer be used. Ask the recipient for their current key.`,
      { revocationCertificate: true, ...(sniff.issuerFingerprint ? { fingerprint: sniff.issuerFingerprint } : {}), ...(sniff.created ? { at: sniff.created.toISOString() } : {}) },
    );
  }
  if (sniff.kind === 'unsupported') {
    throw new AppError(
      'KEY_UNSUPPORTED',
      `The key ${formatFingerprint(sniff.fingerprint)} uses ${sniff.algorithm}, which ReleaseDesk cannot use. Ask the recipient for a key made with Curve25519 or RSA (3072 bits or more).`,
      { fingerprint: sniff.fingerprint, algorithm: sniff.algorithm },
    );
  }
  const dropped = sniff.kind === 'key' ? sniff.droppedSubkeys : [];
  let keys: openpgp.Key[];
  try {
    keys = sniff.kind === 'key' && dropped.length ? await openpgp.readKeys({ binaryKeys: sniff.bytes }) : await openpgp.readKeys({ armoredKeys: text });
  } catch {
    throw new AppError('KEY_INVALID', 'The pasted key could not be read: it is incomplete or damaged. Ask the recipient to send it again.');
  }
  if (keys.length !== 1) {
    throw new AppError('KEY_INVALID', 'More than one key was pasted. Paste only the recipient\'s own public key.', { keys: keys.length });
  }
  const key = keys[0]!;
  if (key.isPrivate()) throw privateKeyPasted();
  if (key.getCreationTime().getTime() > now.getTime()) {
    // openpgp reports this as "no valid self-signature"; the usual cause is a wrong clock on either side.
    throw new AppError('KEY_INVALID', "This key was created at a time later than now. Check this computer's clock (date and time), or ask the recipient to check their clock and make a new key.");
  }

  try {
    await key.verifyPrimaryKey(now);
  } catch (e) {
    throw (await datedKeyRefusal(key, now)) ?? mapKeyError(e, 'primary');
  }
  try {
    await key.getEncryptionKey(undefined, now);
  } catch (e) {
    throw (await datedKeyRefusal(key, now)) ?? mapKeyError(e, 'encryption');
  }
  const info = await describeKey(key, now);
  const warnings = dropped.map((a) => `This key has a subkey in ${a}, which ReleaseDesk cannot use; it is ignored. The records are encrypted to the key's other encryption subkey.`);
  return warnings.length ? { ...info, warnings } : info;
}

function privateKeyPasted(): AppError {
  return new AppError(
    'KEY_INVALID',
    'This is a private (secret) key. Paste the public key instead, and ask the recipient to keep the private key to themselves.',
  );
}

/** Turn openpgp's verification errors (English texts listed in docs/toolchain.md) into coded, PHI-free errors. */
function mapKeyError(e: unknown, stage: 'primary' | 'encryption'): AppError {
  const msg = e instanceof Error ? e.message : '';
  if (/Primary key is revoked/.test(msg)) return new AppError('KEY_REVOKED', 'This key has been revoked by its owner and must not be used. Ask the recipient for their current key.', { part: 'primary' });
  if (/Primary key is expired/.test(msg)) return new AppError('KEY_EXPIRED', 'This key has expired. Ask the recipient to extend it or send a new one.', { part: 'primary' });
  if (/Subkey is revoked/.test(msg)) return new AppError('KEY_REVOKED', 'The encryption part of this key has been revoked. Ask the recipient for their current key.', { part: 'subkey' });
  if (/Subkey is expired/.test(msg)) return new AppError('KEY_EXPIRED', 'The encryption part of this key has expired. Ask the recipient to extend it or send a new one.', { part: 'subkey' });
  if (/too weak/.test(msg)) return new AppError('KEY_INVALID', 'This key uses an algorithm or key size that is too weak to protect health information. Ask the recipient for a newer key.');
  if (stage === 'encryption' && /Could not find valid encryption key packet/.test(msg)) {
    return new AppError('KEY_NO_ENCRYPTION_SUBKEY', 'This key can only sign, not receive encrypted messages. Ask the recipient for a key with an encryption subkey.');
  }
  return new AppError('KEY_INVALID', 'This key has no valid self-signature and cannot be trusted. Ask the recipient to send it again.', { stage });
}

/** Describe a key (already judged usable at `now`) in the contract's terms. */
async function describeKey(key: openpgp.Key, now: Date): Promise<KeyInfoT> {
  const encryptionKey = await key.getEncryptionKey(undefined, now);
  const primaryExpiry = await key.getExpirationTime();
  const subkeyExpiry = encryptionKey === key ? primaryExpiry : await (encryptionKey as openpgp.Subkey).getExpirationTime(now);
  const expiries = [primaryExpiry, subkeyExpiry].filter((d): d is Date => d instanceof Date);
  const expiresAt = expiries.length === 0 ? null : new Date(Math.min(...expiries.map((d) => d.getTime())));
  const primaryAlgo = describeAlgorithm(key.getAlgorithmInfo());
  const encAlgo = describeAlgorithm(encryptionKey.getAlgorithmInfo());
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    userIds: key.getUserIDs(),
    algorithm: encryptionKey === key ? primaryAlgo : `${primaryAlgo} / ${encAlgo}`,
    createdAt: key.getCreationTime().toISOString(),
    expiresAt: expiresAt ? expiresAt.toISOString() : null,
  };
}

/** "EdDSA (Ed25519)", "ECDH (Curve25519)", "RSA 4096", ... for people to read. */
function describeAlgorithm(info: openpgp.AlgorithmInfo): string {
  const curveNames: Record<string, string> = {
    ed25519Legacy: 'Ed25519',
    curve25519Legacy: 'Curve25519',
    nistP256: 'NIST P-256',
    nistP384: 'NIST P-384',
    nistP521: 'NIST P-521',
    secp256k1: 'secp256k1',
    brainpoolP256r1: 'brainpoolP256r1',
    brainpoolP384r1: 'brainpoolP384r1',
    brainpoolP512r1: 'brainpoolP512r1',
  };
  const curve = info.curve ? curveNames[info.curve] ?? info.curve : undefined;
  switch (info.algorithm) {
    case 'rsaEncryptSign':
    case 'rsaEncrypt':
    case 'rsaSign':
      return `RSA ${info.bits ?? ''}`.trim();
    case 'eddsaLegacy':
      return `EdDSA (${curve ?? 'Ed25519'})`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    case 'ecdh':
      return `ECDH (${curve ?? '?'})`;
    case 'ecdsa':
      return `ECDSA (${curve ?? '?'})`;
    case 'x25519':
      return 'X25519';
    case 'x448':
      return 'X448';
    default:
      return String(info.algorithm);
  }
}
