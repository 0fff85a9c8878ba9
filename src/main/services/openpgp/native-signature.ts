/**
 * Native OpenPGP signatures for the writer (fast-encrypt.ts): the decrypted signing key turned into a node:crypto
 * key (Ed25519 / EdDSA legacy, RSA) and the v4 signature packet (RFC 4880 §5.2.3) over an OpenSSL hash.
 */
import { createPrivateKey, type Hash, type KeyObject, privateEncrypt, constants as cryptoConstants, sign as cryptoSign } from 'node:crypto';
import * as openpgp from 'openpgp';
import { GNUPG22_COMPATIBLE_CONFIG } from './keys';
import { mpi, packet } from './packet-framing';

export const HASHES: Record<number, { name: string; digestInfo: string }> = {
  8: { name: 'sha256', digestInfo: '3031300d060960864801650304020105000420' },
  9: { name: 'sha384', digestInfo: '3041300d060960864801650304020205000430' },
  10: { name: 'sha512', digestInfo: '3051300d060960864801650304020305000440' },
};
export const SIGNATURE_HASH = 8; // SHA-256: what gpg picks for these keys; OpenSSL runs it with SHA-NI where present.

/** A signing key usable by node:crypto, with what the signature packets need to name it. */
export interface NativeSigner {
  pubAlgo: number;
  keyId: Buffer;
  fingerprint: Buffer;
  /** Signature MPIs over `digest` (hash `hashAlgo`). */
  sign(digest: Buffer, hashAlgo: number): Buffer;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const unbig = (n: bigint) => {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex');
};

/**
 * The native signer for `signingKey` at `date`, or null when its algorithm is not handled here.
 * @throws openpgp's error when the key has no valid signing (sub)key at `date` or is not decrypted
 */
export async function nativeSigner(signingKey: openpgp.PrivateKey, date: Date): Promise<NativeSigner | null> {
  const k = await signingKey.getSigningKey(undefined, date, undefined, { ...openpgp.config, ...GNUPG22_COMPATIBLE_CONFIG });
  const kp = k.keyPacket as unknown as {
    algorithm: number;
    publicParams: Record<string, unknown>;
    privateParams: Record<string, Uint8Array> | null;
    isDecrypted(): boolean | null;
    getKeyID(): openpgp.KeyID;
    getFingerprintBytes(): Uint8Array | null;
    version: number;
  };
  if (kp.version !== 4 || !kp.isDecrypted() || !kp.privateParams) {
    if (!kp.isDecrypted()) throw new Error('Signing key is not decrypted.');
    return null;
  }
  const keyId = Buffer.from(kp.getKeyID().toHex(), 'hex');
  const fingerprint = Buffer.from(kp.getFingerprintBytes()!);
  const priv = kp.privateParams;
  if (kp.algorithm === 22) {
    const Q = kp.publicParams.Q as Uint8Array;
    const seed = priv.seed;
    if (!seed || Q.length !== 33 || Q[0] !== 0x40) return null;
    const key: KeyObject = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(seed), x: b64u(Q.subarray(1)) }, format: 'jwk' });
    return {
      pubAlgo: 22,
      keyId,
      fingerprint,
      sign: (digest) => {
        const rs = cryptoSign(null, digest, key);
        return Buffer.concat([mpi(rs.subarray(0, 32)), mpi(rs.subarray(32))]);
      },
    };
  }
  if (kp.algorithm === 1 || kp.algorithm === 3) {
    const n = kp.publicParams.n as Uint8Array;
    const e = kp.publicParams.e as Uint8Array;
    const { d, p, q, u } = priv;
    if (!d || !p || !q || !u) return null;
    // OpenPGP keeps p < q and u = p^-1 mod q; JWK wants qi = q^-1 mod p: swap the primes' roles.
    const [P, Q, D] = [big(q), big(p), big(d)];
    const key = createPrivateKey({
      key: { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(q), q: b64u(p), dp: b64u(unbig(D % (P - 1n))), dq: b64u(unbig(D % (Q - 1n))), qi: b64u(u) },
      format: 'jwk',
    });
    const modulusBytes = n.length;
    return {
      pubAlgo: kp.algorithm,
      keyId,
      fingerprint,
      sign: (digest, hashAlgo) => {
        const s = privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(HASHES[hashAlgo]!.digestInfo, 'hex'), digest]));
        if (s.length !== modulusBytes) throw new Error('RSA signature length');
        return mpi(s);
      },
    };
  }
  return null;
}

/** The v4 signature packet (RFC 4880 §5.2.3) over data already fed into `hash`; finishes `hash`. */
export function signaturePacket(signer: NativeSigner, hash: Hash, hashAlgo: number, sigType: number, date: Date): Buffer {
  const created = Buffer.alloc(4);
  created.writeUInt32BE(Math.floor(date.getTime() / 1000));
  const hashedSub = Buffer.concat([
    Buffer.from([5, 2]), created, // signature creation time (§5.2.3.4)
    Buffer.from([22, 33, 4]), signer.fingerprint, // issuer fingerprint (RFC 9580 §5.2.3.35; gpg 2.2 reads it)
  ]);
  const hashedPart = Buffer.concat([Buffer.from([4, sigType, signer.pubAlgo, hashAlgo, hashedSub.length >> 8, hashedSub.length & 0xff]), hashedSub]);
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(hashedPart.length, 2);
  hash.update(hashedPart);
  hash.update(trailer);
  const digest = hash.digest();
  const unhashed = Buffer.concat([Buffer.from([9, 16]), signer.keyId]); // issuer key id (§5.2.3.5)
  return packet(2, Buffer.concat([hashedPart, Buffer.from([0, unhashed.length]), unhashed, digest.subarray(0, 2), signer.sign(digest, hashAlgo)]));
}
