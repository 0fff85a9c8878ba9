/**
 * Delivery status notifications (RFC 3464) as relays write them, for bounce tests: a `multipart/report` with a
 * human-readable part, the `message/delivery-status` part (Original-Envelope-Id, one recipient, Action/Status) and,
 * when the relay returned them (RET=HDRS), the original message's headers. CRLF line ends. Synthetic data only.
 */

export interface DsnOptions {
  /** The Original-Envelope-Id (our ENVID: `<release reference>.<part>`). */
  envid: string;
  /** The Final-Recipient address. */
  rcpt: string;
  /** The MIME boundary. */
  boundary: string;
  /** Header lines before the report's own (From, Subject, …); default a plain MAILER-DAEMON From and Subject. */
  headers?: readonly string[];
  /** Header lines after the report's Content-Type (e.g. a Message-Id). */
  trailingHeaders?: readonly string[];
  /** The human-readable part: its Content-Type and lines. */
  text: { contentType?: string; lines: readonly string[] };
  /** Per-recipient fields after Action and Status (Remote-MTA, Diagnostic-Code, …). */
  recipientFields?: readonly string[];
  /** Action and Status (default failed, 5.1.1). */
  action?: string;
  status?: string;
  /** The original message's headers, returned as a `text/rfc822-headers` part (absent: no such part). */
  returnedHeaders?: string;
}

const DEFAULT_HEADERS = ['From: MAILER-DAEMON@mail.clinic.example.test', 'Subject: Undelivered Mail Returned to Sender'];

/** The report as bytes (see the module comment). */
export function deliveryStatusReport(o: DsnOptions): Buffer {
  const b = o.boundary;
  const returned = o.returnedHeaders === undefined ? [] : [`--${b}`, 'Content-Type: text/rfc822-headers', '', o.returnedHeaders, ''];
  return Buffer.from(
    [
      ...(o.headers ?? DEFAULT_HEADERS),
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
      ...(o.trailingHeaders ?? []),
      '',
      `--${b}`,
      `Content-Type: ${o.text.contentType ?? 'text/plain'}`,
      '',
      ...o.text.lines,
      `--${b}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mail.clinic.example.test',
      `Original-Envelope-Id: ${o.envid}`,
      '',
      `Final-Recipient: rfc822; ${o.rcpt}`,
      `Action: ${o.action ?? 'failed'}`,
      `Status: ${o.status ?? '5.1.1'}`,
      ...(o.recipientFields ?? []),
      '',
      ...returned,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

/** The headers of a raw message as a relay returns them with RET=HDRS: everything before the first empty line. */
export function headersOf(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n'));
}
