/**
 * Every authorization form and patient notice ReleaseDesk generates prints the practice's postal address, phone and
 * privacy officer (164.508(c)(2)(i) revocation in writing; 164.524(b)(2)(ii) extension; 164.524(d)(2)(iii) denial:
 * the complaint contact of 164.530(a)(1)(ii) with phone; the delivery-failure notice). Each is generated through the
 * real dispatch (the delivery-failure notice by its renderer, as a release that bounced is set up elsewhere) and
 * read back with pdftotext. Also: the written denial's contents (basis, review rights or their absence, where the
 * records are, how to complain to the practice and to HHS), in English and Spanish, refused for an open request.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDeliveryFailureNotice } from '../../../src/main/services/compliance/documents/delivery-failure-notice';
import { practiceContact } from '../../../src/main/services/requests/request-service';
import type { ChannelInput } from '../../../src/shared/contract';
import { requireTool } from '../../support/tools';
import { intake, localDay, startBackend, type Backend } from '../../support/backend';

const HAVE_POPPLER = requireTool('pdftotext');
const ADDRESS = '12 Elm St, Springfield, IL 62701';
const PHONE = '(217) 555-0100';
const OFFICER = { name: 'Qwfp Privacyofficer', phone: '(217) 555-0142', email: 'privacy@maplewood.example.test' };
const ASSETS = join(__dirname, '..', '..', '..', 'assets');

describe.skipIf(!HAVE_POPPLER)('practice details on every generated form and notice (pdftotext)', () => {
  let b: Backend;
  const dir = mkdtempSync(join(tmpdir(), 'rd-practice-docs-'));
  beforeAll(async () => {
    b = await startBackend();
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    await b.call('settings.updatePractice', { address: ADDRESS, phone: PHONE, privacyOfficer: OFFICER });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = (bytes: Uint8Array) => {
    const f = join(dir, `doc-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(f, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  };
  const lastSaved = () => text(b.saved.at(-1)!.bytes);
  const expectPracticeDetails = (t: string, what: string) => {
    expect(t, what).toContain(ADDRESS);
    expect(t, what).toContain(PHONE);
    expect(t, what).toContain(OFFICER.name);
  };
  const accessRequest = (over: Partial<ChannelInput<'requests.create'>> = {}) =>
    b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: 'Zyxwv Testpatient' }, receivedAt: b.clock.now().toISOString(), ...over }));

  it('the authorization form (both variants) prints them, the revocation addressed to the privacy officer at the address', async () => {
    for (const psychotherapyNotesOnly of [false, true]) {
      const form = await b.call('authorizations.form', { prefill: false, psychotherapyNotesOnly });
      await b.call('documents.export', { documentId: form.id });
      const t = lastSaved();
      expectPracticeDetails(t, `authorization form (psychotherapy notes only: ${psychotherapyNotesOnly})`);
      expect(t).toContain(`Send a written revocation to: ${OFFICER.name}, Privacy Officer, Maplewood Family Practice, ${ADDRESS}.`);
    }
  });

  it('the extension notice prints them, in English and in Spanish', async () => {
    for (const preferredLanguage of ['en', 'es'] as const) {
      const r = await accessRequest({ preferredLanguage });
      const { notice } = await b.call('requests.extend', { requestId: r.id, reason: 'Records are in off-site storage', newDueDate: localDay(b.clock.now(), 45) });
      await b.call('documents.export', { documentId: notice.id });
      const t = lastSaved();
      expectPracticeDetails(t, `extension notice (${preferredLanguage})`);
      expect(t).toContain(OFFICER.phone);
    }
  });

  it('the delivery-failure notice prints them', async () => {
    const practice = practiceContact((await b.call('settings.get', {})).practice);
    const t = text(await renderDeliveryFailureNotice({ practice, reference: 'R-2026-00001', attemptDate: '2026-03-02', noticeDate: '2026-03-03', language: 'en', assetsRoot: ASSETS }));
    expectPracticeDetails(t, 'delivery-failure notice');
  });

  it('the denial notice (164.524(d)(2)) states the basis, how to ask for a review, and how to complain — to the privacy officer with phone, and to HHS', async () => {
    const r = await accessRequest();
    await expect(b.call('requests.denialNotice', { requestId: r.id, reviewable: true })).rejects.toMatchObject({ code: 'STATUS_TRANSITION_INVALID' });
    await b.call('requests.deny', { requestId: r.id, reason: 'A licensed professional judged that access is reasonably likely to endanger the life or physical safety of another person.' });
    // A closed request names the day it closed (the requests list shows "Closed — denied on …", not days left).
    expect(r.closedOn).toBeNull();
    expect((await b.call('requests.get', { id: r.id })).closedOn).toBe(localDay(b.clock.now()));
    expect((await b.call('requests.list', {})).find((x) => x.id === r.id)?.closedOn).toBe(localDay(b.clock.now()));
    const out = await b.call('requests.denialNotice', { requestId: r.id, reviewable: true });
    expect(out).toMatchObject({ saved: true, language: 'en' });
    expect(b.saved.at(-1)!.name).toBe(`denial-notice-${r.reference}.pdf`);
    const t = lastSaved();
    if (process.env.KEEP_DENIAL_PDF) writeFileSync(process.env.KEEP_DENIAL_PDF, b.saved.at(-1)!.bytes);
    expectPracticeDetails(t, 'denial notice');
    expect(t).toContain('Notice: we cannot give you some or all of the records you asked for');
    expect(t).toContain('To Zyxwv Testpatient');
    expect(t).toContain('reasonably likely to endanger the life or physical safety of another person');
    expect(t).toContain(`To ask for a review, write to Maplewood Family Practice at ${ADDRESS} or call us at ${PHONE}.`);
    expect(t).toContain(`file a complaint with us by contacting our privacy officer, ${OFFICER.name}, at ${OFFICER.phone} or ${OFFICER.email}, or by writing to us at ${ADDRESS}.`);
    expect(t).toContain('Office for Civil Rights');
    expect(t).not.toContain('Where the records may be');
    const ev = (await b.call('audit.events', { limit: 1 }))[0]!;
    expect(ev).toMatchObject({ action: 'request.denial_notice', outcome: 'success', detail: { reviewable: true, language: 'en' } });
    expect(JSON.stringify(ev)).not.toContain('endanger');
  });

  it('an unreviewable denial says so; records kept elsewhere are named; in Spanish with the practice details', async () => {
    const r = await accessRequest({ preferredLanguage: 'es' });
    await b.call('requests.deny', { requestId: r.id, reason: 'No guardamos estos expedientes.' });
    await b.call('requests.denialNotice', { requestId: r.id, reviewable: false, elsewhere: 'Springfield Imaging Center, (217) 555-0199' });
    const t = lastSaved();
    expectPracticeDetails(t, 'denial notice (es)');
    expect(t).toContain('no podemos darle algunos o todos los expedientes que pidió');
    expect(t).toContain('que la ley federal no permite revisar (45 CFR 164.524(a)(2))');
    expect(t).toContain('Puede pedirlos a: Springfield Imaging Center, (217) 555-0199.');
    expect(t).toContain(`comunicándose con nuestro responsable de privacidad, ${OFFICER.name}, al teléfono ${OFFICER.phone}`);
    expect(t).not.toContain('Your right to a review');
  });
});
