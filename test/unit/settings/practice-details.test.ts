/**
 * Practice details through the real dispatch: settings.updatePractice stores the postal address, phone and privacy
 * officer (audited by field name only), refuses a bad privacy email, and the authorization form and extension notice
 * the request service makes print them (checked with pdftotext).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/tools';
import { intake, localDay, startBackend, type Backend } from '../../support/backend';

const HAVE_POPPLER = requireTool('pdftotext');
const DETAILS = {
  address: '12 Elm St, Springfield, IL 62701',
  phone: '(217) 555-0100',
  privacyOfficer: { name: 'Qwfp Privacyofficer', phone: '(217) 555-0142', email: 'privacy@maplewood.example.test' },
};

describe('practice details (address, phone, privacy officer)', () => {
  let b: Backend;
  const dir = mkdtempSync(join(tmpdir(), 'rd-practice-'));
  beforeAll(async () => {
    b = await startBackend();
    b.clock.set(new Date(Date.now() + 2000).toISOString()); // the practice key was made a moment ago
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = (bytes: Buffer) => {
    const f = join(dir, `doc-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(f, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  };

  it('a refused privacy email changes nothing; a valid update is stored and audited by field name only', async () => {
    await expect(b.call('settings.updatePractice', { ...DETAILS, privacyOfficer: { name: 'X Y', email: 'not an address' } })).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
    expect((await b.call('settings.get', {})).practice.address).toBeUndefined();
    const p = await b.call('settings.updatePractice', DETAILS);
    expect(p).toMatchObject({ name: 'Maplewood Family Practice', timeZone: 'America/Chicago', ...DETAILS });
    expect((await b.call('settings.get', {})).practice).toMatchObject(DETAILS);
    const ev = (await b.call('audit.events', { limit: 1 }))[0]!;
    expect(ev).toMatchObject({ action: 'settings.change', outcome: 'success', detail: { fields: 'address,phone,privacyOfficer' } });
    // What the event says in words (not its hash, ids or time, which can spell "555" by chance).
    expect(JSON.stringify({ actor: ev.actor, action: ev.action, subjectId: ev.subjectId, detail: ev.detail })).not.toMatch(/Elm|555|Qwfp/);
  });

  it('control characters are refused at the boundary', async () => {
    await expect(b.call('settings.updatePractice', { ...DETAILS, address: '12 Elm St\r\nBcc: x@y.test' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.skipIf(!HAVE_POPPLER)('the authorization form and the extension notice print them', async () => {
    const r = await b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: 'Zyxwv Testpatient' }, receivedAt: b.clock.now().toISOString() }));
    const form = await b.call('authorizations.form', { requestId: r.id, prefill: true });
    await b.call('documents.export', { documentId: form.id });
    const formText = text(b.saved.at(-1)!.bytes);
    expect(formText).toContain('Send a written revocation to: Qwfp Privacyofficer, Privacy Officer, Maplewood Family Practice, 12 Elm St, Springfield, IL 62701.');
    const { notice } = await b.call('requests.extend', { requestId: r.id, reason: 'Records are in off-site storage', newDueDate: localDay(b.clock.now(), 45) });
    await b.call('documents.export', { documentId: notice.id });
    const noticeText = text(b.saved.at(-1)!.bytes);
    expect(noticeText).toContain('12 Elm St, Springfield, IL 62701');
    expect(noticeText).toContain('contact our privacy officer, Qwfp Privacyofficer, at (217) 555-0142 or privacy@maplewood.example.test.');
  });

  it.skipIf(!HAVE_POPPLER)('a request recorded in Spanish at intake gets its extension notice in Spanish, with the practice details', async () => {
    const r = await b.call(
      'requests.create',
      intake({ basis: 'right_of_access', requester: { role: 'patient', name: 'Zyxwv Testpatient' }, receivedAt: b.clock.now().toISOString(), preferredLanguage: 'es' }),
    );
    expect((await b.call('requests.get', { id: r.id })).request.preferredLanguage).toBe('es');
    const due = localDay(b.clock.now(), 45);
    const { notice } = await b.call('requests.extend', { requestId: r.id, reason: 'Los expedientes están en un archivo externo', newDueDate: due });
    await b.call('documents.export', { documentId: notice.id });
    const t = text(b.saved.at(-1)!.bytes);
    expect(t).toContain('Aviso: necesitamos más tiempo para responder a su solicitud de expedientes');
    expect(t).toMatch(/a más tardar el \d{1,2} de \p{L}+ de \d{4}\./u);
    expect(t).toContain('Los expedientes están en un archivo externo');
    expect(t).toContain('12 Elm St, Springfield, IL 62701');
    expect(t).toContain('comuníquese con nuestro responsable de privacidad, Qwfp Privacyofficer, al teléfono (217) 555-0142 o por correo electrónico a privacy@maplewood.example.test.');
    expect(t).not.toContain('We need more time');
  });
});
