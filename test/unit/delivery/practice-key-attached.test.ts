/**
 * Issue: recipients could not check the signature ("No public key"). The practice PUBLIC key is now
 * attached inside the encrypted PGP/MIME entity (practice-key.asc, application/pgp-keys) and the inner
 * text says how to import it and which fingerprint to expect. Checked with GnuPG 2.2 end to end:
 * decrypt without the key (no valid signature), import the key FROM the decrypted message, decrypt again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { buildPgpMimeMessage } from '../../../src/main/services/delivery/pgpmime';
import { generatePracticeKey, type PracticeKeyPair } from '../../../src/main/services/openpgp/keys';
import { innerBody, practiceKeyAttachment, PRACTICE_KEY_FILENAME } from '../../../src/main/services/releases/methods/pgp-mime';
import { formatFingerprint } from '../../../src/shared/fingerprint';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';
import { PRACTICE, RECIPIENT, armoredPart, markerPdf } from './fixtures';

const hasGpg = requireTool('gpg');

describe.skipIf(!hasGpg)('PGP/MIME release carries the practice public key', () => {
  let gpg: GpgHome;
  let practice: PracticeKeyPair;
  let recipientPublic: string;
  let practiceFpr: string;
  beforeAll(async () => {
    practice = await generatePracticeKey({ name: PRACTICE.name, email: PRACTICE.address });
    practiceFpr = practice.info.fingerprint;
    gpg = createGpgHome(); // the recipient: has only its own key, NOT the practice key
    const fpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.address });
    recipientPublic = gpg.exportPublic(fpr);
  });
  afterAll(() => gpg?.cleanup());

  it('gpg verifies GOODSIG/VALIDSIG after importing practice-key.asc taken from the decrypted message', async () => {
    const doc = { id: 'doc000001', label: 'record-1.pdf', pageCount: 1, sha256: 'ab'.repeat(32) };
    const text = innerBody(PRACTICE.name, 'REL-7Q2X', [doc as never], [], practiceFpr);
    const { raw } = await buildPgpMimeMessage({
      from: PRACTICE,
      to: { name: '', address: RECIPIENT.address },
      subject: `Secure message from ${PRACTICE.name}`,
      textBody: text,
      attachments: [{ filename: 'record-1.pdf', content: await markerPdf(), contentType: 'application/pdf' }, practiceKeyAttachment(practice.armoredPublic)],
      signingKeyArmored: practice.armoredPrivate,
      encryptionKeysArmored: [recipientPublic, practice.armoredPublic],
      date: new Date(),
    });
    // Nothing about the key in the clear.
    expect(raw.toString('latin1')).not.toContain(PRACTICE_KEY_FILENAME);
    const armored = armoredPart(raw);

    // 1. Without the practice key: decrypts, but no valid signature.
    const first = gpg.decrypt(armored);
    expect(first.status.some((l) => l.startsWith('DECRYPTION_OKAY'))).toBe(true);
    expect(first.status.some((l) => l.startsWith('NO_PUBKEY') || l.startsWith('ERRSIG'))).toBe(true);
    expect(first.status.some((l) => l.startsWith('GOODSIG'))).toBe(false);

    // 2. The decrypted entity has the key attachment and the instructions with the grouped fingerprint.
    const inner = await simpleParser(first.stdout);
    const keyPart = inner.attachments.find((a) => a.filename === PRACTICE_KEY_FILENAME);
    expect(keyPart?.contentType).toBe('application/pgp-keys');
    const keyText = keyPart!.content.toString('utf8');
    expect(keyText).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(keyText).not.toContain('PRIVATE');
    expect(inner.text).toContain(`gpg --import ${PRACTICE_KEY_FILENAME}`);
    expect(inner.text).toContain(formatFingerprint(practiceFpr));
    expect(formatFingerprint(practiceFpr)).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);

    // 3. Import the key from the message, decrypt again: good, valid signature by the practice key.
    gpg.importKey(keyText);
    const second = gpg.decrypt(armored);
    expect(second.exitCode).toBe(0);
    expect(second.status.some((l) => l.startsWith('GOODSIG'))).toBe(true);
    const validsig = second.status.find((l) => l.startsWith('VALIDSIG '));
    expect(validsig?.split(' ')).toContain(practiceFpr);
  }, 30_000);

  it('refuses to attach a private key', () => {
    expect(() => practiceKeyAttachment(practice.armoredPrivate)).toThrow(/public key/);
  });
});
