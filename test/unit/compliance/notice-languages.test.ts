/**
 * Patient-facing notices in the patient's language: one shared table of languages, every notice's words kept as
 * data with a row per language (same fields in each), dates written the language's way, and the delivery-failure
 * notice printing the practice's address, phone and privacy officer in English and Spanish (checked with pdftotext).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDeliveryFailureNotice } from '../../../src/main/services/compliance/documents/delivery-failure-notice';
import { renderExtensionNotice } from '../../../src/main/services/compliance/documents/extension-notice';
import { CONTACT_TEXT, DELIVERY_FAILURE_TEXT, EXTENSION_TEXT, longDate, privacyContactLine } from '../../../src/main/services/compliance/documents/notice-texts';
import { languageLabel, NOTICE_LANGUAGE_CODES, NOTICE_LANGUAGES, NoticeLanguageSchema, noticeLanguageOf } from '../../../src/shared/languages';
import { requireTool } from '../../support/tools';

const HAVE_POPPLER = requireTool('pdftotext');
const dir = mkdtempSync(join(tmpdir(), 'rd-notice-lang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const text = (bytes: Uint8Array, name: string): string => {
  const f = join(dir, `${name}.pdf`);
  writeFileSync(f, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
};
const practice = {
  name: 'Maplewood Family Practice',
  address: '12 Elm St, Springfield, IL 62701',
  phone: '(217) 555-0100',
  privacyOfficer: { name: 'Qwfp Privacyofficer', phone: '(217) 555-0142', email: 'privacy@maplewood.example.test' },
};

describe('the shared table of notice languages', () => {
  it('lists English and Spanish, English the default, and the contract accepts exactly those codes', () => {
    expect(NOTICE_LANGUAGE_CODES).toEqual(['en', 'es']);
    expect(noticeLanguageOf(undefined)).toBe('en');
    expect(noticeLanguageOf({})).toBe('en');
    expect(noticeLanguageOf({ preferredLanguage: 'es' })).toBe('es');
    expect(languageLabel('es')).toBe('Spanish (Español)');
    expect(languageLabel('en')).toBe('English');
    expect(NoticeLanguageSchema.safeParse('fr').success).toBe(false);
    for (const c of NOTICE_LANGUAGE_CODES) expect(NOTICE_LANGUAGES[c].code).toBe(c);
  });

  it('every notice has words for every language, with the same fields in each', () => {
    for (const table of [EXTENSION_TEXT, DELIVERY_FAILURE_TEXT, CONTACT_TEXT] as Array<Record<string, object>>) {
      expect(Object.keys(table).sort()).toEqual([...NOTICE_LANGUAGE_CODES].sort());
      const fields = Object.keys(table.en!).sort();
      for (const c of NOTICE_LANGUAGE_CODES) expect(Object.keys(table[c]!).sort()).toEqual(fields);
    }
    expect(DELIVERY_FAILURE_TEXT.es.ways).toHaveLength(DELIVERY_FAILURE_TEXT.en.ways.length);
  });

  it('writes dates the language’s way and refuses an invalid one', () => {
    expect(longDate('2026-04-30', 'en')).toBe('April 30, 2026');
    expect(longDate('2026-04-30', 'es')).toBe('30 de abril de 2026');
    expect(() => longDate('2026-02-30', 'es')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => longDate('30/04/2026', 'en')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('names the privacy officer in the notice’s language, falling back to the practice phone', () => {
    expect(privacyContactLine(practice, 'en')).toBe('our privacy officer, Qwfp Privacyofficer, at (217) 555-0142 or privacy@maplewood.example.test');
    expect(privacyContactLine(practice, 'es')).toBe('nuestro responsable de privacidad, Qwfp Privacyofficer, al teléfono (217) 555-0142 o por correo electrónico a privacy@maplewood.example.test');
    expect(privacyContactLine({ name: 'P', phone: '555-0100' }, 'es')).toBe('nuestro responsable de privacidad al teléfono 555-0100');
    expect(privacyContactLine({ name: 'P' }, 'en')).toBe('our privacy officer');
  });

  it('the Spanish texts address the patient formally (usted), never with tú forms', () => {
    const all = JSON.stringify([EXTENSION_TEXT.es, DELIVERY_FAILURE_TEXT.es]) +
      [EXTENSION_TEXT.es.by('X'), EXTENSION_TEXT.es.contact('X'), DELIVERY_FAILURE_TEXT.es.whatText('X'), DELIVERY_FAILURE_TEXT.es.contact('X', '1'), DELIVERY_FAILURE_TEXT.es.privacy('X')].join(' ');
    expect(all).toMatch(/\b(su|usted|comuníquese|Llámenos|Pídanos)\b/);
    expect(all).not.toMatch(/\b(tu|tus|tienes|puedes|llámanos|contáctanos|comunícate)\b/i);
  });
});

describe.skipIf(!HAVE_POPPLER)('notices in the patient’s language (pdftotext)', () => {
  it('the extension notice in Spanish: Spanish headings and dates, the reason as typed, the practice details', async () => {
    const t = text(
      await renderExtensionNotice({ practice, language: 'es', addresseeName: 'Zyxwv Testpatient', receivedDate: '2026-03-01', noticeDate: '2026-03-20', reason: 'Parte del expediente está en un archivo externo.', newDueDate: '2026-04-30' }),
      'ext-es',
    );
    for (const s of [
      'Aviso: necesitamos más tiempo para responder a su solicitud de expedientes',
      'Recibimos su solicitud el',
      '1 de marzo de 2026',
      '20 de marzo de 2026',
      'a más tardar el 30 de abril de 2026.',
      'Parte del expediente está en un archivo externo.',
      '12 Elm St, Springfield, IL 62701',
      '(217) 555-0100',
      'nuestro responsable de privacidad, Qwfp Privacyofficer',
      'Oficina de Derechos Civiles',
    ])
      expect(t).toContain(s);
    expect(t).not.toContain('We will complete');
  });

  it('the extension notice stays English when no language was recorded', async () => {
    const t = text(await renderExtensionNotice({ practice, addresseeName: 'Zyxwv Testpatient', receivedDate: '2026-03-01', noticeDate: '2026-03-20', reason: 'Off-site storage.', newDueDate: '2026-04-30' }), 'ext-en');
    expect(t).toContain('no later than April 30, 2026.');
  });

  for (const [language, expected] of [
    ['en', ['We could not deliver your records by email', 'For questions about your privacy, you may also contact our privacy officer, Qwfp Privacyofficer, at (217) 555-0142 or privacy@maplewood.example.test.']],
    ['es', ['No pudimos entregar sus expedientes por correo electrónico', 'también puede comunicarse con nuestro responsable de privacidad, Qwfp Privacyofficer, al teléfono (217) 555-0142']],
  ] as const) {
    it(`the delivery-failure notice (${language}) prints the practice address, phone and privacy officer`, async () => {
      const t = text(
        await renderDeliveryFailureNotice({ practice, reference: 'R-2026-00012', attemptDate: '2026-03-02', noticeDate: '2026-03-04', dueDate: '2026-03-31', language }),
        `failure-${language}`,
      );
      for (const s of [...expected, '12 Elm St, Springfield, IL 62701', '(217) 555-0100', 'R-2026-00012']) expect(t).toContain(s);
    });
  }
});
