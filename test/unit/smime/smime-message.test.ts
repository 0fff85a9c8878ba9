import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmimeMessage } from '../../../src/main/services/smime/message';
import { makeSelfSignedPracticeCertificate, type PracticeCertificate } from '../../../src/main/services/smime/practice-certificate';
import { requireTool } from '../../support/tools';
import { smimeCert } from '../../support/smime-certs';
import { gpgsmOpen, mimeBodyBytes, opensslOpen } from '../../support/smime-read';
import { execFileSync } from 'node:child_process';

/** `openssl cms -cmsout -print` of the message's CMS body: the structure as openssl reads it. */
function cmsPrint(raw: Buffer): string {
  return execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER'], { input: mimeBodyBytes(raw), maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
}

const hasOpenssl = requireTool('openssl');
const hasGpgsm = requireTool('gpgsm');
const EMAIL = 'records@hospital.example';
let practice: PracticeCertificate;
// Synthetic bytes with every byte value, CR and LF alone, and no trailing newline: a byte-exact round trip.
const fileA = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000), Buffer.from('\r\n\r.\n%%EOF')]);
const fileB = randomBytes(4097);

async function message(recipientPem: string, encryption: 'cbc' | 'gcm-oaep' = 'cbc') {
  return buildSmimeMessage({
    from: { name: 'Qwerty Family Clinic', address: 'records@clinic.example' },
    to: { name: 'Records Office', address: EMAIL },
    subject: 'Secure message from Qwerty Family Clinic',
    textBody: 'Release R-2026-00001.\r\nAttached: 2 file(s).',
    attachments: [
      { filename: 'record-1.pdf', content: fileA, contentType: 'application/pdf' },
      { filename: 'record-2.pdf', content: fileB, contentType: 'application/pdf' },
    ],
    signer: practice,
    recipientCertsPem: [recipientPem, practice.certPem],
    date: new Date(),
    encryption,
  });
}

async function expectFiles(inner: Buffer): Promise<void> {
  const parsed = await simpleParser(inner);
  expect(parsed.text).toContain('Release R-2026-00001.');
  expect(parsed.attachments.map((a) => a.filename)).toEqual(['record-1.pdf', 'record-2.pdf']);
  expect(parsed.attachments[0]!.content.equals(fileA)).toBe(true);
  expect(parsed.attachments[1]!.content.equals(fileB)).toBe(true);
}

describe.skipIf(!hasOpenssl)('S/MIME messages (signed, then encrypted) read by openssl and gpgsm', () => {
  beforeAll(async () => {
    practice = await makeSelfSignedPracticeCertificate('Qwerty Family Clinic', 'records@clinic.example', new Date(Date.now() - 3_600_000));
  });

  it('puts only neutral headers in the clear: the body is one enveloped-data part', async () => {
    const { raw, messageId } = await message(smimeCert('rsa', EMAIL).cert);
    const head = raw.toString('latin1').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(head).toMatch(/Content-Type: application\/pkcs7-mime; smime-type=enveloped-data; name="?smime.p7m"?/);
    expect(head.split('\r\n').map((l) => l.slice(0, l.indexOf(':'))).sort()).toEqual(
      ['Content-Disposition', 'Content-Transfer-Encoding', 'Content-Type', 'Date', 'From', 'MIME-Version', 'Message-ID', 'Subject', 'To'].sort(),
    );
    expect(head).toContain(`Message-ID: ${messageId}`);
    expect(raw.toString('latin1')).not.toContain('record-1.pdf');
    expect(raw.toString('latin1')).not.toContain('R-2026-00001');
  });

  it('RSA recipient: openssl cms decrypts, verifies the practice signature, and the files are byte-identical', async () => {
    const rec = smimeCert('rsa', EMAIL);
    const { raw } = await message(rec.cert);
    const { decrypted, inner } = opensslOpen(raw, rec, practice.certPem);
    expect(decrypted.toString('latin1')).toMatch(/smime-type=signed-data/);
    await expectFiles(inner);
  });

  it.skipIf(!hasGpgsm)('RSA recipient: gpgsm decrypts and reports a good, valid signature; the files are byte-identical', async () => {
    const rec = smimeCert('rsa', EMAIL);
    const { raw } = await message(rec.cert);
    const { inner, status } = gpgsmOpen(raw, rec, practice.certPem);
    expect(status).toMatch(/\[GNUPG:\] GOODSIG /);
    expect(status).toMatch(/\[GNUPG:\] VALIDSIG /);
    await expectFiles(inner);
  });

  it.each(['ec', 'ec384'] as const)('EC recipient (%s, ECDH): openssl cms decrypts and verifies (gpgsm 2.2 has no EC S/MIME)', async (kind) => {
    const rec = smimeCert(kind, EMAIL);
    const { raw } = await message(rec.cert);
    await expectFiles(opensslOpen(raw, rec, practice.certPem).inner);
  });

  it('the practice can read its own copy (encrypted to the practice certificate too)', async () => {
    const { raw } = await message(smimeCert('ec', EMAIL).cert);
    const asRecipient = { cert: practice.certPem, key: practice.keyPem, p12: Buffer.alloc(0), chainPem: practice.certPem };
    await expectFiles(opensslOpen(raw, asRecipient, practice.certPem).inner);
  });

  it('another certificate cannot decrypt it', async () => {
    const { raw } = await message(smimeCert('rsa', EMAIL).cert);
    expect(() => opensslOpen(raw, smimeCert('rsa', 'other@hospital.example'), practice.certPem)).toThrow();
  });

  it('refuses a subject that names the recipient and a certificate that is not one, without composing', async () => {
    await expect(
      buildSmimeMessage({
        from: { name: 'C', address: 'records@clinic.example' },
        to: { name: 'Records Office', address: EMAIL },
        subject: `For ${EMAIL}`,
        textBody: 'x',
        attachments: [],
        signer: practice,
        recipientCertsPem: [smimeCert('rsa', EMAIL).cert],
        date: new Date(),
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      buildSmimeMessage({
        from: { name: 'C', address: 'records@clinic.example' },
        to: { name: 'Records Office', address: EMAIL },
        subject: 'Secure message',
        textBody: 'x',
        attachments: [],
        signer: practice,
        recipientCertsPem: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
        date: new Date(),
      }),
    ).rejects.toMatchObject({ code: 'SMIME_ENCRYPTION_FAILED' });
  });

  describe('for a recipient whose program reads RSA-OAEP and AES-GCM (AuthEnvelopedData)', () => {
    it('by default the content is AES-256-CBC EnvelopedData and RSA keys travel with PKCS#1 v1.5', async () => {
      const printed = cmsPrint((await message(smimeCert('rsa', EMAIL).cert)).raw);
      expect(printed).toMatch(/contentType: pkcs7-envelopedData/);
      expect(printed).toMatch(/aes-256-cbc/);
      expect(printed).toMatch(/rsaEncryption/);
      expect(printed).not.toMatch(/rsaesOaep/);
    });

    it('RSA recipient: AuthEnvelopedData with AES-256-GCM and RSAES-OAEP (SHA-256); openssl cms decrypts, verifies, files byte-identical', async () => {
      const rec = smimeCert('rsa', EMAIL);
      const { raw } = await message(rec.cert, 'gcm-oaep');
      expect(raw.toString('latin1')).toMatch(/smime-type=authEnveloped-data/);
      const printed = cmsPrint(raw);
      expect(printed).toMatch(/contentType: id-smime-ct-authEnvelopedData/);
      expect(printed).toMatch(/aes-256-gcm \(2.16.840.1.101.3.4.1.46\)/);
      expect(printed).toMatch(/rsaesOaep/);
      expect(printed).toMatch(/sha256/);
      expect(printed).not.toMatch(/algorithm: rsaEncryption/);
      const { inner } = opensslOpen(raw, rec, practice.certPem);
      await expectFiles(inner);
    });

    it('EC recipient (ECDH): AuthEnvelopedData that openssl cms decrypts and verifies', async () => {
      const rec = smimeCert('ec', EMAIL);
      const { raw } = await message(rec.cert, 'gcm-oaep');
      const { inner } = opensslOpen(raw, rec, practice.certPem);
      await expectFiles(inner);
    });

    it('a changed byte in the GCM-protected content is detected: openssl refuses to decrypt', async () => {
      const rec = smimeCert('rsa', EMAIL);
      const { raw } = await message(rec.cert, 'gcm-oaep');
      const text = raw.toString('latin1');
      const bodyAt = text.indexOf('\r\n\r\n') + 4;
      const der = mimeBodyBytes(raw);
      der.writeUInt8(der.readUInt8(der.length - 40) ^ 0x01, der.length - 40); // inside the encrypted content, before the tag
      const b64 = (der.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
      const tampered = Buffer.from(text.slice(0, bodyAt) + b64 + '\r\n', 'latin1');
      expect(() => opensslOpen(tampered, rec, practice.certPem)).toThrow();
    });

    it.skipIf(!hasGpgsm)('gpgsm 2.2 cannot read AuthEnvelopedData with RSA-OAEP: why CBC and PKCS#1 v1.5 stay the default', async () => {
      const rec = smimeCert('rsa', EMAIL);
      const { raw } = await message(rec.cert, 'gcm-oaep');
      expect(() => gpgsmOpen(raw, rec, practice.certPem)).toThrow();
    });
  });
});
