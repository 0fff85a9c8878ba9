/**
 * Shared synthetic fixtures for the delivery tests: a practice key, a
 * recipient key made by GnuPG, and a small PDF carrying marker PHI that must
 * never appear outside the encryption.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { generatePracticeKey, type PracticeKeyPair } from '../../../src/main/services/openpgp/keys';
import type { PgpMimeInput } from '../../../src/main/services/delivery/pgpmime';
import { createGpgHome, type GpgHome } from '../../support/gpg';

/** Strings that stand for PHI: any of them outside the ciphertext is a leak. */
export const PHI_MARKERS = ['Zyxwv Testpatient', 'MRN-58213-QX', '1961-07-14', 'Hypothetical Syndrome Q'];

export const PRACTICE = { name: 'Qwerty Family Clinic', address: 'records@clinic.example.test' };
export const RECIPIENT = { name: 'Abcde Lawfirm Intake', address: 'intake@lawfirm.example.test' };

/** A one-page PDF whose text contains the PHI markers. */
export async function markerPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  // Fixed dates keep the bytes deterministic for a given pdf-lib version.
  doc.setCreationDate(new Date('2026-01-01T00:00:00Z'));
  doc.setModificationDate(new Date('2026-01-01T00:00:00Z'));
  const page = doc.addPage([612, 792]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lines = ['Synthetic test record - not a real patient', `Patient: ${PHI_MARKERS[0]}`, `MRN: ${PHI_MARKERS[1]}`, `DOB: ${PHI_MARKERS[2]}`, `Diagnosis: ${PHI_MARKERS[3]}`];
  lines.forEach((l, i) => page.drawText(l, { x: 72, y: 700 - i * 24, size: 14, font }));
  return Buffer.from(await doc.save());
}

export interface Parties {
  practice: PracticeKeyPair;
  gpg: GpgHome;
  recipientFpr: string;
  recipientPublic: string;
  pdf: Buffer;
}

/** Practice key (openpgp), recipient key (gpg, with the practice's public key imported so it can verify). */
export async function makeParties(): Promise<Parties> {
  const practice = await generatePracticeKey({ name: PRACTICE.name, email: PRACTICE.address });
  const gpg = createGpgHome();
  const recipientFpr = gpg.generateKey({ name: RECIPIENT.name, email: RECIPIENT.address });
  const recipientPublic = gpg.exportPublic(recipientFpr);
  gpg.importKey(practice.armoredPublic);
  return { practice, gpg, recipientFpr, recipientPublic, pdf: await markerPdf() };
}

/** A complete input for buildPgpMimeMessage with a PHI-free subject and PHI only in body and PDF. */
export function messageInput(p: Parties, over: Partial<PgpMimeInput> = {}): PgpMimeInput {
  return {
    from: PRACTICE,
    to: RECIPIENT,
    subject: `Secure message from ${PRACTICE.name}`,
    textBody: `Records for ${PHI_MARKERS[0]} (${PHI_MARKERS[1]}) are attached.\nDürfen wir — unicode survives.\n`,
    attachments: [{ filename: 'record-1.pdf', content: p.pdf, contentType: 'application/pdf' }],
    signingKeyArmored: p.practice.armoredPrivate,
    encryptionKeysArmored: [p.recipientPublic, p.practice.armoredPublic],
    // Now, not a fixed date: keys made a moment ago are not valid before their creation.
    date: new Date(),
    ...over,
  };
}

/** The ASCII-armored OpenPGP message inside a PGP/MIME message. */
export function armoredPart(raw: Buffer | string): string {
  const m = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----\r?\n/.exec(raw.toString('latin1'));
  if (!m) throw new Error('no armored OpenPGP message found');
  return m[0];
}

/** The outer header block (before the first empty line). */
export function outerHeaders(raw: Buffer): string {
  const s = raw.toString('latin1');
  return s.slice(0, s.indexOf('\r\n\r\n'));
}
