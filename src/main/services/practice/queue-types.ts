/** The shapes of the practice's shared outbox (queue-repo.ts): what is queued, claimed, delivered and recorded. */
import type { AuditInput } from '../audit/audit';
import type { SmtpEnvelope } from '../delivery/smtp-types';
import type { ReleaseStatus } from '../releases/repo';
import type { EmailMethod } from '../releases/send-context';
import type { SqlEngine } from './engine';

/** The email methods a queued release can have been prepared with: the send path's own (contract EmailDeliveryMethod). */
export type QueueMethod = EmailMethod;

/** A part's state (as in the vault's outbox): 'sending' = an attempt under a claim; 'unconfirmed' = handed over, no reply. */
export type QueuePartStatus = 'pending' | 'sending' | 'sent' | 'unconfirmed' | 'failed' | 'bounced';

/** Where a sealed value lives (practice/sealing.ts SealPlace): bound into the AAD so it cannot be moved. */
export interface QueueSealPlace {
  table: string;
  column: string;
  /** The row's id (never PHI). */
  rowId: string;
}

/**
 * Seals PHI with the practice data key before it is written and opens it after it is read (AES-256-GCM, the AAD
 * binding the ciphertext to its table, column and row). Bound to practice/sealing.ts seal/open with the workstation's
 * practice keys.
 */
export interface QueueSealer {
  /** @returns the sealed bytes */
  seal(place: QueueSealPlace, plain: Buffer): Buffer;
  /** @throws AppError PRACTICE_DATA_TAMPERED / PRACTICE_KEY_WRONG when the bytes were altered, moved or sealed with another key */
  open(place: QueueSealPlace, sealed: Buffer): Buffer;
}

/** Appends one event to the shared audit chain inside the caller's transaction (practice/audit-repo). */
export type QueueAuditAppend = (tx: SqlEngine, e: AuditInput) => Promise<unknown>;

/** What the queue's writing functions need besides the engine. */
export interface QueueIo {
  sealer: QueueSealer;
  audit: QueueAuditAppend;
}

/** Who acts: a staff member (enqueue, a decision) or a workstation's automatic sender. */
export interface QueueActor {
  /** The name shown in the audit (a staff member's name, or e.g. "Workstation front-desk-2"). */
  actor: string;
  /** The staff user's id (unique user identification, 164.312(a)(2)(i)); null for a workstation's own events. */
  actorId: string | null;
}

/** One composed message of a prepared release, exactly as it will be sent. */
export interface PreparedMessage {
  /** 1-based part number. */
  part: number;
  /** Number of parts of the release. */
  of: number;
  /** The Message-ID header of `raw`, with angle brackets. */
  messageId: string;
  /** MAIL FROM / RCPT TO (RFC 5321 §2.3.1): sealed, the addresses are PHI. */
  envelope: SmtpEnvelope;
  /**
   * The complete RFC 5322 message, CRLF line ends: sealed as one value; or, for a message stored in chunks (a
   * workstation's vault outbox, 1 MiB each), its chunks in order with the whole message's size and SHA-256: each
   * chunk is sealed on its own and the digest checked while they are written (practice migration 0004).
   */
  raw: Buffer | StoredChunks;
}

/** A message read chunk by chunk from where it is stored: size in bytes, SHA-256 (hex), a fresh iteration of its chunks. */
export interface StoredChunks {
  sizeBytes: number;
  sha256: string;
  chunks(): Iterable<Buffer>;
}

/** The size in bytes of a prepared message, stored whole or in chunks. */
export const preparedSize = (raw: Buffer | StoredChunks): number => (Buffer.isBuffer(raw) ? raw.length : raw.sizeBytes);

/** A release prepared on a workstation (composed, encrypted for the recipient), ready for the shared queue. */
export interface PreparedRelease {
  releaseId: string;
  /** Staff-facing reference, no PHI (e.g. "RD-2026-00042"). */
  reference: string;
  requestId: string | null;
  method: QueueMethod;
  transmissionId: string;
  /** DSN envelope id (RFC 3461 §4.4) without the part suffix: printable ASCII, no PHI, at most 90 characters. */
  envid: string;
  /** The recipient of the disclosure (sealed; for the accounting of disclosures, 164.528(b)(2)(ii)). */
  recipient: { name: string; address: string };
  messages: PreparedMessage[];
}

/** A release this workstation holds: the claim token fences every later write. */
export interface QueueClaim {
  releaseId: string;
  transmissionId: string;
  reference: string;
  method: QueueMethod;
  envid: string;
  workstation: string;
  token: string;
  /** Lease length in ms; each fenced write renews it from its own `now`. */
  leaseMs: number;
  /** Automatic tries counted so far (the retry policy's counter). */
  attempts: number;
  requestId: string | null;
}

/** A part as stored (no bytes). */
export interface QueuePart {
  part: number;
  of: number;
  messageId: string;
  status: QueuePartStatus;
  sizeBytes: number;
  attempts: number;
  handedOverAt: string | null;
  sentAt: string | null;
  smtpResponse: string | null;
  tlsProtocol: string | null;
  errorCode: string | null;
  resolution: 'recipient_confirmed' | 'resend' | null;
}

/** A release as the queue knows it (metadata only). */
export interface QueueRelease {
  releaseId: string;
  reference: string;
  status: ReleaseStatus;
  method: QueueMethod;
  transmissionId: string;
  claimedBy: string | null;
  leaseUntil: number | null;
  attempts: number;
  notBefore: number | null;
  errorCode: string | null;
}

/** Why delivery of a part stopped (the outcome rules of send-outcome.ts). */
export interface QueueStop {
  status: 'failed' | 'unconfirmed';
  code: string;
  transient: boolean;
}
