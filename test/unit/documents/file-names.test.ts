/**
 * A file's name comes from the operating system, a drop, a fax server or an email attachment, and is shown to staff
 * next to warnings about the patient. It is stored and shown only as a plain, bounded last path segment: no
 * text-direction or invisible characters (a name with U+202E reads "exe.pdf" and reverses the sentence around it;
 * Unicode TR #36 §2, CVE-2021-42574), no control characters, no path, at most 120 characters with its extension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDisplayName, MAX_FILE_NAME } from '../../../src/shared/text-rules';
import { file, intake, recordPdf, startBackend, type Backend } from '../../support/backend';

describe('file names of imported records', () => {
  it('keeps the last path segment, drops control, zero-width and text-direction characters, and bounds the length', () => {
    expect(fileDisplayName('\u202Efdp.exe')).toBe('fdp.exe');
    expect(fileDisplayName('a\u0000b.pdf')).toBe('ab.pdf');
    expect(fileDisplayName('../../../tmp/PWNED.pdf')).toBe('PWNED.pdf');
    expect(fileDisplayName('C:\\scans\\fax 0412.pdf')).toBe('fax 0412.pdf');
    expect(fileDisplayName('..')).toBe('file');
    expect(fileDisplayName('\u200B\u2066')).toBe('file');
    expect(fileDisplayName('  lab\tresults \n 2026.pdf ')).toBe('lab results 2026.pdf');
    expect(fileDisplayName('bad\uD800half.pdf')).toBe('bad\uFFFDhalf.pdf');
    expect(fileDisplayName('Nguye\u0302\u0303n.pdf')).toBe('Nguye\u0302\u0303n.pdf'.normalize('NFC'));
    const long = fileDisplayName(`${'A'.repeat(400)}.pdf`);
    expect(long.length).toBe(MAX_FILE_NAME);
    expect(long.endsWith('….pdf')).toBe(true);
    expect(fileDisplayName('short.pdf')).toBe('short.pdf');
  });

  let b: Backend;
  let releaseId: string;
  beforeAll(async () => {
    b = await startBackend();
    const req = await b.call('requests.create', intake());
    releaseId = (await b.call('releases.create', { requestId: req.id })).id;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('stores and shows hostile names of imported and refused files in their plain form', async () => {
    const pdf = await recordPdf('Name check');
    b.stage([
      file('\u202Efdp.exe', pdf),
      file('a\u0000b.pdf', pdf),
      file('../../../tmp/PWNED.pdf', pdf),
      file(`${'A'.repeat(400)}.pdf`, pdf),
      file('\u202Etxt.notes', Buffer.from('not a record')),
    ]);
    const r = await b.call('documents.pick', { releaseId });
    expect(r.imported.map((d) => d.originalName)).toEqual(['fdp.exe', 'ab.pdf', 'PWNED.pdf', `${'A'.repeat(MAX_FILE_NAME - 5)}….pdf`]);
    expect(r.rejected).toEqual([{ fileName: 'txt.notes', code: 'MEDIA_TYPE_UNSUPPORTED', message: expect.any(String) }]);
    const rel = await b.call('releases.get', { id: releaseId });
    for (const d of rel.documents) {
      expect(d.originalName).not.toMatch(/[\u0000-\u001f\u202A-\u202E\u2066-\u2069/\\]/);
      expect(d.originalName.length).toBeLessThanOrEqual(MAX_FILE_NAME);
    }
  });
});
