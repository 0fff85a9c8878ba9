/**
 * Legacy PKCS#12 password-based encryption (RFC 7292 Appendix B and C), as Windows before 2019, macOS Keychain and
 * OpenSSL 1.x export `.p12`/`.pfx` files: pbeWithSHAAnd3-KeyTripleDES-CBC (read here with node:crypto des-ede3-cbc)
 * and pbeWithSHAAnd40BitRC2-CBC / 128BitRC2 (refused: Node's OpenSSL 3 has RC2 only in the legacy provider, which
 * the app does not load; the message tells the practice how to re-export the file in the modern form).
 *
 * pkijs reads PBES2 only; {@link withLegacyPbe} wraps its crypto engine so the same PFX parsing (MAC check,
 * SafeContents, shrouded key bags) also opens 3DES-encrypted parts. ASN.1 is read with asn1js / pkijs.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { AppError } from '../../../shared/errors';

/** pkcs-12PbeIds (RFC 7292 Appendix C). */
export const OID_PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
export const OID_PBE_SHA1_RC2_128 = '1.2.840.113549.1.12.1.5';
export const OID_PBE_SHA1_RC2_40 = '1.2.840.113549.1.12.1.6';

/** What the practice is told when its file uses RC2. */
export const RC2_MESSAGE =
  'This PKCS#12 file is protected with RC2, an old cipher ReleaseDesk does not use. Export it again in the modern form, ' +
  'for example with OpenSSL 3: `openssl pkcs12 -legacy -in old.p12 -nodes -out both.pem` and then ' +
  '`openssl pkcs12 -export -in both.pem -out new.p12` (delete both.pem afterwards), or in Windows choose "AES256-SHA256" ' +
  'when exporting. Files protected with 3DES are read as they are.';

/** The password as PKCS#12 hashes it: BMPString (UTF-16 big-endian) with a two-byte NUL terminator (RFC 7292 B.1). */
function bmpPassword(password: string): Buffer {
  const le = Buffer.from(password + '\u0000', 'utf16le');
  for (let i = 0; i < le.length; i += 2) {
    const t = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = t;
  }
  return le;
}

/**
 * The PKCS#12 key derivation with SHA-1 (RFC 7292 Appendix B.2): `n` bytes of purpose `id` (1 key, 2 IV, 3 MAC key).
 * @param salt the PbeParams salt; @param iterations its iteration count (≥ 1)
 * @returns n bytes
 * @source RFC 7292 Appendix B.2
 */
export function pkcs12Kdf(password: string, salt: Buffer, iterations: number, id: 1 | 2 | 3, n: number): Buffer {
  const u = 20;
  const v = 64;
  const D = Buffer.alloc(v, id);
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(bmpPassword(password))]);
  const out: Buffer[] = [];
  for (let done = 0; done < n; done += u) {
    let A = createHash('sha1').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha1').update(A).digest();
    out.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

/**
 * Decrypt content encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C: 24-byte key and 8-byte IV from
 * the PKCS#12 KDF, DES-EDE3-CBC, PKCS#5 padding).
 * @param params DER-decoded pkcs-12PbeParams (SEQUENCE { salt OCTET STRING, iterations INTEGER })
 * @throws Error when the parameters are malformed or the padding is wrong (a wrong password); the caller maps it to PKCS12_INVALID
 * @source RFC 7292 Appendix B.2, Appendix C
 */
export function decryptPbeSha1TripleDes(password: string, params: asn1js.AsnType, ciphertext: Buffer): Buffer {
  const seq = params as asn1js.Sequence;
  const salt = seq.valueBlock?.value?.[0];
  const iter = seq.valueBlock?.value?.[1];
  if (!(salt instanceof asn1js.OctetString) || !(iter instanceof asn1js.Integer)) throw new Error('pkcs-12PbeParams malformed');
  const iterations = iter.valueBlock.valueDec;
  if (!(iterations >= 1 && iterations <= 10_000_000)) throw new Error('iteration count out of range');
  const s = Buffer.from(salt.valueBlock.valueHexView);
  const key = pkcs12Kdf(password, s, iterations, 1, 24);
  const iv = pkcs12Kdf(password, s, iterations, 2, 8);
  const d = createDecipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([d.update(ciphertext), d.final()]);
}

/** The encrypted bytes of an EncryptedContentInfo (primitive or constructed OCTET STRING). */
function contentBytes(eci: pkijs.EncryptedContentInfo): Buffer {
  const c = eci.encryptedContent;
  if (!c) throw new Error('no encrypted content');
  if (c.idBlock.isConstructed) return Buffer.concat((c.valueBlock.value as asn1js.OctetString[]).map((o) => Buffer.from(o.valueBlock.valueHexView)));
  return Buffer.from(c.valueBlock.valueHexView);
}

/**
 * Wrap a pkijs crypto engine so `decryptEncryptedContentInfo` also opens the legacy PKCS#12 PBE schemes: 3DES is
 * decrypted here; RC2 throws AppError PKCS12_LEGACY_RC2 (with {@link RC2_MESSAGE}); PBES2 goes to pkijs unchanged.
 * `legacy` records whether any 3DES part was opened (for the audit).
 * @param password the PKCS#12 password as typed (used only inside this call chain, never stored)
 * @source RFC 7292 Appendix C; RFC 8018 §6.2 (PBES2, handled by pkijs)
 */
export function withLegacyPbe(engine: pkijs.CryptoEngine, password: string): { engine: pkijs.CryptoEngine; legacy: { used: boolean } } {
  const legacy = { used: false };
  const original = engine.decryptEncryptedContentInfo.bind(engine);
  engine.decryptEncryptedContentInfo = (async (parameters: { encryptedContentInfo: pkijs.EncryptedContentInfo; password: ArrayBuffer }) => {
    const alg = parameters.encryptedContentInfo.contentEncryptionAlgorithm;
    if (alg.algorithmId === OID_PBE_SHA1_RC2_40 || alg.algorithmId === OID_PBE_SHA1_RC2_128) throw new AppError('PKCS12_LEGACY_RC2', RC2_MESSAGE);
    if (alg.algorithmId !== OID_PBE_SHA1_3DES) return original(parameters);
    const plain = decryptPbeSha1TripleDes(password, alg.algorithmParams as asn1js.AsnType, contentBytes(parameters.encryptedContentInfo));
    legacy.used = true;
    return plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength) as ArrayBuffer;
  }) as typeof engine.decryptEncryptedContentInfo;
  return { engine, legacy };
}
