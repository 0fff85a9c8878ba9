/**
 * Sending the messages of a release one after another over the TLS-only
 * submission path (sendRawMessage), stopping at the first failure and saying
 * exactly which parts the server accepted, so the workflow can mark a release
 * 'partly sent' and later send only what is missing — never a part twice.
 */
import { AppError, type WireError } from '../../../shared/errors';
import type { ComposedMessage } from './compose';
import { sendRawMessage, toAppError, type SendOptions, type SendResult, type SmtpEnvelope, type SmtpSettings } from './smtp';

/** What happened to one part. */
export interface PartSendResult {
  part: number;
  of: number;
  messageId: string;
  /**
   * 'sent': the server accepted it now (a `send` result with TLS facts is present);
   * 'already-sent': listed in `opts.alreadySent`, not sent again;
   * 'failed': this part was tried and failed (`error`); 'not-attempted': after a failure.
   */
  status: 'sent' | 'already-sent' | 'failed' | 'not-attempted';
  send?: SendResult;
  /** PHI-free code and message; `detail` holds only codes and numbers. */
  error?: WireError & { detail?: Record<string, string | number | boolean> };
}

/** Options of {@link sendMessages}. */
export interface SendMessagesOptions extends SendOptions {
  /**
   * Parts the server already accepted in an earlier attempt (from the transmission log): skipped.
   * With `envid` set, part k is sent with the DSN envelope id `${envid}.${k}` (RFC 3461 §4.4), so a
   * bounce names the part; `envid` must then be at most 95 characters.
   */
  alreadySent?: number[];
}

/** Progress after each part: `done` parts handled (sent, skipped or failed) of `total`. */
export type SendProgress = (p: { done: number; total: number; part: number; status: PartSendResult['status'] }) => void;

/** The outcome of {@link sendMessages}. */
export interface SendMessagesOutcome {
  /** One entry per message, in part order. */
  results: PartSendResult[];
  /** Parts accepted by the server, now or before (sorted). */
  sentParts: number[];
  /** True when every part is accepted; false means 'partly sent' (or nothing sent). */
  complete: boolean;
}

/**
 * Send `messages` (parts of one release, from a compose function) one by one with
 * {@link sendRawMessage}: each over its own verified-TLS connection with header-only DSNs.
 * Stops at the first failure; parts after it are 'not-attempted'. Parts in `opts.alreadySent`
 * are never sent again. Does not throw for a send failure: the failure is in the outcome, with
 * the coded error sendRawMessage raised (TLS_REQUIRED, TLS_CERT_UNTRUSTED, SMTP_REJECTED, …).
 *
 * @param settings SMTP server and credentials
 * @param envelope MAIL FROM / RCPT TO, the same for every part
 * @param messages the composed parts (part numbers 1..n, each once)
 * @param opts trusted CAs, DSN envid base, timeout, parts already accepted
 * @param onProgress called after each part
 * @returns {@link SendMessagesOutcome}
 * @throws AppError VALIDATION_FAILED when the parts are not 1..n each once or envid is too long (nothing is sent)
 * @source 45 CFR 164.312(e)(1) (transmission security), 164.312(b) (audit: which part went when);
 *   RFC 3461 §4.3–4.4 (RET=HDRS, ENVID)
 */
export async function sendMessages(
  settings: SmtpSettings,
  envelope: SmtpEnvelope,
  messages: ComposedMessage[],
  opts: SendMessagesOptions = {},
  onProgress?: SendProgress,
): Promise<SendMessagesOutcome> {
  const ordered = [...messages].sort((a, b) => a.part - b.part);
  const n = ordered.length;
  if (n === 0 || ordered.some((m, i) => m.part !== i + 1 || m.of !== n)) {
    throw new AppError('VALIDATION_FAILED', 'The release messages are not numbered 1 to n.');
  }
  if (opts.envid !== undefined && opts.envid.length > 95) {
    throw new AppError('VALIDATION_FAILED', 'The delivery-status envelope id must be at most 95 characters.');
  }
  const before = new Set(opts.alreadySent ?? []);
  const { alreadySent: _skip, envid, ...sendOpts } = opts;
  const results: PartSendResult[] = [];
  let failed = false;
  for (const m of ordered) {
    const base = { part: m.part, of: m.of, messageId: m.messageId };
    let r: PartSendResult;
    if (before.has(m.part)) {
      r = { ...base, status: 'already-sent' };
    } else if (failed) {
      r = { ...base, status: 'not-attempted' };
    } else {
      try {
        const send = await sendRawMessage(settings, envelope, m.raw, { ...sendOpts, ...(envid !== undefined ? { envid: `${envid}.${m.part}` } : {}) });
        r = { ...base, status: 'sent', send };
      } catch (e) {
        const err = toAppError(e);
        failed = true;
        r = { ...base, status: 'failed', error: { ...err.toWire(), ...(err.detail ? { detail: err.detail } : {}) } };
      }
    }
    results.push(r);
    onProgress?.({ done: results.length, total: n, part: m.part, status: r.status });
  }
  const sentParts = results.filter((r) => r.status === 'sent' || r.status === 'already-sent').map((r) => r.part);
  return { results, sentParts, complete: sentParts.length === n };
}
