/** The `releases.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { armoredText, line, paragraph } from '../text-rules';
import { Id, Empty, ByRelease, ByRequest } from '../schemas/common';
import { EmailDeliveryMethod } from '../schemas/delivery';
import { OutboxEntry, ReleaseSummary, ReleaseDetail, ReleaseEvaluation, DeliveryOptions, SendResult, ExportResult, PrintableResult, FailureNotice } from '../schemas/releases';
import type { ChannelMap } from './spec';

export const releasesChannels = {
  /**
   * Approve a third-party release under an authorization (two-person rule): a privacy officer other than the person
   * who prepared it. Audited `release.approve`. @throws APPROVAL_NOT_PERMITTED | APPROVAL_NOT_NEEDED
   */
  'releases.approve': { input: ByRelease, output: ReleaseEvaluation },
  'releases.list': { input: Empty, output: z.array(ReleaseSummary) },
  /** Start a draft release for a request; the patient comes from the request. */
  'releases.create': { input: ByRequest, output: ReleaseDetail },
  'releases.get': { input: z.object({ id: Id }).strict(), output: ReleaseDetail },
  'releases.setRecipient': {
    input: z
      .object({
        releaseId: Id,
        name: line(200),
        email: z.string().max(400),
        /** Optional: a recipient without an OpenPGP key gets password-PDF / TLS-only / export / print. */
        armoredKey: armoredText().optional(),
        /** Staff confirmed the fingerprint with the recipient by another channel (ignored without a key). */
        fingerprintConfirmed: z.boolean().default(false),
        /**
         * Staff confirmed this exact address with the recipient. Required (else ADDRESS_NOT_CONFIRMED) when
         * recipients.checkEmail answers a suggestion or a warning; also clears the gate's mismatch with the
         * request's destination (RECIPIENT_NOT_IN_REQUEST).
         */
        addressConfirmed: z.boolean().default(false),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /**
   * Import the recipient's S/MIME certificate for this release (issue 18): PEM text (one or more certificates, or a
   * PKCS#7 "PKCS7" block), or the base64 of a DER certificate or `.p7b`/`.p7c` file. Checked now for the recipient's
   * address (dates, key usage, emailProtection, address, RSA ≥ 2048 / EC P-256, P-384); a refusal names the reason
   * and the date (CERT_*), audited. Stored unconfirmed (replacing an earlier one); an untrusted chain is returned
   * with a warning, never silently accepted.
   */
  'releases.importRecipientCertificate': {
    input: z.object({ releaseId: Id, certificate: armoredText(400_000) }).strict(),
    output: ReleaseDetail,
  },
  /**
   * Staff confirmed the certificate's SHA-256 fingerprint with the recipient by phone or in person (audited with
   * the fingerprint). `fingerprint` must be the stored one (what staff saw); a certificate with an untrusted chain
   * is confirmed only with `acceptUntrusted` (else CERT_CHAIN_UNTRUSTED); one whose revocation cannot be checked
   * (CRL unreachable or out of date) only with `acceptRevocationUnknown` (else CERT_REVOCATION_UNKNOWN). Checked again
   * now (CERT_*, CERT_REVOKED). `modernAlgorithms`: the recipient's program reads RSA-OAEP and AES-GCM
   * (AuthEnvelopedData, RFC 5083/5084); otherwise AES-256-CBC with RSA PKCS#1 v1.5, which every program reads.
   */
  'releases.confirmRecipientCertificate': {
    input: z
      .object({
        releaseId: Id,
        fingerprint: z.string().regex(/^[0-9A-F]{64}$/),
        acceptUntrusted: z.boolean().default(false),
        acceptRevocationUnknown: z.boolean().default(false),
        modernAlgorithms: z.boolean().default(false),
      })
      .strict(),
    output: ReleaseDetail,
  },
  /** The delivery ladder for this release now, strongest first, and the per-message size limit. */
  'releases.deliveryOptions': {
    input: ByRelease,
    output: DeliveryOptions,
  },
  /**
   * Send by email. `method` defaults to 'openpgp-pgp-mime' when the recipient has a key (backwards compatible).
   * 'password-pdf': the response carries the generated `passphrase` ONCE (never stored, logged or shown again)
   * with `staffInstructions`; a partly sent release (status 'partly_sent') is retried with the same method and
   * sends only the missing parts (no new passphrase). 'tls-only-email' is refused with
   * UNENCRYPTED_NOT_ACKNOWLEDGED unless the individual's recorded choice applies.
   */
  'releases.send': {
    input: z.object({ releaseId: Id, method: EmailDeliveryMethod.optional() }).strict(),
    output: SendResult,
  },
  /**
   * Save the password-protected packet into a folder staff choose (Electron: folder dialog; preview: the host's
   * export folder). A disclosure: gated, recorded as a transmission (method 'export'), audited. The passphrase is
   * returned once, as for password-pdf. `saved: false` when staff cancelled the folder choice (nothing recorded).
   */
  'releases.export': {
    input: ByRelease,
    output: ExportResult,
  },
  /**
   * Prepare the print-ready packet (kept in the vault, never in a plaintext file) and record the disclosure
   * (method 'print'). Electron prints it by id; the preview serves it at GET /printable/<printableId>?token=….
   */
  'releases.printable': {
    input: ByRelease,
    output: PrintableResult,
  },
  /** The outbox: every release waiting, being sent, unconfirmed, failed, partly sent or bounced, most urgent first. */
  'releases.outbox': { input: Empty, output: z.array(OutboxEntry) },
  /**
   * Staff's decision on an unconfirmed release: 'recipient_confirmed' (they asked; it arrived) or 'resend' (send the
   * SAME stored message again, same Message-ID). Audited with who decided.
   */
  'releases.resolveUnconfirmed': {
    input: z.object({ releaseId: Id, choice: z.enum(['recipient_confirmed', 'resend']) }).strict(),
    output: ReleaseDetail,
  },
  /** Take a prepared release out of the outbox: back to draft to change it ('withdraw'), or cancel it ('cancel'). Audited. */
  'releases.withdraw': { input: z.object({ releaseId: Id, how: z.enum(['withdraw', 'cancel']) }).strict(), output: ReleaseDetail },
  /** A password PDF's passphrase again, kept in the vault until staff confirm they gave it to the recipient (audited). */
  'releases.revealPassphrase': { input: ByRelease, output: z.object({ passphrase: z.string(), staffInstructions: z.string() }) },
  /** Staff gave the passphrase to the recipient: it is erased from the vault (audited). */
  'releases.passphraseGiven': { input: ByRelease, output: Empty },
  /** Pause or resume automatic sending of a queued release (audited). */
  'releases.pauseQueue': { input: z.object({ releaseId: Id, paused: z.boolean() }).strict(), output: ReleaseDetail },
  /**
   * Make the PHI-free delivery-failure notice of a bounced or failed release (a letter in the patient's language,
   * kept in the vault) and offer it to save or print. Errors: STATUS_TRANSITION_INVALID, EXPORT_UNAVAILABLE.
   */
  'releases.failureNotice': {
    input: z.object({ releaseId: Id }).strict(),
    output: FailureNotice,
  },
  /** The compliance gate's findings for the release as it stands now, and which documents are selectable. */
  'releases.evaluate': { input: ByRelease, output: ReleaseEvaluation },
  /**
   * Record why a document outside the request's scope is needed (minimum necessary, 164.514(d)(3)).
   * Refused with SCOPE_OVERRIDE_REFUSED for sensitive categories.
   */
  'releases.overrideScope': {
    input: z.object({ releaseId: Id, documentId: Id, reason: paragraph(1000, 10) }).strict(),
    output: ReleaseEvaluation,
  },
} as const satisfies ChannelMap;
