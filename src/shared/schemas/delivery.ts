/**
 * How releases leave the practice: delivery methods and their ladder, SMTP and bounce-mailbox settings.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { line } from '../text-rules';
import { Count } from './common';

export const SmtpSecurity = z.enum(['starttls', 'tls']);
/**
 * How a release leaves the practice (issue #4), strongest first: OpenPGP PGP/MIME; password-protected PDF
 * (AES-256, passphrase by phone/SMS/in person); unencrypted email over TLS at the individual's recorded
 * request; export of the password-protected packet to a folder/drive; a print-ready packet.
 */
export const DeliveryMethod = z.enum(['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email', 'export', 'print']);
/** The methods `releases.send` takes (email); export and print have their own channels. */
export const EmailDeliveryMethod = z.enum(['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email']);

/** One rung of the delivery ladder (src/main/services/delivery/methods.ts deliveryLadder). */
export const DeliveryRung = z.object({
  method: DeliveryMethod,
  /** Short plain-language name for the screen. */
  label: z.string(),
  available: z.boolean(),
  /** 5 = strongest (PGP/MIME) … 1 = weakest (print). */
  strength: z.number().int().min(1).max(5),
  /** Why the method cannot be used now; null when available. */
  reason: z.string().nullable(),
});

/** Delivery settings (Settings screen). */
export const DeliverySettings = z.object({
  /** Raw attachment bytes per email message (parts are split under it); default 18,000,000. */
  messageLimitBytes: z.number().int().min(30_000).max(100_000_000),
});

export const SmtpSettingsInput = z.object({
  host: line(253),
  port: z.number().int().min(1).max(65535),
  security: SmtpSecurity,
  username: line(320),
  password: z.string().min(1).max(1024),
});

/** The bounce mailbox: IMAP over implicit TLS (RFC 8314 §3.2, usually port 993); the password stays in the vault. */
export const BounceMailboxInput = z.object({
  host: line(253),
  port: z.number().int().min(1).max(65535),
  username: line(320),
  password: z.string().min(1).max(1024),
  folder: line(200).optional(),
});
/** SMTP settings as stored and shown: never the password. */
export const SmtpSettingsView = SmtpSettingsInput.omit({ password: true });
/** SMTP settings to save or test; without `password` the stored one is kept (or tested). */
export const SmtpSettingsUpdate = SmtpSettingsInput.extend({ password: z.string().min(1).max(1024).optional() }).strict();
/** A successful SMTP connection test: the negotiated TLS version and cipher. */
export const SmtpTestResult = z.object({ ok: z.literal(true), tlsProtocol: z.string(), tlsCipher: z.string() });

/** The bounce mailbox as stored and shown: never the password. */
export const BounceMailboxView = BounceMailboxInput.omit({ password: true });
/** The bounce mailbox to save or test; without `password` the stored one is kept (or tested). */
export const BounceMailboxUpdate = BounceMailboxInput.extend({ password: z.string().min(1).max(1024).optional() }).strict();
/** A successful sign-in to the bounce mailbox: the negotiated TLS version. */
export const BounceMailboxTestResult = z.object({ ok: z.literal(true), tlsProtocol: z.string() });
/**
 * One reading of the bounce mailbox, in counts of messages: read, and what each delivery status notification (RFC 3464)
 * did: a release marked bounced, a delay noted, nothing to act on (ignored), no message of ours (unmatched), a report
 * or a part already applied (duplicate).
 */
export const BounceCheckResult = z.object({ read: Count, bounced: Count, delayed: Count, ignored: Count, unmatched: Count, duplicate: Count });

export type DeliveryMethodT = z.output<typeof DeliveryMethod>;
export type DeliveryRungT = z.output<typeof DeliveryRung>;
export type DeliverySettingsT = z.output<typeof DeliverySettings>;
export type SmtpSettingsViewT = z.output<typeof SmtpSettingsView>;
export type SmtpSettingsUpdateT = z.output<typeof SmtpSettingsUpdate>;
export type SmtpTestResultT = z.output<typeof SmtpTestResult>;
export type BounceMailboxViewT = z.output<typeof BounceMailboxView>;
export type BounceMailboxUpdateT = z.output<typeof BounceMailboxUpdate>;
export type BounceMailboxTestResultT = z.output<typeof BounceMailboxTestResult>;
export type BounceCheckResultT = z.output<typeof BounceCheckResult>;
