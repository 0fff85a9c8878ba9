import * as electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMainWindow, guardAllWebContents, hardenSession, hardenWebContents, hardenedWebPreferences } from '../../src/main/electron/window';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../../src/main/electron/protocol';
import { memoryLogger } from '../../src/main/services/support/logger';
import { FakeBrowserWindow, FakeWebContents, fakeSession, type FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

describe('hardened main window', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances.length = 0;
  });

  it('uses context isolation, the sandbox, no Node, webSecurity, no webview, no spellcheck, and our preload', () => {
    const logger = memoryLogger();
    const win = createMainWindow({ preloadPath: '/app/.vite/build/preload.js', url: 'app://releasedesk/index.html', devTools: false, logger }) as unknown as FakeBrowserWindow;
    const prefs = (win.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/.vite/build/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('allowRunningInsecureContent', true);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(win.loadURL).toHaveBeenCalledWith('app://releasedesk/index.html');
    expect(win.options.show).toBe(false);
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledOnce();
  });

  it('devTools follows the argument (on only for unpackaged dev builds)', () => {
    expect(hardenedWebPreferences('/p.js', true).devTools).toBe(true);
    expect(hardenedWebPreferences('/p.js', false).devTools).toBe(false);
  });

  it('prevents navigation, frame navigation, redirects and <webview>, and denies window.open', () => {
    const logger = memoryLogger();
    const wc = new FakeWebContents();
    hardenWebContents(wc as unknown as electron.WebContents, logger);
    expect(wc.fireCancellable('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(wc.fireCancellable('will-frame-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(wc.fireCancellable('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.fireCancellable('will-attach-webview', {}, {})).toBe(true);
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    // Logged as facts, never the URL.
    expect(logger.lines.join('\n')).not.toContain('evil.example');
    expect(logger.lines.filter((l) => l.includes('window.blocked'))).toHaveLength(5);
  });

  it('guards every web contents created later (web-contents-created)', () => {
    const logger = memoryLogger();
    guardAllWebContents(fake.app as unknown as electron.App, logger);
    const other = new FakeWebContents();
    fake.app.emit('web-contents-created', {}, other);
    expect(other.fireCancellable('will-navigate', 'https://evil.example/')).toBe(true);
    expect(other.windowOpenHandler!({ url: 'about:blank' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request, check and device permission', () => {
    const s = fakeSession();
    hardenSession(s as unknown as electron.Session, { devCsp: false });
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      s.permissionRequestHandler!({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(s.permissionCheckHandler!({}, permission, 'app://releasedesk', {})).toBe(false);
    }
    expect(s.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
    expect(s.headersListener).toBeNull();
  });

  it('in dev, replaces any CSP header of the dev server with ours', () => {
    const s = fakeSession();
    hardenSession(s as unknown as electron.Session, { devCsp: true });
    let out: Record<string, string[]> = {};
    s.headersListener!({ responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] } }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']).toEqual([DEV_CONTENT_SECURITY_POLICY]);
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Type']).toEqual(['text/html']);
    // Same policy as production except the inline module script Vite's React refresh needs.
    expect(DEV_CONTENT_SECURITY_POLICY.replace("script-src 'self' 'unsafe-inline'", "script-src 'self'")).toBe(CONTENT_SECURITY_POLICY);
  });
});
