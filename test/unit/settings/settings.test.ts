/**
 * settings.testSmtp and settings.exportPracticeKey through the real dispatch, on a real vault,
 * against real smtp-server instances (test/support/smtp.ts): nothing is ever sent by a test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../../src/main/services';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from '../../support/smtp';
import { requireTool } from '../../support/tools';
import { startBackend, type Backend } from '../../support/backend';

const hasTools = requireTool('openssl') && requireTool('gpg');

const extra: RunningSmtpServer[] = [];
async function server(opts: StartSmtpServerOptions = {}) {
  const s = await startSmtpServer(opts);
  extra.push(s);
  return s;
}
const input = (srv: { port: number }, over: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: srv.port,
  security: 'starttls' as const,
  username: SMTP_USER,
  password: SMTP_PASSWORD,
  ...over,
});

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = (await p.then(
    () => null,
    (err: unknown) => err,
  )) as { code: string; message: string } | null;
  expect(e, 'expected a coded error').not.toBeNull();
  expect(e!.message).not.toContain(SMTP_PASSWORD);
  expect(e!.message).not.toContain('@');
  return e!;
}

describe.skipIf(!hasTools)('settings.testSmtp (connect, verified TLS, AUTH, QUIT — no mail)', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend({ withSmtp: true });
  });
  afterAll(async () => b?.close());
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
  });

  const smtpAudit = () => b.services.audit.events(500).filter((e) => e.action === 'settings.smtp_test');

  it('succeeds with the TLS version and cipher; authenticates once; sends nothing; audited without values', async () => {
    const r = await b.call('settings.testSmtp', input(b.smtp!));
    expect(r.ok).toBe(true);
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r.tlsProtocol);
    expect(r.tlsCipher).toMatch(/^[A-Z0-9_-]+$/);
    expect(b.smtp!.authAttempts).toBeGreaterThanOrEqual(1);
    expect(b.smtp!.received).toHaveLength(0);
    const ev = smtpAudit().at(0)!;
    expect(ev.outcome).toBe('success');
    const text = JSON.stringify(ev);
    for (const v of [SMTP_PASSWORD, SMTP_USER, '127.0.0.1', String(b.smtp!.port)]) expect(text).not.toContain(v);
  });

  it('without a password tests the stored one', async () => {
    const { password: _p, ...noPassword } = input(b.smtp!);
    const r = await b.call('settings.testSmtp', noPassword);
    expect(r.ok).toBe(true);
  });

  it('a wrong password answers SMTP_AUTH_FAILED (audited as refused with the code); nothing sent', async () => {
    const e = await codeOf(b.call('settings.testSmtp', input(b.smtp!, { password: 'wrong horse' })));
    expect(e.code).toBe('SMTP_AUTH_FAILED');
    expect(b.smtp!.received).toHaveLength(0);
    const ev = smtpAudit().find((x) => x.outcome === 'refused')!;
    expect(ev.detail).toMatchObject({ code: 'SMTP_AUTH_FAILED' });
    expect(JSON.stringify(ev)).not.toContain('wrong horse');
  });

  it('a server without STARTTLS answers TLS_REQUIRED and never sees the password', async () => {
    const srv = await server({ starttls: false });
    const e = await codeOf(b.call('settings.testSmtp', input(srv)));
    expect(e.code).toBe('TLS_REQUIRED');
    expect(srv.authAttempts).toBe(0);
    expect(srv.received).toHaveLength(0);
  });

  it('an untrusted certificate answers TLS_CERT_UNTRUSTED and never sees the password', async () => {
    const srv = await server({ untrustedCert: true });
    const e = await codeOf(b.call('settings.testSmtp', input(srv)));
    expect(e.code).toBe('TLS_CERT_UNTRUSTED');
    expect(srv.authAttempts).toBe(0);
    expect(srv.received).toHaveLength(0);
  });

  it('a closed port answers SMTP_UNREACHABLE', async () => {
    const srv = await server();
    const port = srv.port;
    await srv.close();
    extra.splice(0);
    const e = await codeOf(b.call('settings.testSmtp', input({ port })));
    expect(e.code).toBe('SMTP_UNREACHABLE');
  });
});

describe.skipIf(!hasTools)('settings.testSmtp before a vault exists (setup)', () => {
  it('works without a vault (not audited) and still refuses a wrong password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rd-setup-smtp-'));
    const srv = await startSmtpServer();
    try {
      const services = createServices({ dataDir, mode: 'preview', version: 'test', smtpCa: [srv.caPem], filePicker: { pick: async () => [] } });
      expect(services.session.state).toBe('uninitialized');
      const ok = await services.settings.testSmtp(input(srv));
      expect(ok.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
      const e = await codeOf(services.settings.testSmtp(input(srv, { password: 'nope nope' })));
      expect(e.code).toBe('SMTP_AUTH_FAILED');
      const { password: _p, ...noPassword } = input(srv);
      expect((await codeOf(services.settings.testSmtp(noPassword))).code).toBe('VALIDATION_FAILED');
      expect(srv.received).toHaveLength(0);
      expect(services.session.state).toBe('uninitialized');
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasTools)('settings.exportPracticeKey', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend();
  });
  afterAll(async () => b?.close());

  it('saves practice-key.asc (the PUBLIC key only) that gpg imports with the fingerprint settings.get shows', async () => {
    const before = b.saved.length;
    const r = await b.call('settings.exportPracticeKey', {});
    expect(r.saved).toBe(true);
    const file = b.saved[before]!;
    expect(file.name).toBe('practice-key.asc');
    const text = file.bytes.toString('utf8');
    expect(text).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(text).not.toContain('PRIVATE');
    const settings = await b.call('settings.get', {});
    expect(r.fingerprint.replace(/ /g, '')).toBe(settings.practiceKey.fingerprint);
    expect(r.fingerprint).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);

    const home = mkdtempSync(join(tmpdir(), 'rd-gpg-key-'));
    try {
      const keyFile = join(home, 'k.asc');
      writeFileSync(keyFile, text);
      execFileSync('gpg', ['--homedir', home, '--batch', '--import', keyFile], { stdio: 'pipe' });
      const out = execFileSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-keys'], { encoding: 'utf8' });
      expect(out).toContain(`fpr:::::::::${settings.practiceKey.fingerprint}:`);
      const secret = execFileSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys'], { encoding: 'utf8' });
      expect(secret.trim()).toBe('');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const ev = b.services.audit.events(200).find((e) => e.action === 'settings.practice_key_export')!;
    expect(ev.outcome).toBe('success');
  });
});
