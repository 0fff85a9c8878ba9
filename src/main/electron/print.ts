/**
 * Printing a release in the desktop app: the stored print packet (kept only in the vault) is opened in a hidden,
 * sandboxed window of its own — no preload, no Node, context isolation, its own in-memory session partition —
 * from a data: URL (the PDF never touches the disk unencrypted), then `webContents.print` shows the system print
 * dialog. The print disclosure is recorded only after the print call reported success, i.e. the job was handed
 * to the system (45 CFR 164.528: a disclosure is recorded as it happened); a cancelled or failed print records
 * nothing but a failed attempt.
 */
import type { BrowserWindow as ElectronBrowserWindow, BrowserWindowConstructorOptions, WebContentsPrintOptions } from 'electron';
import type { ChannelOutput } from '../../shared/contract';
import { AppError } from '../../shared/errors';

/** What printing needs from the release service (ReleaseDeliveryService). */
export interface PrintReleases {
  preparePrint(releaseId: string): Promise<{ printableId: string; pageCount: number; jobTitle: string }>;
  printablePdf(printableId: string): { pdf: Buffer; title: string };
  recordPrinted(printableId: string): Promise<ChannelOutput<'releases.printable'>>;
  printNotDone(printableId: string, reason: 'cancelled' | 'failed'): void;
}

/** The BrowserWindow constructor (injected: the real one in the app, a fake in tests). */
export type WindowCtor = new (options: BrowserWindowConstructorOptions) => ElectronBrowserWindow;

/** The print window's options: hidden, sandboxed, no preload, no Node, its own non-persistent session. */
export const PRINT_WINDOW_OPTIONS: BrowserWindowConstructorOptions = {
  show: false,
  webPreferences: {
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    // Chromium's built-in PDF viewer is a plugin; nothing else is loaded in this window.
    plugins: true,
    devTools: false,
    spellcheck: false,
    partition: 'releasedesk-print',
  },
};

/**
 * Print a release: prepare (gate, packet kept in the vault), open it in a sandboxed window, print, then record.
 * @param deps the window constructor and the release service
 * @param releaseId the release
 * @returns the release's print output (transmission, release) once the job was handed to the system
 * @throws AppError PRINT_CANCELLED | PRINT_FAILED (nothing recorded as disclosed); the errors of preparePrint
 * @source Electron `webContents.print(options, callback(success, failureReason))`; 45 CFR 164.524(c)(2)(i), 164.528
 */
export async function printStoredPacket(deps: { BrowserWindow: WindowCtor; releases: PrintReleases }, releaseId: string): Promise<ChannelOutput<'releases.printable'>> {
  const { printableId, jobTitle } = await deps.releases.preparePrint(releaseId);
  const { pdf } = deps.releases.printablePdf(printableId);
  const win = new deps.BrowserWindow(PRINT_WINDOW_OPTIONS);
  let result: { success: boolean; failureReason: string };
  try {
    // The window may not open anything else, nor navigate away from the packet.
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    await win.loadURL(`data:application/pdf;base64,${pdf.toString('base64')}`);
    const options: WebContentsPrintOptions = { silent: false, printBackground: false, header: jobTitle };
    result = await new Promise((resolve) => win.webContents.print(options, (success, failureReason) => resolve({ success, failureReason })));
  } catch {
    result = { success: false, failureReason: 'failed' };
  } finally {
    if (!win.isDestroyed()) win.destroy();
  }
  if (!result.success) {
    const cancelled = /cancel/i.test(result.failureReason);
    deps.releases.printNotDone(printableId, cancelled ? 'cancelled' : 'failed');
    throw cancelled
      ? new AppError('PRINT_CANCELLED', 'Printing was cancelled. Nothing was recorded as disclosed.')
      : new AppError('PRINT_FAILED', 'The release could not be printed. Nothing was recorded as disclosed. Check the printer and try again.');
  }
  return deps.releases.recordPrinted(printableId);
}
