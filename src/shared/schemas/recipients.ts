/**
 * Recipients and their keys: OpenPGP keys, S/MIME certificates, address checks and confirmations.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { IsoDateTime } from './common';

export const KeyInfo = z.object({
  /** 40 hex chars, upper case, no spaces (v4 fingerprint). */
  fingerprint: z.string(),
  userIds: z.array(z.string()),
  algorithm: z.string(),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime.nullable(),
  /** Parts of the key that were ignored, in plain words (e.g. a subkey in an unsupported algorithm). (hardening, issue 14) */
  warnings: z.array(z.string().max(300)).max(10).optional(),
});

/**
 * A recipient's S/MIME certificate as staff see it (issue 18): what it says, the SHA-256 fingerprint to read aloud,
 * whether its chain ends in a trusted root, staff's confirmation, and — checked again at this moment against the
 * recipient's address — why it cannot be used now (reason and date), or null.
 */
export const RecipientCertificate = z.object({
  /** SHA-256 of the DER certificate: 64 upper-case hex digits (shown in groups of four). */
  fingerprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  emails: z.array(z.string()),
  notBefore: IsoDateTime,
  notAfter: IsoDateTime,
  /** e.g. "RSA 2048 bits", "EC P-256". */
  keyDescription: z.string(),
  chainTrusted: z.boolean(),
  /** Plain-language warnings (an untrusted chain; revocation not checkable) staff must accept when confirming. */
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  /**
   * Revocation by CRL: 'good' (a current CRL does not list it), 'unknown' (its CRL is unreachable or out of date:
   * staff must accept that when confirming), 'not_checked' (its issuer publishes no CRL ReleaseDesk knows of).
   * A revoked certificate is refused outright (CERT_REVOKED in `problem` or at import).
   */
  revocation: z.object({
    status: z.enum(['good', 'unknown', 'not_checked']),
    reason: z.string().nullable(),
    checkedAt: IsoDateTime.nullable(),
    unknownAccepted: z.boolean(),
  }),
  /** Staff recorded that the recipient's program reads RSA-OAEP and AES-GCM: messages use AuthEnvelopedData. */
  modernAlgorithms: z.boolean(),
  importedBy: z.string(),
  importedAt: IsoDateTime,
  /** Staff confirmed the fingerprint with the recipient by phone or in person: who, when. */
  confirmed: z.object({ by: z.string(), at: IsoDateTime }).nullable(),
  /** The certificate cannot be used now: coded reason naming the fingerprint and the date checked. */
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** The practice's own S/MIME certificate (signs S/MIME releases; each release is also encrypted to it). */
export const PracticeSmimeCertificate = z.object({
  fingerprint: z.string(),
  /** The certificate (PEM, public): what recipients add to their mail program to trust the signature. */
  certPem: z.string(),
  subject: z.string(),
  notAfter: IsoDateTime,
  /** Days until it expires (negative once expired); Settings and the dashboard warn at 30 or fewer. */
  daysLeft: z.number().int(),
  /** Made by ReleaseDesk: recipients' mail programs will not trust it until they accept its fingerprint. */
  selfSigned: z.boolean(),
  /** Plain-language warnings (self-made; expiring soon). */
  warnings: z.array(z.string()),
});

/** A certificate revocation list the vault holds (RFC 5280 §5). */
export const SmimeCrl = z.object({
  sha256: z.string(),
  /** The CA that issued it (distinguished name). */
  issuer: z.string(),
  thisUpdate: IsoDateTime,
  nextUpdate: IsoDateTime.nullable(),
  source: z.enum(['import', 'fetch']),
  /** The distribution point it was fetched from (source 'fetch'). */
  url: z.string().nullable(),
  addedBy: z.string(),
  addedAt: IsoDateTime,
  /** Past its nextUpdate: certificates of this issuer cannot be checked until a newer one is imported or fetched. */
  stale: z.boolean(),
});

/**
 * Where an address stands for a release's patient in the confirmation round trip (recipients.addressStatus):
 * confirmed by code (who, when), or a code pending (sent, expires 24 h later, wrong tries left), or neither (both null).
 */
export const AddressStatus = z.object({
  confirmed: z.object({ by: z.string(), at: IsoDateTime, method: z.literal('code') }).nullable(),
  pending: z.object({ sentAt: IsoDateTime, expiresAt: IsoDateTime, expired: z.boolean(), attemptsLeft: z.number().int().min(0) }).nullable(),
});
export type AddressStatusT = z.infer<typeof AddressStatus>;

export const Recipient = z.object({
  name: z.string(),
  email: z.string(),
  /** The recipient's OpenPGP key; null when the recipient has none (then only non-OpenPGP methods apply). */
  key: KeyInfo.nullable(),
  /** Staff confirmed the key's fingerprint out of band; always false without a key. */
  fingerprintConfirmed: z.boolean(),
  /**
   * Staff confirmed this exact address with the recipient (after a typo suggestion, a look-alike warning or a
   * mismatch with the request's destination, or by the code round trip): who, when and how — 'read_back': staff read
   * the address back with the recipient; 'code': the recipient read back a code emailed to it
   * (recipients.confirmCode). Null when no confirmation was given.
   */
  addressConfirmed: z.object({ by: z.string(), at: IsoDateTime, method: z.enum(['read_back', 'code']) }).nullable(),
});

export const EmailCheck = z.object({
  valid: z.boolean(),
  /** A likely intended address when the domain looks like a typo of a common one. */
  suggestion: z.string().nullable(),
  /** Why the address is refused, when not valid. */
  problem: z.string().nullable(),
  /** A valid address that still deserves a second look (look-alike characters in the domain). */
  warning: z.string().nullable(),
  /** The bare address that will be used (display name removed, NFC), when valid. (hardening, issue 14) */
  address: z.string().max(400).nullable().optional(),
  /** The display name typed before the address ("Jane Roe <jane@example.org>"). (hardening, issue 14) */
  displayName: z.string().max(400).nullable().optional(),
});
export type KeyInfoT = z.output<typeof KeyInfo>;
export type RecipientCertificateT = z.output<typeof RecipientCertificate>;
export type PracticeSmimeCertificateT = z.output<typeof PracticeSmimeCertificate>;
export type SmimeCrlT = z.output<typeof SmimeCrl>;
