/**
 * CMS for S/MIME 4.0 (RFC 8551 §3.7, signed then encrypted): the MIME entity is first signed by the practice
 * certificate (opaque SignedData, RFC 5652 §5) and the signed entity is then enveloped (EnvelopedData, RFC 5652 §6)
 * with AES-256-CBC for every recipient certificate.
 *
 * Algorithm choice, tried against the tools recipients run here (gpgsm 2.2.40, OpenSSL 3.0):
 * - Default (every recipient): AES-256-CBC EnvelopedData, RSA recipients by RSAES-PKCS1-v1_5 key transport
 *   (RFC 8551 §2.3: MUST support). gpgsm 2.2 reads neither AuthEnvelopedData with AES-GCM (RFC 5083/5084) nor
 *   RSAES-OAEP key transport (it fails with "error getting IV" / "error getting encrypted session key"; checked by a
 *   test), and many recipients' programs are of that age, so the default stays what they all read.
 * - Per recipient certificate, when staff record that the recipient's program reads them ("recipient supports
 *   RSA-OAEP / AES-GCM"; SMIMECapabilities from a signed message of theirs are not read): AuthEnvelopedData
 *   (RFC 5083) with AES-256-GCM (RFC 5084: 12-byte nonce, 16-byte tag) and RSA recipients by RSAES-OAEP with
 *   SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1, in CMS per RFC 3560 / RFC 4055). `openssl cms -decrypt` reads it.
 * - EC recipients: ephemeral-static ECDH (RFC 5753 §3.1, dhSinglePass-stdDH-sha256kdf / sha384kdf) with AES-256 key
 *   wrap (RFC 3394), by pkijs.
 * - signature: RSASSA-PKCS1-v1_5 with SHA-256 over signed attributes (contentType, signingTime, messageDigest,
 *   sMIMECapabilities).
 *
 * ASN.1 and CMS structures come from pkijs/asn1js; keys and ciphers from Node's WebCrypto and crypto.
 */
import { constants, createCipheriv, createHash, createPublicKey, publicEncrypt, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../../shared/errors';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
const OID_AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';
const OID_RSAES_OAEP = '1.2.840.113549.1.1.7';
const OID_MGF1 = '1.2.840.113549.1.1.8';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_AES256_GCM = '2.16.840.1.101.3.4.1.46';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SMIME_CAPABILITIES = '1.2.840.113549.1.9.15';
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';
const OID_AES128_CBC = '2.16.840.1.101.3.4.1.2';

/** A signer: certificate and unencrypted PKCS#8 key, both PEM. */
export interface CmsSigner {
  certPem: string;
  keyPem: string;
}

function engine(): pkijs.CryptoEngine {
  return new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
}

function pemToDer(pem: string, label: string): ArrayBuffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!m) throw new AppError('SMIME_ENCRYPTION_FAILED', 'A certificate or key needed for S/MIME could not be read.');
  const b = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function pkijsCert(pem: string): pkijs.Certificate {
  return pkijs.Certificate.fromBER(pemToDer(pem, 'CERTIFICATE'));
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function toBuffer(ab: ArrayBuffer): Buffer {
  return Buffer.from(new Uint8Array(ab));
}

/** sMIMECapabilities (RFC 8551 §2.5.2): what we can decrypt, strongest first. */
function smimeCapabilities(): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [OID_AES256_CBC, OID_AES128_CBC].map((oid) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] })),
  });
}

/**
 * Sign `content` (a complete MIME entity, CRLF) as opaque SignedData: the content is inside the CMS object, so no
 * mail system can alter it (RFC 8551 §3.5.2). The signer's certificate is included.
 * @param date signingTime (RFC 5652 §11.3)
 * @returns DER of the ContentInfo (id-signedData)
 * @throws AppError SMIME_ENCRYPTION_FAILED — the practice certificate or key cannot be used (library text not echoed)
 * @source RFC 5652 §5, §11; RFC 8551 §2.5, §3.5.2
 */
export async function signOpaque(content: Buffer, signer: CmsSigner, date: Date): Promise<Buffer> {
  try {
    const crypto = engine();
    const cert = pkijsCert(signer.certPem);
    const key = await webcrypto.subtle.importKey('pkcs8', pemToDer(signer.keyPem, 'PRIVATE KEY'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const digest = createHash('sha256').update(content).digest();
    const signingTime = date.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
    const signed = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA, eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(content) }) }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
              new pkijs.Attribute({ type: OID_SIGNING_TIME, values: [signingTime] }),
              new pkijs.Attribute({ type: OID_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: digest })] }),
              new pkijs.Attribute({ type: OID_SMIME_CAPABILITIES, values: [smimeCapabilities()] }),
            ],
          }),
        }),
      ],
      certificates: [cert],
    });
    // pkijs splits eContent into a constructed OCTET STRING; gpgsm 2.2 (libksba) refuses that in definite-length
    // encoding ("Encoding problem"): keep it one primitive OCTET STRING (DER, RFC 5652 §5.2).
    signed.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(content) });
    await signed.sign(key, 0, 'SHA-256', undefined, crypto);
    const ci = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signed.toSchema(true) });
    return toBuffer(ci.toSchema().toBER(false));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('SMIME_ENCRYPTION_FAILED', 'The message could not be signed with the practice S/MIME certificate.', { stage: 'sign' });
  }
}

/**
 * Content encryption of an S/MIME message: `cbc` — EnvelopedData, AES-256-CBC, RSA by PKCS#1 v1.5 (the default,
 * read by every S/MIME program including gpgsm 2.2); `gcm-oaep` — AuthEnvelopedData, AES-256-GCM, RSA by RSAES-OAEP
 * (SHA-256) — only for a recipient whose program is known to read them.
 */
export type SmimeContentEncryption = 'cbc' | 'gcm-oaep';

/** AlgorithmIdentifier for RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 §3.1, RFC 8017 Appendix A.2.1). */
function oaepSha256Algorithm(): pkijs.AlgorithmIdentifier {
  const sha256 = () => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID_SHA256 })] });
  return new pkijs.AlgorithmIdentifier({
    algorithmId: OID_RSAES_OAEP,
    algorithmParams: new asn1js.Sequence({
      value: [
        new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [sha256()] }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 1 },
          value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID_MGF1 }), sha256()] })],
        }),
      ],
    }),
  });
}

/**
 * Encrypt `content` (a complete MIME entity) to every certificate in `recipientsPem` with one fresh AES-256 key:
 * RSA certificates by key transport (PKCS#1 v1.5, or OAEP-SHA-256 with `gcm-oaep`), EC (P-256/P-384) by
 * ephemeral-static ECDH + AES-256 key wrap.
 * @param mode 'cbc' (default): EnvelopedData with AES-256-CBC; 'gcm-oaep': AuthEnvelopedData with AES-256-GCM
 * @returns DER of the ContentInfo (id-envelopedData, or id-ct-authEnvelopedData)
 * @throws AppError SMIME_ENCRYPTION_FAILED — no recipient, or a certificate whose key cannot be used
 * @source RFC 5652 §6; RFC 8551 §2.3, §2.7; RFC 5753 §3.1 (ECDH); RFC 3565 (AES-CBC in CMS); RFC 3394 (key wrap);
 *   RFC 5083 (AuthEnvelopedData); RFC 5084 (AES-GCM in CMS); RFC 8017 §7.1 and RFC 3560 / RFC 4055 (RSAES-OAEP in CMS)
 */
export async function envelope(content: Buffer, recipientsPem: readonly string[], mode: SmimeContentEncryption = 'cbc'): Promise<Buffer> {
  if (recipientsPem.length === 0) throw new AppError('SMIME_ENCRYPTION_FAILED', 'There is no certificate to encrypt the message to.');
  try {
    // pkijs exports the content-encryption key it makes (raw) while wrapping it for ECDH recipients; remember it so
    // recipients pkijs cannot serve (RSAES-PKCS1-v1_5, not in WebCrypto) get the same key.
    const crypto = engine();
    let cek: ArrayBuffer | null = null;
    const exportKey = crypto.exportKey.bind(crypto);
    crypto.exportKey = (async (format: 'raw', key: CryptoKey) => {
      const out = await exportKey(format, key);
      if (format === 'raw' && key.algorithm.name === 'AES-CBC') cek = out;
      return out;
    }) as typeof crypto.exportKey;
    const enveloped = new pkijs.EnvelopedData();
    const rsa: pkijs.Certificate[] = [];
    for (const pem of recipientsPem) {
      const cert = pkijsCert(pem);
      const alg = cert.subjectPublicKeyInfo.algorithm.algorithmId;
      if (alg === OID_RSA_ENCRYPTION) rsa.push(cert);
      else {
        const curve = new NodeX509(pem).publicKey.asymmetricKeyDetails?.namedCurve;
        enveloped.addRecipientByCertificate(cert, { kdfAlgorithm: curve === 'secp384r1' ? 'SHA-384' : 'SHA-256', kekEncryptionLength: 256 }, 2, crypto);
      }
    }
    // With AuthEnvelopedData pkijs only makes the key and the ECDH recipients; the content is encrypted below with GCM.
    await enveloped.encrypt({ name: 'AES-CBC', length: 256 } as AesKeyAlgorithm, mode === 'cbc' ? toArrayBuffer(content) : new ArrayBuffer(0), crypto);
    if (!cek) throw new Error('no content key');
    for (const cert of rsa) {
      const spki = Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false));
      const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      const encryptedKey =
        mode === 'cbc'
          ? publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(cek))
          : publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(cek));
      enveloped.recipientInfos.push(
        new pkijs.RecipientInfo({
          variant: 1,
          value: new pkijs.KeyTransRecipientInfo({
            version: 0,
            rid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
            keyEncryptionAlgorithm:
              mode === 'cbc' ? new pkijs.AlgorithmIdentifier({ algorithmId: OID_RSA_ENCRYPTION, algorithmParams: new asn1js.Null() }) : oaepSha256Algorithm(),
            encryptedKey: new asn1js.OctetString({ valueHex: toArrayBuffer(encryptedKey) }),
          }),
        }),
      );
    }
    if (mode === 'gcm-oaep') return authEnveloped(content, Buffer.from(cek), enveloped.recipientInfos);
    // RFC 5652 §6.1: version 2 when any RecipientInfo is not a version-0 KeyTransRecipientInfo, else 0.
    enveloped.version = rsa.length === recipientsPem.length ? 0 : 2;
    const ci = new pkijs.ContentInfo({ contentType: OID_ENVELOPED_DATA, content: enveloped.toSchema() });
    return toBuffer(ci.toSchema().toBER(false));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('SMIME_ENCRYPTION_FAILED', 'The message could not be encrypted to the S/MIME certificate.', { stage: 'encrypt' });
  }
}

/**
 * AuthEnvelopedData (RFC 5083 §2.1) around `content` with AES-256-GCM under `cek` (RFC 5084 §3.2: 12-byte random
 * nonce, 16-byte ICV; no authenticated attributes, so the tag covers the content alone), for the recipientInfos
 * already made for `cek`. Built with asn1js/pkijs structures.
 */
function authEnveloped(content: Buffer, cek: Buffer, recipientInfos: pkijs.RecipientInfo[]): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 });
  const encrypted = Buffer.concat([cipher.update(content), cipher.final()]);
  const tag = cipher.getAuthTag();
  const gcmParameters = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }), new asn1js.Integer({ value: 16 })] });
  const authEncryptedContentInfo = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID_DATA }),
      new pkijs.AlgorithmIdentifier({ algorithmId: OID_AES256_GCM, algorithmParams: gcmParameters }).toSchema(),
      new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: toArrayBuffer(encrypted) }),
    ],
  });
  const authEnvelopedData = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Set({ value: recipientInfos.map((r) => r.toSchema()) }),
      authEncryptedContentInfo,
      new asn1js.OctetString({ valueHex: toArrayBuffer(tag) }),
    ],
  });
  const ci = new pkijs.ContentInfo({ contentType: OID_AUTH_ENVELOPED_DATA, content: authEnvelopedData });
  return toBuffer(ci.toSchema().toBER(false));
}

/**
 * Sign then encrypt (RFC 8551 §3.7): the signed entity is `application/pkcs7-mime; smime-type=signed-data`
 * (base64), and that entity is enveloped.
 * @param innerEntity the MIME entity to protect (headers + body, CRLF)
 * @param mode see {@link SmimeContentEncryption}
 * @returns DER of the EnvelopedData (or AuthEnvelopedData) ContentInfo
 * @throws AppError SMIME_ENCRYPTION_FAILED
 * @source RFC 8551 §3.3, §3.5.2, §3.7
 */
export async function signThenEnvelope(
  innerEntity: Buffer,
  signer: CmsSigner,
  recipientsPem: readonly string[],
  date: Date,
  mode: SmimeContentEncryption = 'cbc',
): Promise<Buffer> {
  const signed = await signOpaque(innerEntity, signer, date);
  return envelope(pkcs7MimeEntity(signed, 'signed-data'), recipientsPem, mode);
}

/** An `application/pkcs7-mime` MIME entity around DER bytes (base64, 76-character lines, CRLF). */
export function pkcs7MimeEntity(der: Buffer, smimeType: 'signed-data' | 'enveloped-data' | 'authEnveloped-data'): Buffer {
  const b64 = (der.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n` +
      'Content-Transfer-Encoding: base64\r\n' +
      'Content-Disposition: attachment; filename="smime.p7m"\r\n' +
      '\r\n' +
      b64 +
      '\r\n',
    'latin1',
  );
}
