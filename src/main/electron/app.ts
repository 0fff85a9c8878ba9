/**
 * The application shell: lifecycle, one instance, services wired to IPC,
 * the hardened window on app://, automatic logoff. Everything sensitive lives
 * in services (plain Node); this file only connects Electron to them.
 */
import { app, dialog, ipcMain, powerMonitor, session, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createDispatch, type Handlers } from '../rpc/dispatch';
import type { ServicesConfig } from '../services/index';
import { fileLogger, type Logger } from '../services/support/logger';
import { DEFAULT_IDLE_MINUTES, startAutoLock } from './autolock';
import { forwardEvents, type EventSource } from './events';
import { createSenderCheck, originOf, registerIpcHandlers } from './ipc';
import { createDropStaging } from './drop';
import { createDialogFilePicker } from './picker';
import { createDialogFileSaver } from './saver';
import { createDialogFolderPicker } from './folder-picker';
import { builtWorkerEntry } from '../services/packaging/worker-client';
import { APP_ENTRY_URL, APP_ORIGIN, installAppProtocol, registerAppScheme } from './protocol';
import { createMainWindow, guardAllWebContents, hardenSession } from './window';

/** What the shell needs from the services object (createServices' result satisfies it). */
export interface ShellServices {
  session: { lock(): void; readonly state: 'uninitialized' | 'locked' | 'unlocked' };
  /** The practice's idle lock minutes (createServices' result has it); null while locked. The shell and the renderer share it. */
  idleLockMinutes?(): number | null;
  events?: EventSource;
  /** Audits input refused by the contract (createServices' result has it). */
  auditInvalidInput?(channel: string, fields: string[]): void;
  /** The outbox sender (createServices' result has it): started with the window, stopped at quit. */
  startQueue?(): void;
  stopQueue?(): Promise<void>;
  /** The bounce mailbox poll (createServices' result has it): started with the window, stopped at quit. */
  startBounceWatch?(): void;
  stopBounceWatch?(): Promise<void>;
  /** The practice server sync (createServices' result has it): started with the window, stopped at quit. */
  startPracticeSync?(): void;
  stopPracticeSync?(): Promise<void>;
  /** The packaging worker thread (createServices' result has it): warmed when the window opens, ended at quit. */
  warmPackaging?(): void;
  stopPackaging?(): Promise<void>;
}

export interface StartOptions<S extends ShellServices> {
  createServices(config: ServicesConfig): S;
  createHandlers(services: S): Handlers;
  /** Directory of the built main.js (`.vite/build`): preload.js is next to it, the renderer in `../renderer/<rendererName>`. */
  buildDir: string;
  /** Forge's MAIN_WINDOW_VITE_NAME ("main_window"). */
  rendererName: string;
  /** Forge's MAIN_WINDOW_VITE_DEV_SERVER_URL during `electron-forge start`; undefined in packaged builds. */
  devServerUrl?: string | undefined;
  /** Automatic logoff after this many idle minutes; default: the practice's idle lock setting (else {@link DEFAULT_IDLE_MINUTES}). */
  idleMinutes?: number;
  /** Logger (default: JSON lines in `<userData>/logs/releasedesk.log`). */
  logger?: Logger;
}

/** A running shell (returned for tests and for the entry's error handling). */
export interface Shell<S> {
  services: S;
  logger: Logger;
  getWindow(): BrowserWindow | null;
  /** Stop timers and remove the IPC handlers (used by tests; quitting does this too). */
  dispose(): void;
}

/**
 * Start ReleaseDesk. Before 'ready': sandbox for every renderer, the privileged
 * app:// scheme, the single instance lock (a second launch focuses the first
 * window and exits). After 'ready': permission/CSP guards, app:// handler,
 * services -> handlers -> dispatch, one sender-checked IPC handler per
 * contract channel, event forwarding, the main window, automatic logoff
 * (164.312(a)(2)(iii)). Quitting locks the vault.
 *
 * The vault lives in `<userData>/vault`.
 * @returns the shell once ready, or null when another instance already runs
 */
export async function startApp<S extends ShellServices>(opts: StartOptions<S>): Promise<Shell<S> | null> {
  app.enableSandbox();
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const userData = app.getPath('userData');
  const logger = opts.logger ?? fileLogger(userData);
  guardAllWebContents(app, logger);

  let mainWindow: BrowserWindow | null = null;
  const getWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

  app.on('second-instance', () => {
    const w = getWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });
  // Closing the window ends the session on every platform (no hidden, unlocked app in the dock).
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();

  const dev = Boolean(opts.devServerUrl) && !app.isPackaged;
  hardenSession(session.defaultSession, { devCsp: dev });
  installAppProtocol(session.defaultSession, join(opts.buildDir, '..', 'renderer', opts.rendererName));

  const dropStaging = createDropStaging();
  const services = opts.createServices({
    dataDir: join(userData, 'vault'),
    // Fonts for generated PDFs: shipped as an extra resource when packaged (forge.config.ts).
    assetsRoot: app.isPackaged ? join(process.resourcesPath, 'assets') : join(app.getAppPath(), 'assets'),
    mode: 'electron',
    version: app.getVersion(),
    logger,
    filePicker: { ...createDialogFilePicker({ dialog, getWindow }), takeDropped: dropStaging.takeDropped },
    fileSaver: createDialogFileSaver({ dialog, getWindow }),
    folderPicker: createDialogFolderPicker({ dialog, getWindow }),
    // Packet assembly and the password PDF run in a worker thread: Forge's Vite plugin builds it beside main.js (forge.config.ts).
    packagingWorker: builtWorkerEntry(opts.buildDir),
  });
  const dispatch = createDispatch(opts.createHandlers(services), logger, {
    onInvalidInput: (channel, fields) => services.auditInvalidInput?.(channel, fields),
  });

  const devOrigin = dev ? originOf(opts.devServerUrl!) : null;
  const allowedOrigins = devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN];
  const getWebContents = () => getWindow()?.webContents ?? null;
  const unregisterIpc = registerIpcHandlers(ipcMain, dispatch, createSenderCheck({ getWebContents, allowedOrigins }), logger);
  const unregisterDrop = dropStaging.register(ipcMain, createSenderCheck({ getWebContents, allowedOrigins }), logger);
  const stopEvents = services.events ? forwardEvents(services.events, getWebContents, logger) : () => {};

  const lockVault = () => {
    const wasUnlocked = services.session.state === 'unlocked';
    services.session.lock();
    // Reload the UI so no PHI stays on screen after logoff; it reopens on the unlock screen.
    if (wasUnlocked) getWindow()?.webContents.reload();
  };
  const stopAutoLock = startAutoLock({
    powerMonitor,
    lock: lockVault,
    idleMinutes: opts.idleMinutes ?? (() => services.idleLockMinutes?.() ?? DEFAULT_IDLE_MINUTES),
    logger,
  });

  const openWindow = () => {
    mainWindow = createMainWindow({
      preloadPath: join(opts.buildDir, 'preload.js'),
      url: dev ? opts.devServerUrl! : APP_ENTRY_URL,
      devTools: !app.isPackaged,
      logger,
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };
  openWindow();
  services.startQueue?.();
  services.startBounceWatch?.();
  services.startPracticeSync?.();
  services.warmPackaging?.();
  app.on('activate', () => {
    if (!getWindow()) openWindow();
  });

  const dispose = () => {
    void services.stopQueue?.();
    void services.stopBounceWatch?.();
    void services.stopPracticeSync?.();
    void services.stopPackaging?.();
    stopAutoLock();
    stopEvents();
    unregisterIpc();
    unregisterDrop();
  };
  app.on('will-quit', () => {
    dispose();
    try {
      services.session.lock();
    } catch (e) {
      logger.error('session.lock_on_quit_failed', { error: e instanceof Error ? e.name : typeof e });
    }
  });
  logger.info('app.started', { version: app.getVersion(), dev });
  return { services, logger, getWindow, dispose };
}
