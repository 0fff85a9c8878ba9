/**
 * Reading a delivery status notification (DSN, RFC 3464) out of a raw message.
 *
 * `mailparser` splits the MIME structure (with `keepDeliveryStatus: true` the
 * `message/delivery-status` part is kept as raw bytes instead of being folded
 * into the text); the small field parser here reads RFC 3464 §2.1–2.3 fields:
 * the per-message group (Original-Envelope-Id, Reporting-MTA) and one group per
 * recipient (Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code …).
 * The returned headers (RET=HDRS: a `text/rfc822-headers` part; or a returned
 * `message/rfc822`) give the original Message-ID, so a report without ENVID can
 * still be matched.
 *
 * Pure: no I/O, no vault, nothing logged. Not wired into the release workflow.
 * `diagnosticCode` is the remote server's own text: it may quote addresses or
 * content, so it is kept for the record and never shown to staff verbatim.
 */
import { simpleParser, type Attachment } from 'mailparser';

/** One per-recipient group of a DSN (RFC 3464 §2.3). */
export interface DsnRecipient {
  /** The address the report is about (Final-Recipient, address type stripped: "rfc822; a@b" → "a@b"). */
  finalRecipient: string;
  /** Original-Recipient when the reporting MTA kept it (ORCPT), else null. */
  originalRecipient: string | null;
  /** Action, lower case: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' (RFC 3464 §2.3.3). */
  action: string;
  /** Status as an enhanced status code, e.g. '5.1.1' (RFC 3463); '' when missing or malformed. */
  status: string;
  /** Remote-MTA name (type stripped), or null. */
  remoteMta: string | null;
  /** Diagnostic-Code as sent (e.g. "smtp; 550 5.1.1 … User unknown"). Never shown to users verbatim. */
  diagnosticCode: string | null;
  /** The SMTP reply code inside an "smtp;" Diagnostic-Code (e.g. 550), or null. */
  diagnosticReplyCode: number | null;
  /** Will-Retry-Until for delayed reports (as sent), or null. */
  willRetryUntil: string | null;
}

/** What {@link parseDsn} found. */
export interface ParsedDsn {
  /** True for a multipart/report of report-type delivery-status with a delivery-status part. */
  isDsn: boolean;
  /** Original-Envelope-Id (the ENVID we sent, RFC 3461 §4.4, xtext-decoded), or null. */
  envid: string | null;
  /** Message-ID (with angle brackets) of the returned headers or message, or null. */
  originalMessageId: string | null;
  /** Reporting-MTA (type stripped), or null. */
  reportingMta: string | null;
  /** One entry per recipient group, in report order. */
  recipients: DsnRecipient[];
}

const NOT_A_DSN: ParsedDsn = { isDsn: false, envid: null, originalMessageId: null, reportingMta: null, recipients: [] };
const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const HEADER_TYPES = new Set(['text/rfc822-headers', 'message/global-headers']);
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/**
 * Parse `raw` as a DSN. Anything else (an auto-reply, a read receipt, an ordinary message) gives
 * `{ isDsn: false, … }`; a DSN whose parts are damaged still gives what could be read.
 *
 * @param raw the whole message as received from the bounce mailbox (CRLF or LF line ends).
 * @returns {@link ParsedDsn}.
 * @throws never for malformed input (mailparser errors give isDsn false).
 * @source RFC 3464 (DSN format) §2.1–2.3; RFC 6522 (multipart/report); RFC 3461 §4.4 (ENVID, xtext);
 *   RFC 3462/6522 text/rfc822-headers (RET=HDRS); RFC 6533 (global delivery status).
 */
export async function parseDsn(raw: Buffer): Promise<ParsedDsn> {
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    return NOT_A_DSN;
  }
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const isReport = ct?.value?.toLowerCase() === 'multipart/report' && (ct.params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
  const statusPart = mail.attachments.find((a) => STATUS_TYPES.has(a.contentType.toLowerCase()));
  if (!isReport || !statusPart) return NOT_A_DSN;

  const fields = parseDeliveryStatus(statusPart.content.toString('utf8'));
  return {
    isDsn: true,
    envid: fields.envid,
    originalMessageId: returnedMessageId(mail.attachments),
    reportingMta: fields.reportingMta,
    recipients: fields.recipients,
  };
}

/** The per-message and per-recipient fields of a `message/delivery-status` body. */
export interface DeliveryStatusFields {
  envid: string | null;
  reportingMta: string | null;
  recipients: DsnRecipient[];
}

/**
 * Parse the body of a `message/delivery-status` part (RFC 3464 §2.1): header-style field groups
 * separated by blank lines, the first per message, the rest per recipient. Folded lines are unfolded;
 * field names are case-insensitive; unknown fields (X-Postfix-*, X-Display-Name …) are ignored.
 *
 * @param text the part's decoded body.
 * @returns {@link DeliveryStatusFields}; groups without Final-Recipient are skipped.
 * @source RFC 3464 §2.1 (structure), §2.2 (per-message fields), §2.3 (per-recipient fields).
 */
export function parseDeliveryStatus(text: string): DeliveryStatusFields {
  const groups = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(parseGroup)
    .filter((g) => g.size > 0);
  const perMessage = groups[0] && !groups[0].has('final-recipient') ? groups.shift()! : new Map<string, string>();
  const envidRaw = perMessage.get('original-envelope-id');
  const recipients: DsnRecipient[] = [];
  for (const g of groups) {
    const finalRecipient = stripType(g.get('final-recipient'));
    if (!finalRecipient) continue;
    const diagnosticCode = g.get('diagnostic-code') ?? null;
    const reply = diagnosticCode && /^\s*smtp\s*;\s*([245]\d\d)\b/i.exec(diagnosticCode);
    recipients.push({
      finalRecipient,
      originalRecipient: stripType(g.get('original-recipient')),
      action: (g.get('action') ?? '').trim().toLowerCase(),
      status: /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(g.get('status') ?? '')?.[1] ?? '',
      remoteMta: stripType(g.get('remote-mta')),
      diagnosticCode,
      diagnosticReplyCode: reply ? Number(reply[1]) : null,
      willRetryUntil: g.get('will-retry-until')?.trim() ?? null,
    });
  }
  return {
    envid: envidRaw ? decodeXtext(envidRaw.trim()) : null,
    reportingMta: stripType(perMessage.get('reporting-mta')),
    recipients,
  };
}

/** One field group: lower-case name → unfolded value (first occurrence wins). */
function parseGroup(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | null = null;
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && name) {
      out.set(name, `${out.get(name)} ${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) {
      name = null;
      continue;
    }
    name = m[1]!.toLowerCase();
    if (out.has(name)) {
      name = null; // keep the first occurrence
      continue;
    }
    out.set(name, m[2]!.trim());
  }
  return out;
}

/** "rfc822; a@b" → "a@b"; "dns; mx.example" → "mx.example"; missing → null. */
function stripType(v: string | undefined): string | null {
  if (v === undefined) return null;
  const s = v.includes(';') ? v.slice(v.indexOf(';') + 1) : v;
  const t = s.trim().replace(/^<(.*)>$/, '$1');
  return t || null;
}

/** RFC 3461 §4: xtext, "+" followed by two upper-case hex digits stands for one byte. */
function decodeXtext(s: string): string {
  return s.replace(/\+([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Message-ID from the returned headers (RET=HDRS) or the returned message (RET=FULL). */
function returnedMessageId(parts: Attachment[]): string | null {
  const part = parts.find((a) => HEADER_TYPES.has(a.contentType.toLowerCase())) ?? parts.find((a) => MESSAGE_TYPES.has(a.contentType.toLowerCase()));
  if (!part) return null;
  const text = part.content.toString('latin1').replace(/\r\n?/g, '\n');
  const end = text.search(/\n[ \t]*\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\n[ \t]+/g, ' ');
  return /^Message-ID:\s*(<[^>\s]+>)/im.exec(head)?.[1] ?? null;
}
