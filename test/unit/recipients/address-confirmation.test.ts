/**
 * The address confirmation round trip through the real dispatch, a real encrypted vault and the real smtp-server on
 * 127.0.0.1 with STARTTLS (test/support/smtp.ts): the code email arrives over TLS and carries no PHI; the code read
 * back confirms the address (who, when, method) and later releases of the same patient to it need no new
 * confirmation; a wrong, superseded, over-tried or expired code (fixed clock) is refused; everything is audited
 * without the address or the code; the vault keeps the code only as an HMAC.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_LIFETIME_MS, MAX_ATTEMPTS } from '../../../src/main/services/recipients/address-confirmation';
import type { ChannelInput } from '../../../src/shared/contract';
import { startSmtpServer } from '../../support/smtp';
import { intake, PATIENT, startBackend, type Backend } from '../../support/backend';
import { refusal } from '../../support/refusal';

const NEW_ADDRESS = 'home.inbox@mailbox.example.test';
const OTHER_PATIENT = { name: 'Qvbnm Otherpatient', dateOfBirth: '1975-03-09', mrn: 'MRN-77120-ZK' };

/** The 6-digit code in a received message ("123 456"). */
function codeIn(raw: Buffer): string {
  const m = /confirmation code is: (\d{3}) (\d{3})/.exec(raw.toString('utf8').replace(/=\r\n/g, ''));
  if (!m) throw new Error('no code in the message');
  return `${m[1]}${m[2]}`;
}

/** A code that is certainly not `code`. */
const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('address confirmation round trip (real smtp-server, STARTTLS)', () => {
  let b: Backend;
  let releaseId: string;
  let requestRef: string;
  let releaseRef: string;

  async function release(over: Partial<ChannelInput<'requests.create'>> = {}) {
    const req = await b.call('requests.create', intake({ receivedAt: b.clock.now().toISOString(), ...over }));
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await b.call('releases.create', { requestId: req.id });
    return { req, rel };
  }

  const events = async (n = 50) => (await b.call('audit.events', { limit: n })).filter((e) => e.action.startsWith('address.'));

  beforeAll(async () => {
    b = await startBackend({ withSmtp: true });
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    await b.call('settings.updatePractice', { address: '12 Elm St, Springfield, IL 62701', phone: '(217) 555-0100', privacyOfficer: { name: 'Qwfp Privacyofficer' } });
    const { req, rel } = await release();
    releaseId = rel.id;
    requestRef = req.reference;
    releaseRef = rel.reference;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('nothing is pending or confirmed at first; reading back before a code was sent is refused', async () => {
    expect(await b.call('recipients.addressStatus', { releaseId, email: NEW_ADDRESS })).toEqual({ confirmed: null, pending: null });
    expect((await refusal(b.call('recipients.confirmCode', { releaseId, email: NEW_ADDRESS, code: '123456' }))).code).toBe('ADDRESS_CODE_NOT_SENT');
  });

  it('the code email goes over STARTTLS to the address only and carries no PHI or request details', async () => {
    const st = await b.call('recipients.sendCode', { releaseId, email: NEW_ADDRESS });
    expect(st.confirmed).toBeNull();
    expect(st.pending).toMatchObject({ attemptsLeft: MAX_ATTEMPTS, expired: false });
    expect(new Date(st.pending!.expiresAt).getTime() - new Date(st.pending!.sentAt).getTime()).toBe(CODE_LIFETIME_MS);
    const msg = b.smtp!.received.at(-1)!;
    expect(msg.secure).toBe(true);
    expect(msg.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(msg.rcptTo).toEqual([NEW_ADDRESS]);
    expect(msg.mailFrom).toBe('records@clinic.example.test');
    const mail = await simpleParser(msg.raw);
    expect(mail.subject).toBe('Your confirmation code');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([{ address: NEW_ADDRESS, name: '' }]);
    expect(mail.attachments).toEqual([]);
    const text = `${mail.subject}\n${mail.text ?? ''}`;
    expect(codeIn(msg.raw)).toMatch(/^\d{6}$/);
    expect(text).toContain('Maplewood Family Practice');
    expect(text).toContain('(217) 555-0100');
    const [y, m, d] = PATIENT.dateOfBirth.split('-');
    for (const phi of [
      PATIENT.name, ...PATIENT.name.split(' '), PATIENT.mrn, PATIENT.dateOfBirth, `${m}/${d}/${y}`, 'July 14', '1961',
      requestRef, releaseRef, 'Abcde Lawfirm', 'intake@lawfirm', 'visit', 'lab', 'record', 'authoriz', 'Qwert Frontdesk',
    ]) {
      expect(text.toLowerCase(), phi).not.toContain(phi.toLowerCase());
    }
  });

  it('the vault keeps the code only as an HMAC; the audit names no address and no code', async () => {
    const code = codeIn(b.smtp!.received.at(-1)!.raw);
    const rows = b.services.session.require().db.prepare('SELECT * FROM address_confirmations').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ address: NEW_ADDRESS, patient_mrn: PATIENT.mrn, release_id: releaseId, attempts: 0, confirmed_at: null });
    expect(JSON.stringify(rows)).not.toContain(code);
    const [ev] = await events();
    expect(ev).toMatchObject({ action: 'address.code_sent', outcome: 'success', subjectType: 'release', subjectId: releaseId, detail: { tlsProtocol: expect.stringMatching(/^TLSv1\.[23]$/) } });
    const { hash: _hash, ...shown } = ev!;
    expect(JSON.stringify(shown)).not.toMatch(/inbox|mailbox\.example/i);
    expect(JSON.stringify(shown)).not.toContain(code);
  });

  it('a wrong code is refused, counted and audited; the right one confirms the address (who, when, method)', async () => {
    const code = codeIn(b.smtp!.received.at(-1)!.raw);
    const wrong = await refusal(b.call('recipients.confirmCode', { releaseId, email: NEW_ADDRESS, code: wrongOf(code) }));
    expect(wrong.code).toBe('ADDRESS_CODE_WRONG');
    expect(wrong.message).toContain(`${MAX_ATTEMPTS - 1} tries left`);
    expect((await events())[0]).toMatchObject({ action: 'address.confirm', outcome: 'refused', detail: { code: 'ADDRESS_CODE_WRONG', attemptsLeft: MAX_ATTEMPTS - 1 } });
    expect((await b.call('recipients.addressStatus', { releaseId, email: NEW_ADDRESS })).pending?.attemptsLeft).toBe(MAX_ATTEMPTS - 1);
    const at = b.clock.now().toISOString();
    const ok = await b.call('recipients.confirmCode', { releaseId, email: NEW_ADDRESS.toUpperCase(), code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(ok).toEqual({ confirmed: { by: 'Qwert Frontdesk', at, method: 'code' }, pending: null });
    const ev = (await events())[0]!;
    expect(ev).toMatchObject({ action: 'address.confirm', outcome: 'success', detail: { method: 'code' } });
    expect(JSON.stringify(ev)).not.toMatch(/inbox|mailbox\.example/i);
    expect((await refusal(b.call('recipients.sendCode', { releaseId, email: NEW_ADDRESS }))).code).toBe('ADDRESS_ALREADY_CONFIRMED');
  });

  it('the confirmed address is taken by setRecipient without a new confirmation and clears the request mismatch, on this and later releases', async () => {
    const d = await b.call('releases.setRecipient', { releaseId, name: 'Zyxwv Testpatient', email: NEW_ADDRESS });
    expect(d.recipient?.addressConfirmed).toMatchObject({ by: 'Qwert Frontdesk', method: 'code' });
    const ev = await b.call('releases.evaluate', { releaseId });
    expect(ev.findings.map((f) => f.code)).not.toContain('RECIPIENT_NOT_IN_REQUEST');
    const later = await release();
    const sentBefore = b.smtp!.received.length;
    const d2 = await b.call('releases.setRecipient', { releaseId: later.rel.id, name: 'Zyxwv Testpatient', email: NEW_ADDRESS });
    expect(d2.recipient?.addressConfirmed).toMatchObject({ method: 'code' });
    expect((await b.call('releases.evaluate', { releaseId: later.rel.id })).findings.map((f) => f.code)).not.toContain('RECIPIENT_NOT_IN_REQUEST');
    expect(b.smtp!.received.length).toBe(sentBefore);
  });

  it('the confirmation belongs to the patient: another patient’s release to the same address is not confirmed', async () => {
    const other = await release({ patient: OTHER_PATIENT });
    expect(await b.call('recipients.addressStatus', { releaseId: other.rel.id, email: NEW_ADDRESS })).toEqual({ confirmed: null, pending: null });
    const d = await b.call('releases.setRecipient', { releaseId: other.rel.id, name: 'Someone', email: NEW_ADDRESS });
    expect(d.recipient?.addressConfirmed).toBeNull();
    expect((await b.call('releases.evaluate', { releaseId: other.rel.id })).findings.map((f) => f.code)).toContain('RECIPIENT_NOT_IN_REQUEST');
  });

  it('a code sent when the address is already the recipient confirms the release’s recipient too', async () => {
    const r = await release();
    const addr = 'second.inbox@mailbox.example.test';
    await b.call('releases.setRecipient', { releaseId: r.rel.id, name: 'Zyxwv Testpatient', email: addr });
    expect((await b.call('releases.evaluate', { releaseId: r.rel.id })).findings.map((f) => f.code)).toContain('RECIPIENT_NOT_IN_REQUEST');
    await b.call('recipients.sendCode', { releaseId: r.rel.id, email: addr });
    await b.call('recipients.confirmCode', { releaseId: r.rel.id, email: addr, code: codeIn(b.smtp!.received.at(-1)!.raw) });
    expect((await b.call('releases.get', { id: r.rel.id })).recipient?.addressConfirmed).toMatchObject({ method: 'code' });
    expect((await b.call('releases.evaluate', { releaseId: r.rel.id })).findings.map((f) => f.code)).not.toContain('RECIPIENT_NOT_IN_REQUEST');
  });

  it('a new code supersedes the old one; after the last allowed wrong try even the right code is refused until a new one is sent', async () => {
    const addr = 'third.inbox@mailbox.example.test';
    await b.call('recipients.sendCode', { releaseId, email: addr });
    const first = codeIn(b.smtp!.received.at(-1)!.raw);
    await b.call('recipients.sendCode', { releaseId, email: addr });
    const second = codeIn(b.smtp!.received.at(-1)!.raw);
    if (first !== second) expect((await refusal(b.call('recipients.confirmCode', { releaseId, email: addr, code: first }))).code).toBe('ADDRESS_CODE_WRONG');
    else await refusal(b.call('recipients.confirmCode', { releaseId, email: addr, code: wrongOf(second) }));
    for (let i = 1; i < MAX_ATTEMPTS; i++) await refusal(b.call('recipients.confirmCode', { releaseId, email: addr, code: wrongOf(second) }));
    expect((await b.call('recipients.addressStatus', { releaseId, email: addr })).pending?.attemptsLeft).toBe(0);
    const locked = await refusal(b.call('recipients.confirmCode', { releaseId, email: addr, code: second }));
    expect(locked.code).toBe('ADDRESS_CODE_LOCKED');
    expect((await events())[0]).toMatchObject({ action: 'address.confirm', outcome: 'refused', detail: { code: 'ADDRESS_CODE_LOCKED' } });
    await b.call('recipients.sendCode', { releaseId, email: addr });
    expect((await b.call('recipients.confirmCode', { releaseId, email: addr, code: codeIn(b.smtp!.received.at(-1)!.raw) })).confirmed?.method).toBe('code');
  });

  it('with a fixed clock: a code read back one second before 24 hours works; at 24 hours it is expired and refused', async () => {
    const start = new Date(Date.now() + 3000).toISOString();
    b.clock.set(start);
    const a = 'fourth.inbox@mailbox.example.test';
    const c = 'fifth.inbox@mailbox.example.test';
    await b.call('recipients.sendCode', { releaseId, email: a });
    const codeA = codeIn(b.smtp!.received.at(-1)!.raw);
    await b.call('recipients.sendCode', { releaseId, email: c });
    const codeC = codeIn(b.smtp!.received.at(-1)!.raw);
    b.clock.advance(CODE_LIFETIME_MS - 1000);
    expect((await b.call('recipients.confirmCode', { releaseId, email: a, code: codeA })).confirmed).not.toBeNull();
    b.clock.advance(1000);
    expect((await b.call('recipients.addressStatus', { releaseId, email: c })).pending).toMatchObject({ expired: true });
    const expired = await refusal(b.call('recipients.confirmCode', { releaseId, email: c, code: codeC }));
    expect(expired.code).toBe('ADDRESS_CODE_EXPIRED');
    expect(expired.message).not.toContain('zyxwv');
    expect((await events())[0]).toMatchObject({ action: 'address.confirm', outcome: 'refused', detail: { code: 'ADDRESS_CODE_EXPIRED' } });
    expect((await b.call('recipients.addressStatus', { releaseId, email: c })).confirmed).toBeNull();
  });

  it('a mail server without STARTTLS gets nothing: TLS_REQUIRED, no code stored, the refusal audited', async () => {
    const plain = await startSmtpServer({ starttls: false });
    try {
      const was = (await b.call('settings.get', {})).smtp;
      await b.call('settings.updateSmtp', { ...was, port: plain.port });
      const rows = () => (b.services.session.require().db.prepare('SELECT count(*) AS n FROM address_confirmations').get() as { n: number }).n;
      const before = rows();
      b.clock.set(new Date(Date.now() + 1000).toISOString());
      const err = await refusal(b.call('recipients.sendCode', { releaseId, email: 'plain.inbox@mailbox.example.test' }));
      expect(err.code).toBe('TLS_REQUIRED');
      expect(plain.received).toHaveLength(0);
      expect(plain.authAttempts).toBe(0);
      expect(rows()).toBe(before);
      expect((await events())[0]).toMatchObject({ action: 'address.code_sent', outcome: 'refused', detail: { code: 'TLS_REQUIRED' } });
      await b.call('settings.updateSmtp', { ...was });
    } finally {
      await plain.close();
    }
  });

  it('refuses a malformed address or code at the boundary, and nothing is sent', async () => {
    const before = b.smtp!.received.length;
    expect((await refusal(b.call('recipients.sendCode', { releaseId, email: 'zyxwv@mailbox.example.test\r\nBcc: x@y.test' }))).code).toMatch(/HEADER_INJECTION|INVALID_EMAIL/);
    expect((await refusal(b.call('recipients.confirmCode', { releaseId, email: NEW_ADDRESS, code: '12a456' }))).code).toBe('VALIDATION_FAILED');
    expect(b.smtp!.received.length).toBe(before);
  });
});
