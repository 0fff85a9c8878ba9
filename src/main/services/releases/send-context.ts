import type { AssembledPacket } from '../packaging';
import type { PackagingJobs } from '../packaging/jobs';
import type { Session } from '../session';
import type { SmimeService } from '../smime/service';
import type { EventBus } from '../support/events';
import type { PracticeLink } from '../practice/practice-link';
import type { GateResult } from './release-service';
import type { ReleaseStatus } from './repo';
import type { TransitionOptions } from './state';

/** The email methods (contract EmailDeliveryMethod). */
export type EmailMethod = 'openpgp-pgp-mime' | 'smime' | 'password-pdf' | 'tls-only-email';

/**
 * Points of the send path where a crash test stops the process (SIGKILL from outside). No-ops in the product.
 * 'prepared': outbox committed; 'before-connect': part claimed, connection not yet opened; 'mid-data': about half
 * of a part's DATA handed over (the hook must block synchronously to stop there);
 * 'after-reply': the server answered 250, not yet recorded; 'between-parts': a part recorded, the next not claimed;
 * 'pushed': the release was put into the practice server's shared outbox, the vault not yet changed (practice-route.ts).
 */
export type CrashPoint = 'prepared' | 'before-connect' | 'mid-data' | 'after-reply' | 'between-parts' | 'pushed';

/** Automatic retry of temporary failures (exponential backoff). */
export interface RetryPolicy {
  /** First wait after a temporary failure, in ms (default 60 000). */
  baseMs: number;
  /** Longest wait between tries, in ms (default 3 600 000). */
  maxMs: number;
  /** Automatic tries before the release is marked failed (default 24: about a day offline). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxMs: 3_600_000, maxAttempts: 24 };

/** What the workflow needs; all injected (no globals). */
export interface SendWorkflowDeps {
  session: Session;
  events: EventBus;
  /** Compares each record file with the release's patient, once per file (stored); the gate reads the results. */
  checkPatient?: ((releaseId: string) => Promise<unknown>) | undefined;
  /** Runs the compliance gate on the release now (ReleaseService.gate). */
  gate(releaseId: string, delivery: 'encrypted' | 'unencrypted'): GateResult;
  /** The 42 CFR 2.32(b) scope sheets (PDF) for the gate's Part 2 notices: they travel with the records. */
  part2ScopeSheets(notices: GateResult['decision']['notices'], reference: string): Promise<Array<{ consentId: string; filename: string; bytes: Buffer }>>;
  /** Whether the individual's recorded unencrypted-email choice applies (mayUseUnencryptedEmail). */
  unencryptedAllowed(releaseId: string): boolean;
  /** Assemble the stamped packet of the release (cover, manifest, records). */
  assemble(releaseId: string, gate: GateResult, recipientName: string): Promise<AssembledPacket>;
  /** Where splitting and the password PDF run (the packaging worker in the app); default: this thread. */
  packaging?: PackagingJobs | undefined;
  smtpCa?: string[] | undefined;
  assetsRoot?: string | undefined;
  /** Per-wait SMTP timeout in ms (default 30 000). */
  smtpTimeoutMs?: number | undefined;
  retry?: RetryPolicy | undefined;
  /** S/MIME (issue 18): the recipient's confirmed certificate, checked at send, and the practice certificate. */
  smime?: SmimeService | undefined;
  /**
   * The link to the practice server (issue #17): when it is not `local`, a prepared release is handed to the
   * practice's shared outbox instead of being sent from here (practice-route.ts). Absent: `local`.
   */
  link?: PracticeLink | undefined;
  /** Crash-test hook: awaited at each {@link CrashPoint}. */
  checkpoint?: ((point: CrashPoint, info: { releaseId: string; part?: number }) => void | Promise<void>) | undefined;
}

/** What the send steps (send-prepare, send-deliver, send-outcome) share with SendWorkflow: its deps, clock and the one writer of status. */
export interface SendContext {
  readonly d: SendWorkflowDeps;
  readonly s: Session;
  readonly retry: RetryPolicy;
  /** The session clock's now. */
  now(): Date;
  /** Move the release with its audit event (one writer: state.ts). Call inside a transaction. */
  move(releaseId: string, to: ReleaseStatus, o: TransitionOptions): ReleaseStatus;
}

/** What staff read for a release whose delivery is unconfirmed. */
export const UNCONFIRMED_MESSAGE =
  'The mail server received the whole message but its answer never came, so the release may have been delivered. ' +
  'Ask the recipient whether it arrived, or resend the same message (the recipient may then get it twice).';

/** What staff are told to do with a one-time passphrase (never sent by email: compliance-rules.md, email safeguards). */
export const PASSPHRASE_STAFF_INSTRUCTIONS =
  'Call the recipient and read this passphrase to them, or give it in person or by text message to a number you confirmed with them. ' +
  'Never put it in an email. ReleaseDesk keeps it, encrypted, only until you confirm you gave it to the recipient. ' +
  'The recipient types the words in lower case, joined by hyphens, without spaces.';
