/**
 * Shared pieces of the SMTP failure-class tests: a synthetic message with a
 * marker, settings for a local server, an assertion that a send failed with a
 * given class (code, phase, transient, PHI-free message and detail), and a check
 * that recorded bytes hold no credentials and no message content in cleartext.
 */
import { expect } from 'vitest';
import type { SmtpSettings } from '../../src/main/services/delivery/smtp';
import { isAppError } from '../../src/shared/errors';
import { SMTP_FAILURE_CLASSES, SMTP_PHASES } from '../../src/shared/smtp-failures';
import { SMTP_PASSWORD, SMTP_USER } from './smtp';

/** A marker that appears only in the message body (synthetic; no PHI). */
export const BODY_MARKER = 'SYNTHETIC-BODY-MARKER-4f9e1c07';
export const FROM = 'frontdesk@clinic.example.test';
export const TO = 'records@lawfirm.example.test';
export const ENVELOPE = { from: FROM, to: [TO] };

/** A small RFC 5322 message carrying {@link BODY_MARKER}; `padTo` grows the body to about that many bytes. */
export function syntheticMessage(padTo = 0): Buffer {
  const head = `From: ${FROM}\r\nTo: ${TO}\r\nSubject: Secure message\r\nMessage-ID: <fault-1@clinic.example.test>\r\n\r\n${BODY_MARKER}\r\n`;
  const line = 'x'.repeat(76) + '\r\n';
  const pad = padTo > head.length ? line.repeat(Math.ceil((padTo - head.length) / line.length)) : '';
  return Buffer.from(head + pad);
}

/** Settings for a server on 127.0.0.1:`port`. */
export function localSettings(port: number, over: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: '127.0.0.1', port, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD, ...over };
}

export interface SmtpFailure {
  code: string;
  message: string;
  detail: Record<string, string | number | boolean>;
  /** Milliseconds from the call to the rejection. */
  elapsedMs: number;
}

/**
 * Await `run()`, expect it to reject with an AppError of `code` whose detail has `phase` and the
 * `transient` flag of its row in SMTP_FAILURE_CLASSES, and whose message and detail carry no address,
 * server text or password.
 */
export async function expectSmtpFailure(run: () => Promise<unknown>, code: string, phase: string): Promise<SmtpFailure> {
  const t0 = performance.now();
  const e = await run().then(
    () => null,
    (err: unknown) => err,
  );
  const elapsedMs = Math.round(performance.now() - t0);
  expect(isAppError(e), `expected AppError ${code}, got ${String(e)}`).toBe(true);
  const err = e as { code: string; message: string; detail?: Record<string, string | number | boolean> };
  expect(err.code).toBe(code);
  const detail = err.detail ?? {};
  expect(detail.phase).toBe(phase);
  expect(SMTP_PHASES).toContain(detail.phase);
  const row = SMTP_FAILURE_CLASSES.find((c) => c.code === code);
  expect(row, `${code} has a row in SMTP_FAILURE_CLASSES`).toBeDefined();
  expect(detail.transient).toBe(row!.transient);
  expect(row!.phases).toContain(phase);
  const leaks = ['@', 'example.test', SMTP_PASSWORD, '127.0.0.1', 'scripted', 'Try again later', 'queued', BODY_MARKER];
  for (const leak of leaks) expect(err.message).not.toContain(leak);
  for (const [k, v] of Object.entries(detail)) {
    if (k === 'fixUrl') continue;
    for (const leak of leaks) expect(String(v)).not.toContain(leak);
    expect(String(v).length).toBeLessThan(60);
  }
  return { code: err.code, message: err.message, detail, elapsedMs };
}

/** The byte sequences that would betray the password or the message in cleartext. */
function secrets(): Buffer[] {
  return [
    Buffer.from(SMTP_PASSWORD),
    Buffer.from(`\u0000${SMTP_USER}\u0000${SMTP_PASSWORD}`).toString('base64'),
    Buffer.from(SMTP_PASSWORD).toString('base64'),
    'AUTH ',
    'MAIL FROM',
    'RCPT TO',
    BODY_MARKER,
  ].map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(s)));
}

/** Expect `bytes` (cleartext or a whole wire recording) to hold no credential, envelope or message bytes. */
export function expectNoSecretsIn(bytes: Buffer): void {
  for (const s of secrets()) expect(bytes.includes(s), `found ${JSON.stringify(s.toString('latin1').slice(0, 20))} on the wire`).toBe(false);
}
