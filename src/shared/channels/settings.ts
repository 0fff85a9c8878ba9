/** The `settings.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { armoredText } from '../text-rules';
import { Empty } from '../schemas/common';
import { DeliverySettings, SmtpSettingsUpdate, SmtpSettingsView, SmtpTestResult, BounceMailboxUpdate, BounceMailboxView, BounceMailboxTestResult } from '../schemas/delivery';
import { IdleLockSettings, PracticeInput, PracticeDetailsInput, PracticeSettings, PracticeKeyImport, PracticeKeyResult, PracticeKeyExport } from '../schemas/settings';
import { PracticeSmimeCertificate, SmimeCrl } from '../schemas/recipients';
import { SecuritySettings } from '../schemas/accounts';
import type { ChannelMap } from './spec';

export const settingsChannels = {
  /** The practice's security settings. */
  'settings.getSecurity': { input: Empty, output: SecuritySettings },
  /** Change the security settings (administrator). Audited `settings.change`. */
  'settings.setSecurity': { input: SecuritySettings.strict(), output: SecuritySettings },
  'settings.get': {
    input: Empty,
    output: PracticeSettings,
  },
  /** The practice's S/MIME certificate, or null before the first S/MIME release (or before one is made). */
  'settings.smimeCertificate': { input: Empty, output: PracticeSmimeCertificate.nullable() },
  /** Certificate revocation lists in the vault (imported, or fetched from distribution points and cached), newest first. */
  'settings.smimeCrls': { input: Empty, output: z.array(SmimeCrl) },
  /**
   * Import a CRL from a certificate authority: PEM ("X509 CRL") or the base64 of a DER `.crl`. Kept in the vault
   * (the same CRL twice changes nothing) and used to check recipient certificates of its issuer at import and at
   * send. Audited. Errors: CRL_INVALID.
   */
  'settings.importSmimeCrl': { input: z.object({ crl: armoredText(28_000_000) }).strict(), output: z.array(SmimeCrl) },
  /**
   * Make a self-signed practice S/MIME certificate now. Replacing (renewing) the active one is explicit: pass its
   * fingerprint as `replaceFingerprint` (else PRACTICE_CERT_RENEWAL_UNCONFIRMED); audited with the old and new
   * fingerprints. ReleaseDesk never replaces an expired certificate by itself: S/MIME sends are refused
   * (PRACTICE_CERT_EXPIRED) until an administrator renews it here or imports a new one.
   */
  'settings.createSmimeCertificate': {
    input: z.object({ replaceFingerprint: z.string().regex(/^[0-9A-F]{64}$/).nullable().default(null) }).strict(),
    output: PracticeSmimeCertificate,
  },
  /**
   * Import a practice certificate and private key from a PKCS#12 file (base64) with its password (used once,
   * never stored). Checked: RSA ≥ 2048 with a signing usage, emailProtection, valid now, the key matches. Audited.
   */
  'settings.importSmimeCertificate': {
    input: z.object({ pkcs12: armoredText(400_000), password: z.string().max(1024) }).strict(),
    output: PracticeSmimeCertificate,
  },
  /** Change delivery settings (audited as a setting change). */
  'settings.setDelivery': { input: DeliverySettings.strict(), output: DeliverySettings },
  /** The idle lock setting (default {@link DEFAULT_IDLE_LOCK_MINUTES} minutes when never changed). Vault unlocked. */
  'settings.getIdleLock': { input: Empty, output: IdleLockSettings },
  /** Change the idle lock time, 1..60 minutes (audited as a setting change with before and after). */
  'settings.setIdleLock': { input: IdleLockSettings.strict(), output: IdleLockSettings },
  /** Change the SMTP submission server (audited as a setting change). Omit the password to keep the stored one. */
  'settings.updateSmtp': {
    input: SmtpSettingsUpdate,
    output: SmtpSettingsView,
  },
  /**
   * Test SMTP submission settings without sending: connect with the same enforced, verified TLS (>= 1.2)
   * and AUTH as sending, then QUIT. Works before a vault exists (setup; not audited then). Omit the password
   * to test the stored one (vault unlocked). Errors: TLS_REQUIRED, TLS_CERT_UNTRUSTED, TLS_PROTOCOL_TOO_OLD,
   * SMTP_AUTH_FAILED, SMTP_UNREACHABLE, SMTP_FAILED.
   */
  'settings.testSmtp': {
    input: SmtpSettingsUpdate,
    output: SmtpTestResult,
  },
  /**
   * Save the practice's armored OpenPGP PUBLIC key (practice-key.asc) where staff choose (Electron: a save
   * dialog; preview: the export folder), to hand to recipients so they can check signatures. Audited.
   */
  /** The bounce mailbox without its password, or null when none is set. */
  'settings.getBounceMailbox': { input: Empty, output: BounceMailboxView.nullable() },
  /** Save the bounce mailbox; the stored password is kept when omitted. Audited (fields changed, never values). */
  'settings.updateBounceMailbox': {
    input: BounceMailboxUpdate,
    output: BounceMailboxView,
  },
  /** Sign in to the bounce mailbox over verified TLS and out. Errors: IMAP_UNREACHABLE, TLS_CERT_UNTRUSTED, TLS_REQUIRED, IMAP_AUTH_FAILED, IMAP_FAILED. */
  'settings.testBounceMailbox': {
    input: BounceMailboxUpdate,
    output: BounceMailboxTestResult,
  },
  /**
   * Use the practice's existing OpenPGP key (armored PRIVATE key block, e.g. from "gpg --export-secret-keys --armor";
   * its passphrase when it has one, used once and never stored) as the practice key from now on. Audited.
   * Errors: KEY_INVALID, KEY_UNSUPPORTED, KEY_EXPIRED, KEY_REVOKED, KEY_NO_ENCRYPTION_SUBKEY.
   */
  'settings.importPracticeKey': {
    input: PracticeKeyImport,
    output: PracticeKeyResult,
  },
  'settings.exportPracticeKey': { input: Empty, output: PracticeKeyExport },
  /** Change the practice's postal address, phone and privacy officer (audited: which fields changed, never values). */
  'settings.updatePractice': { input: PracticeDetailsInput, output: PracticeInput },
} as const satisfies ChannelMap;
