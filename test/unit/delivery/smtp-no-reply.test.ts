/**
 * The final reply: when every byte of the message, including the terminating ".", was handed over
 * and no verdict came (the connection dropped, or the server stayed silent until the timeout), the
 * message MAY have been delivered: SMTP_NO_REPLY (phase 'reply', not transient — the workflow decides,
 * "unconfirmed"). A connection dropped before the final "." was written is a plain transient failure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendRawMessage } from '../../../src/main/services/delivery/smtp';
import { startScriptedSmtp } from '../../support/scripted-smtp';
import { ENVELOPE, expectNoSecretsIn, expectSmtpFailure, localSettings, syntheticMessage } from '../../support/smtp-faults';
import { requireTool } from '../../support/tools';
import { startWireRecorder } from '../../support/wire-recorder';

const hasOpenssl = requireTool('openssl');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe.skipIf(!hasOpenssl)('SMTP final reply: no reply after the whole message is SMTP_NO_REPLY', () => {
  it('server reads the whole DATA including the final "." and closes without a reply: SMTP_NO_REPLY', async () => {
    const srv = await startScriptedSmtp({ final: 'close' });
    const wire = await startWireRecorder(srv.port);
    closers.push(() => srv.close(), () => wire.close());
    const raw = syntheticMessage(20_000);
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(wire.port), ENVELOPE, raw, { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_NO_REPLY', 'reply');
    expect(srv.sawEndOfData).toBe(true);
    expect(srv.dataBytes).toBe(raw.length - 2); // the last CRLF belongs to the terminating "\r\n.\r\n"
    expect(f.message).toMatch(/may or may not have been delivered/);
    expectNoSecretsIn(wire.fromClient());
  });

  it('server reads the whole DATA and never replies: SMTP_NO_REPLY after the configured timeout', async () => {
    const srv = await startScriptedSmtp({ final: 'silent' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 800 }), 'SMTP_NO_REPLY', 'reply');
    expect(srv.sawEndOfData).toBe(true);
    expect(f.detail.nodemailerCode).toBe('ETIMEDOUT');
    expect(f.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(f.elapsedMs).toBeLessThan(3000);
  });

  it('beforeEndOfData runs before the server can see the final "."; a drop after it is SMTP_NO_REPLY', async () => {
    const srv = await startScriptedSmtp({ final: 'close' });
    closers.push(() => srv.close());
    const seen: boolean[] = [];
    await expectSmtpFailure(
      () => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000, beforeEndOfData: () => seen.push(srv.sawEndOfData) }),
      'SMTP_NO_REPLY',
      'reply',
    );
    expect(seen).toEqual([false]);
    expect(srv.sawEndOfData).toBe(true);
  });

  it('a throwing beforeEndOfData ends nothing: the server never sees the final ".", a permanent failure at DATA', async () => {
    const srv = await startScriptedSmtp();
    closers.push(() => srv.close());
    await expectSmtpFailure(
      () => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000, beforeEndOfData: () => { throw new Error('vault write failed'); } }),
      'SMTP_FAILED',
      'data',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(srv.sawEndOfData).toBe(false);
  });

  it('an asynchronous beforeEndOfData is awaited: the final "." is written only after it resolved', async () => {
    const srv = await startScriptedSmtp();
    closers.push(() => srv.close());
    const seen: boolean[] = [];
    const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), {
      ca: [srv.caPem],
      timeoutMs: 5000,
      beforeEndOfData: async () => {
        await new Promise((ok) => setTimeout(ok, 300));
        seen.push(srv.sawEndOfData);
      },
    });
    expect(r.response).toMatch(/^250 /);
    expect(seen).toEqual([false]);
    expect(srv.sawEndOfData).toBe(true);
  });

  it('a rejecting asynchronous beforeEndOfData ends nothing: the server never sees the final "."', async () => {
    const srv = await startScriptedSmtp();
    closers.push(() => srv.close());
    await expectSmtpFailure(
      () => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000, beforeEndOfData: () => Promise.reject(new Error('commit refused')) }),
      'SMTP_FAILED',
      'data',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(srv.sawEndOfData).toBe(false);
  });

  it('replyTimeoutMs governs the wait after the final ".", apart from the other waits', async () => {
    const srv = await startScriptedSmtp({ final: 'silent' });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000, replyTimeoutMs: 600 }), 'SMTP_NO_REPLY', 'reply');
    expect(f.elapsedMs).toBeLessThan(3000);
  });

  it('a slow verdict within replyTimeoutMs is a success even when it is longer than timeoutMs', async () => {
    const srv = await startScriptedSmtp({ finalDelayMs: 1200 });
    closers.push(() => srv.close());
    const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 700, replyTimeoutMs: 4000 });
    expect(r.response).toMatch(/^250 /);
  });

  it('connection dropped mid-DATA, before the final "." was written: a transient failure, not SMTP_NO_REPLY', async () => {
    // 16 MiB (more than loopback socket buffers hold) cannot all leave before the server drops the connection after 64 KiB, so the "." is never written.
    const srv = await startScriptedSmtp({ dropDataAfterBytes: 64 * 1024 });
    closers.push(() => srv.close());
    const f = await expectSmtpFailure(() => sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(16 * 1024 * 1024), { ca: [srv.caPem], timeoutMs: 5000 }), 'SMTP_TEMPORARY_FAILURE', 'data');
    expect(f.detail.reason).toBe('connection-lost');
    expect(srv.sawEndOfData).toBe(false);
  });

  it('a 250 after the final "." is a success (the same server script, replying)', async () => {
    const srv = await startScriptedSmtp();
    closers.push(() => srv.close());
    const r = await sendRawMessage(localSettings(srv.port), ENVELOPE, syntheticMessage(), { ca: [srv.caPem], timeoutMs: 5000 });
    expect(r.response).toMatch(/^250 2\.0\.0/);
    expect(r.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
  });
});
