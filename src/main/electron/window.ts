/**
 * The hardened main window and the guards every web contents gets.
 *
 * Implements the renderer items of Electron's security checklist
 * (docs/tutorial/security.md): 2 no Node integration, 3 context isolation,
 * 4 process sandbox, 5 deny permission requests, 6 webSecurity on,
 * 12 no <webview>, 13 no navigation, 14 no new windows.
 */
import { BrowserWindow, type App, type BrowserWindowConstructorOptions, type Session, type WebContents, type WebPreferences } from 'electron';
import type { Logger } from '../services/support/logger';
import { DEV_CONTENT_SECURITY_POLICY } from './protocol';

/** The only webPreferences ReleaseDesk windows use. `devTools` is off in packaged builds. */
export function hardenedWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
    spellcheck: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools,
  };
}

/**
 * Deny navigation, redirects, new windows and <webview> on `contents`.
 * The UI is a single page: any navigation is either a bug or an attack
 * (a link in an imported document, a crafted redirect), so all are refused.
 * Only the fact is logged, never the URL (it may carry PHI).
 */
export function hardenWebContents(contents: WebContents, logger: Logger): void {
  const block = (what: string) => (event: { preventDefault(): void }) => {
    event.preventDefault();
    logger.warn('window.blocked', { what });
  };
  contents.on('will-navigate', block('navigate'));
  contents.on('will-frame-navigate', block('frame-navigate'));
  contents.on('will-redirect', block('redirect'));
  contents.on('will-attach-webview', block('webview'));
  contents.setWindowOpenHandler(() => {
    logger.warn('window.blocked', { what: 'window-open' });
    return { action: 'deny' };
  });
}

/**
 * Deny every permission request and check (camera, notifications, geolocation,
 * clipboard-read, HID/serial/USB devices...) on `session`. In dev
 * (`devCsp: true`), also set the CSP header on every response from the Vite
 * dev server via `webRequest.onHeadersReceived`, since app:// is not in use.
 */
export function hardenSession(session: Session, opts: { devCsp: boolean }): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  if (opts.devCsp) {
    session.webRequest.onHeadersReceived((details, callback) => {
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(details.responseHeaders ?? {})) {
        if (k.toLowerCase() !== 'content-security-policy') headers[k] = v;
      }
      headers['Content-Security-Policy'] = [DEV_CONTENT_SECURITY_POLICY];
      callback({ responseHeaders: headers });
    });
  }
}

/** Apply {@link hardenWebContents} to every web contents ever created (devtools, future windows, frames). */
export function guardAllWebContents(app: App, logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, logger));
}

/** Options for the main window: size, hidden until first paint, hardened preferences. */
export function mainWindowOptions(preloadPath: string, devTools: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'ReleaseDesk',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: hardenedWebPreferences(preloadPath, devTools),
  };
}

/**
 * Create the main window (hidden until 'ready-to-show'), harden it and load `url`
 * (app://releasedesk/index.html, or the Vite dev server in `electron-forge start`).
 */
export function createMainWindow(opts: { preloadPath: string; url: string; devTools: boolean; logger: Logger }): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(opts.preloadPath, opts.devTools));
  hardenWebContents(win.webContents, opts.logger);
  win.once('ready-to-show', () => win.show());
  win.loadURL(opts.url).catch((e: unknown) => opts.logger.error('window.load_failed', { error: e instanceof Error ? e.name : typeof e }));
  return win;
}
