/**
 * Delivery status notifications (RFC 3464) read back from reports shaped like those of Postfix,
 * Exchange / Microsoft 365, Gmail and Exim: multi-recipient, delayed vs failed, a report without
 * ENVID matched by the returned Message-ID, and non-DSN auto-replies and read receipts ignored.
 * Fixtures are synthetic (test/fixtures/dsn).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeliveryStatus, parseDsn } from '../../../src/main/services/bounces/dsn';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/dsn', name));

describe('parseDsn over reports shaped like real MTAs', () => {
  it('Postfix: two failed recipients, ENVID and the returned headers’ Message-ID', async () => {
    const d = await parseDsn(fixture('postfix-two-recipients-failed.eml'));
    expect(d).toMatchObject({ isDsn: true, envid: 'rel-7f3a9c.1', originalMessageId: '<rel-7f3a9c.1@clinic.example.test>', reportingMta: 'mail.clinic.example.test' });
    expect(d.recipients).toHaveLength(2);
    expect(d.recipients[0]).toMatchObject({ finalRecipient: 'records@lawfirm.example.test', originalRecipient: 'records@lawfirm.example.test', action: 'failed', status: '5.1.1', remoteMta: 'mx.lawfirm.example.test', diagnosticReplyCode: 550 });
    // Folded Diagnostic-Code is unfolded (kept for the record, never shown verbatim).
    expect(d.recipients[0]!.diagnosticCode).toBe('smtp; 550 5.1.1 <records@lawfirm.example.test>: Recipient address rejected: User unknown in virtual mailbox table');
    expect(d.recipients[1]).toMatchObject({ finalRecipient: 'intake@lawfirm.example.test', action: 'failed', status: '5.2.2', diagnosticReplyCode: 552 });
  });

  it('Exim: a delayed (warning) report is told apart from a failure, with Will-Retry-Until', async () => {
    const d = await parseDsn(fixture('exim-delayed.eml'));
    expect(d).toMatchObject({ isDsn: true, envid: 'rel-8b21de.2', originalMessageId: '<rel-8b21de.2@clinic.example.test>' });
    expect(d.recipients).toEqual([
      expect.objectContaining({ finalRecipient: 'records@lawfirm.example.test', action: 'delayed', status: '4.0.0', remoteMta: 'mx.lawfirm.example.test', diagnosticReplyCode: 451, willRetryUntil: 'Mon, 07 Dec 2026 10:00:05 +0000' }),
    ]);
  });

  it('Exchange / Microsoft 365: no ENVID, so the returned (folded) Message-ID is what matches', async () => {
    const d = await parseDsn(fixture('exchange-no-envid.eml'));
    expect(d.isDsn).toBe(true);
    expect(d.envid).toBeNull();
    expect(d.originalMessageId).toBe('<rel-c0ffee.1@clinic.example.test>');
    expect(d.reportingMta).toBe('BN8PR12MB1234.namprd12.prod.outlook.com');
    expect(d.recipients).toEqual([expect.objectContaining({ finalRecipient: 'records@lawfirm.example.test', action: 'failed', status: '5.1.10', remoteMta: null, diagnosticReplyCode: 550 })]);
  });

  it('Gmail: failed, ENVID in xtext form decoded, Message-ID from the returned message/rfc822', async () => {
    const d = await parseDsn(fixture('gmail-failed.eml'));
    expect(d).toMatchObject({ isDsn: true, envid: 'rel-5eed01.3', originalMessageId: '<rel-5eed01.3@clinic.example.test>', reportingMta: 'googlemail.com' });
    expect(d.recipients).toEqual([expect.objectContaining({ finalRecipient: 'records@lawfirm.example.test', action: 'failed', status: '5.1.1', diagnosticReplyCode: 550 })]);
  });

  it('ignores an out-of-office auto-reply, even one that mentions a status', async () => {
    expect(await parseDsn(fixture('auto-reply-out-of-office.eml'))).toEqual({ isDsn: false, envid: null, originalMessageId: null, reportingMta: null, recipients: [] });
  });

  it('ignores a read receipt (multipart/report of another report-type)', async () => {
    expect((await parseDsn(fixture('read-receipt-mdn.eml'))).isDsn).toBe(false);
  });

  it('never throws on garbage or an empty buffer', async () => {
    expect((await parseDsn(Buffer.alloc(0))).isDsn).toBe(false);
    expect((await parseDsn(Buffer.from('\u0000\u0001 not mail at all'))).isDsn).toBe(false);
  });
});

describe('parseDeliveryStatus (RFC 3464 fields)', () => {
  it('reads LF or CRLF, case-insensitive names, skips groups without Final-Recipient and keeps the first of a repeated field', () => {
    const text = 'reporting-mta: dns; a.example\r\n\r\nACTION: FAILED\r\nfinal-recipient: RFC822; <x@y.example>\r\nstatus: 5.7.1 (policy)\r\nStatus: 2.0.0\r\n\r\nAction: delivered\r\n\r\n';
    const f = parseDeliveryStatus(text);
    expect(f.reportingMta).toBe('a.example');
    expect(f.envid).toBeNull();
    expect(f.recipients).toEqual([
      { finalRecipient: 'x@y.example', originalRecipient: null, action: 'failed', status: '5.7.1', remoteMta: null, diagnosticCode: null, diagnosticReplyCode: null, willRetryUntil: null },
    ]);
  });

  it('a report with only recipient groups (no per-message group) still yields its recipients', () => {
    const f = parseDeliveryStatus('Final-Recipient: rfc822; a@b.example\nAction: delayed\nStatus: 4.4.7\n');
    expect(f.recipients).toHaveLength(1);
    expect(f.recipients[0]).toMatchObject({ action: 'delayed', status: '4.4.7' });
  });
});
