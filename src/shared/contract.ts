/**
 * THE IPC contract: every channel between renderer and main, declared once.
 *
 * `channels[name] = { input, output }` (zod schemas). The main process's
 * handlers, the preload's `window.api`, the renderer's `Api` type and the
 * 127.0.0.1 test host are all derived from this object, so adding a channel is
 * one entry here and one handler in `src/main/rpc/handlers.ts`.
 *
 * Everything here is JSON-safe: dates are ISO-8601 strings, and bytes never
 * cross the bridge (files are referenced by id and read in main).
 */
import { z } from 'zod';
import type { WireError } from './errors';

// ---------------------------------------------------------------- primitives

/** Reject CR/LF and other control characters in any value that may reach a mail header (RFC 5322 §2.2). */
const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/** A single-line text field: trimmed, 1..max chars, no control characters. */
export const line = (max = 200) =>
  z.string().trim().min(1).max(max).refine(noControlChars, { message: 'must be a single line without control characters' });

export const Id = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
export const IsoDateTime = z.string().datetime({ offset: true });

export const VaultState = z.enum(['uninitialized', 'locked', 'unlocked']);
export const SmtpSecurity = z.enum(['starttls', 'tls']);
export const ReleaseStatus = z.enum(['draft', 'sending', 'sent', 'failed']);
export const DeliveryMethod = z.enum(['openpgp-pgp-mime']);

export const SmtpSettingsInput = z.object({
  host: line(253),
  port: z.number().int().min(1).max(65535),
  security: SmtpSecurity,
  username: line(320),
  password: z.string().min(1).max(1024),
});

export const PracticeInput = z.object({
  name: line(120),
  senderName: line(120),
  senderEmail: line(320),
  /** IANA time zone of the practice, e.g. "America/Chicago"; calendar-day rules use it. */
  timeZone: line(64),
});

export const PassphraseStrength = z.object({
  /** zxcvbn score 0 (guessable) .. 4 (strong); setup requires at least {@link MIN_PASSPHRASE_SCORE}. */
  score: z.number().int().min(0).max(4),
  acceptable: z.boolean(),
  warning: z.string(),
  suggestions: z.array(z.string()),
});

export const MIN_PASSPHRASE_SCORE = 3;

export const KeyInfo = z.object({
  /** 40 hex chars, upper case, no spaces (v4 fingerprint). */
  fingerprint: z.string(),
  userIds: z.array(z.string()),
  algorithm: z.string(),
  createdAt: IsoDateTime,
  expiresAt: IsoDateTime.nullable(),
});

export const DocumentSummary = z.object({
  id: Id,
  /** Neutral label used in the message ("record-1.pdf"): never the original file name. */
  label: z.string(),
  /** The original file name, shown to staff only; never used in mail or logs. */
  originalName: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  pageCount: z.number().int().nonnegative(),
  sha256: z.string(),
  importedAt: IsoDateTime,
});

export const Recipient = z.object({
  name: z.string(),
  email: z.string(),
  key: KeyInfo,
  fingerprintConfirmed: z.boolean(),
});

export const Transmission = z.object({
  id: Id,
  releaseId: Id,
  releaseReference: z.string(),
  at: IsoDateTime,
  sender: z.string(),
  recipientName: z.string(),
  recipientEmail: z.string(),
  method: DeliveryMethod,
  documents: z.array(z.object({ label: z.string(), sha256: z.string(), pageCount: z.number().int() })),
  messageId: z.string(),
  smtpResponse: z.string(),
  tlsProtocol: z.string(),
  tlsCipher: z.string(),
  recipientKeyFingerprint: z.string(),
});

export const ReleaseSummary = z.object({
  id: Id,
  reference: z.string(),
  status: ReleaseStatus,
  createdAt: IsoDateTime,
  patientName: z.string(),
  recipientName: z.string().nullable(),
  documentCount: z.number().int(),
});

export const ReleaseDetail = ReleaseSummary.extend({
  patient: z.object({ name: z.string(), dateOfBirth: IsoDate, mrn: z.string() }),
  documents: z.array(DocumentSummary),
  recipient: Recipient.nullable(),
  transmissions: z.array(Transmission),
  /** Last failure of a send attempt (code and PHI-free message), cleared by a successful send. */
  lastError: z.object({ code: z.string(), message: z.string(), at: IsoDateTime }).nullable(),
});

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: IsoDateTime,
  actor: z.string(),
  action: z.string(),
  outcome: z.enum(['success', 'failure', 'refused']),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  /** PHI-free facts: codes, counts, ids. */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  hash: z.string(),
});

export const EmailCheck = z.object({
  valid: z.boolean(),
  /** A likely intended address when the domain looks like a typo of a common one. */
  suggestion: z.string().nullable(),
  /** Why the address is refused, when not valid. */
  problem: z.string().nullable(),
  /** A valid address that still deserves a second look (look-alike characters in the domain). */
  warning: z.string().nullable(),
});

const Empty = z.object({}).strict();
const ByRelease = z.object({ releaseId: Id }).strict();

// ------------------------------------------------------------------ channels

export const channels = {
  'app.info': {
    input: Empty,
    output: z.object({
      mode: z.enum(['electron', 'preview']),
      version: z.string(),
      vault: VaultState,
      practiceName: z.string().nullable(),
      staffName: z.string().nullable(),
    }),
  },
  'setup.checkPassphrase': {
    input: z.object({ passphrase: z.string().max(1024), hints: z.array(z.string().max(200)).max(10).default([]) }).strict(),
    output: PassphraseStrength,
  },
  'setup.createVault': {
    input: z
      .object({
        passphrase: z.string().min(1).max(1024),
        staffName: line(120),
        practice: PracticeInput,
        smtp: SmtpSettingsInput,
      })
      .strict(),
    output: z.object({ practiceKey: KeyInfo }),
  },
  'vault.unlock': { input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(), output: Empty },
  'vault.lock': { input: Empty, output: Empty },
  'settings.get': {
    input: Empty,
    output: z.object({
      practice: PracticeInput,
      smtp: SmtpSettingsInput.omit({ password: true }),
      practiceKey: KeyInfo,
      practicePublicKeyArmored: z.string(),
    }),
  },
  'releases.list': { input: Empty, output: z.array(ReleaseSummary) },
  'releases.create': {
    input: z.object({ patient: z.object({ name: line(200), dateOfBirth: IsoDate, mrn: line(64) }).strict() }).strict(),
    output: ReleaseDetail,
  },
  'releases.get': { input: z.object({ id: Id }).strict(), output: ReleaseDetail },
  /**
   * Import files the user picks. In Electron main opens the native file dialog;
   * in the preview the bridge uploads the chosen files to the host's in-memory
   * staging area first. Either way the bytes go straight into the vault.
   */
  'documents.pick': {
    input: ByRelease,
    output: z.object({
      imported: z.array(DocumentSummary),
      rejected: z.array(z.object({ fileName: z.string(), code: z.string(), message: z.string() })),
    }),
  },
  'documents.remove': { input: z.object({ releaseId: Id, documentId: Id }).strict(), output: ReleaseDetail },
  'recipients.checkEmail': { input: z.object({ email: z.string().max(400) }).strict(), output: EmailCheck },
  'recipients.inspectKey': { input: z.object({ armoredKey: z.string().min(1).max(200_000) }).strict(), output: KeyInfo },
  'releases.setRecipient': {
    input: z
      .object({
        releaseId: Id,
        name: line(200),
        email: z.string().max(400),
        armoredKey: z.string().min(1).max(200_000),
        /** Staff confirmed the fingerprint with the recipient by another channel. */
        fingerprintConfirmed: z.boolean(),
      })
      .strict(),
    output: ReleaseDetail,
  },
  'releases.send': { input: ByRelease, output: z.object({ release: ReleaseDetail, transmission: Transmission }) },
  'audit.events': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.array(AuditEvent),
  },
  'audit.transmissions': { input: Empty, output: z.array(Transmission) },
  'audit.verify': {
    input: Empty,
    output: z.object({ intact: z.boolean(), checked: z.number().int(), firstBrokenSeq: z.number().int().nullable() }),
  },
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ParsedInput<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** The result envelope every transport returns: never throws across the bridge. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The renderer-facing API: `api['releases.get']({ id })` resolves to the output or rejects with a coded error. */
export type Api = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<RpcResult<ChannelOutput<C>>> };

/** Electron IPC channel name for a contract key (one namespace so the preload can whitelist by prefix). */
export const ipcChannel = (name: ChannelName) => `rd:${name}`;

/** Events main pushes to the renderer (progress of long work). */
export const events = {
  progress: z.object({
    operation: z.enum(['import', 'encrypt', 'send']),
    releaseId: Id,
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
  }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type ReleaseDetailT = z.output<typeof ReleaseDetail>;
export type ReleaseSummaryT = z.output<typeof ReleaseSummary>;
export type TransmissionT = z.output<typeof Transmission>;
export type KeyInfoT = z.output<typeof KeyInfo>;
export type DocumentSummaryT = z.output<typeof DocumentSummary>;
export type AuditEventT = z.output<typeof AuditEvent>;
