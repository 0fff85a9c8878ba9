/**
 * Practice settings: the practice itself, the idle lock, passphrase strength.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { armoredText, line } from '../text-rules';
import { DeliverySettings, SmtpSettingsInput, SmtpSettingsView } from './delivery';
import { KeyInfo } from './recipients';

/** Idle lock (automatic logoff, 45 CFR 164.312(a)(2)(iii)): bounds and default of the practice setting, in whole minutes. */
export const IDLE_LOCK_MIN_MINUTES = 1;
export const IDLE_LOCK_MAX_MINUTES = 60;
export const DEFAULT_IDLE_LOCK_MINUTES = 5;

/** The idle lock setting (Settings screen): minutes without keyboard, mouse, touch or wheel activity before the screen locks. */
export const IdleLockSettings = z.object({
  idleMinutes: z.number().int().min(IDLE_LOCK_MIN_MINUTES).max(IDLE_LOCK_MAX_MINUTES),
});

export const PracticeInput = z.object({
  name: line(120),
  senderName: line(120),
  senderEmail: line(320),
  /** IANA time zone of the practice, e.g. "America/Chicago"; calendar-day rules use it. */
  timeZone: line(64),
  /** Postal address (one line, e.g. "12 Main St, Springfield, IL 62701"): printed where the law expects it (revocation in writing, 164.508(c)(2)(i)). */
  address: line(300).optional(),
  /** The practice's phone number as printed on notices. */
  phone: line(40).optional(),
  /** The privacy official (164.530(a)(1)) patients contact about privacy; named in notices. */
  privacyOfficer: z.object({ name: line(120), phone: line(40).optional(), email: line(320).optional() }).strict().optional(),
});

/** Practice details editable in Settings (the name and sender stay tied to the practice key; the time zone to the clock). */
export const PracticeDetailsInput = z
  .object({ address: line(300), phone: line(40), privacyOfficer: z.object({ name: line(120), phone: line(40).optional(), email: line(320).optional() }).strict() })
  .strict();

export const PassphraseStrength = z.object({
  /** zxcvbn score 0 (guessable) .. 4 (strong); setup requires at least {@link MIN_PASSPHRASE_SCORE}. */
  score: z.number().int().min(0).max(4),
  acceptable: z.boolean(),
  warning: z.string(),
  suggestions: z.array(z.string()),
});

export const MIN_PASSPHRASE_SCORE = 3;

/** The practice's settings as the Settings screen shows them (never a password or the private key). */
export const PracticeSettings = z.object({
  practice: PracticeInput,
  smtp: SmtpSettingsView,
  practiceKey: KeyInfo,
  practicePublicKeyArmored: z.string(),
  delivery: DeliverySettings,
});

/** An existing OpenPGP private key to use as the practice key, with its passphrase (used once, never stored). */
export const PracticeKeyImport = z.object({ armoredPrivateKey: armoredText(200_000), passphrase: z.string().min(1).max(1024).optional() }).strict();
/** The practice key now in use (after setup or an import). */
export const PracticeKeyResult = z.object({ practiceKey: KeyInfo });
/** The practice's public key saved for recipients (`saved: false` when staff cancelled) and its fingerprint. */
export const PracticeKeyExport = z.object({ saved: z.boolean(), fingerprint: z.string() });

export type IdleLockSettingsT = z.output<typeof IdleLockSettings>;
export type PracticeInputT = z.output<typeof PracticeInput>;
export type PracticeDetailsInputT = z.output<typeof PracticeDetailsInput>;
export type PracticeSettingsT = z.output<typeof PracticeSettings>;
export type PracticeKeyImportT = z.output<typeof PracticeKeyImport>;
export type PracticeKeyResultT = z.output<typeof PracticeKeyResult>;
export type PracticeKeyExportT = z.output<typeof PracticeKeyExport>;

/** A new vault: the first staff member's passphrase and name, the practice, its SMTP server (setup.createVault). */
export const VaultSetup = z
  .object({
    passphrase: z.string().min(1).max(1024),
    staffName: line(120),
    practice: PracticeInput,
    smtp: SmtpSettingsInput,
  })
  .strict();
export type VaultSetupT = z.output<typeof VaultSetup>;
