import * as electron from 'electron';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_SCHEME_PRIVILEGES, CONTENT_SECURITY_POLICY, createAppProtocolHandler, registerAppScheme } from '../../src/main/electron/protocol';
import type { FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let base: string;
let root: string;
let handler: (r: Request) => Promise<Response>;
const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'rd-protocol-'));
  root = join(base, 'renderer', 'main_window');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ReleaseDesk</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
  // Secrets next to and above the renderer root that must never be served.
  writeFileSync(join(base, 'secret.txt'), 'Zyxwv Testpatient MRN 000123');
  writeFileSync(join(base, 'renderer', 'sibling.txt'), 'sibling secret');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link-out.txt'));
  handler = createAppProtocolHandler(root);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('is registered privileged (standard, secure, fetch) before ready, without CSP bypass', () => {
    registerAppScheme();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([APP_SCHEME_PRIVILEGES]);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
  });

  it('serves index.html for / with the strict CSP and the right content type', async () => {
    const r = await get('app://releasedesk/');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>ReleaseDesk</title>');
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
    expect(CONTENT_SECURITY_POLICY).toBe(EXPECTED_CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves built assets with their MIME types', async () => {
    const js = await get('app://releasedesk/assets/index-abc.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect((await get('app://releasedesk/assets/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  const traversals = [
    'app://releasedesk/..%2f..%2fsecret.txt',
    'app://releasedesk/assets/..%2f..%2f..%2fsecret.txt',
    'app://releasedesk/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://releasedesk/..%2fsibling.txt',
    'app://releasedesk/%2Fetc%2Fpasswd/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  ];
  for (const url of traversals) {
    it(`refuses path traversal: ${url}`, async () => {
      const r = await get(url);
      expect(r.status).toBe(403);
      const body = await r.text();
      expect(body).not.toContain('Testpatient');
      expect(body).not.toContain('sibling secret');
      expect(r.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
    });
  }

  it('collapses literal dot segments to the root (nothing outside is reachable)', async () => {
    const r = await get('app://releasedesk/../../secret.txt');
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain('Testpatient');
  });

  it('refuses a symlink that points outside the renderer root', async () => {
    const r = await get('app://releasedesk/assets/link-out.txt');
    expect(r.status).toBe(403);
    expect(await r.text()).not.toContain('Testpatient');
  });

  it('refuses NUL bytes, malformed escapes, other hosts, directories, missing files and non-GET methods', async () => {
    expect((await get('app://releasedesk/index.html%00.js')).status).toBe(400);
    expect((await get('app://releasedesk/%E0%A4%A')).status).toBe(400);
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('app://releasedesk/assets')).status).toBe(404);
    expect((await get('app://releasedesk/nope.js')).status).toBe(404);
    expect((await get('app://releasedesk/index.html', 'POST')).status).toBe(405);
  });
});
