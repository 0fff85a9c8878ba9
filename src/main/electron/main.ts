/**
 * Electron main entry (built by Forge's Vite plugin to .vite/build/main.js).
 * Wires the real services and handlers into the shell; see ./app.ts.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { createHandlers } from '../rpc/handlers';
import { createServices } from '../services/index';
import { startApp } from './app';
import { printStoredPacket } from './print';

// Windows installer (Squirrel.Windows) runs the app with --squirrel-* flags
// while installing/updating; it must exit at once instead of opening a window.
if (process.platform === 'win32' && process.argv.some((a) => a.startsWith('--squirrel-'))) {
  app.quit();
} else {
  startApp({
    createServices,
    // Printing in the desktop app: a sandboxed print window, and the disclosure recorded only after the print call succeeded.
    createHandlers: (services) => ({ ...createHandlers(services), 'releases.printable': ({ releaseId }) => printStoredPacket({ BrowserWindow, releases: services.releases }, releaseId) }),
    buildDir: __dirname,
    rendererName: typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : 'main_window',
    devServerUrl: typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined,
  })
    .then((shell) => {
      if (!shell) return;
      // Never print errors: their messages may carry PHI. Log the error's name only.
      process.on('unhandledRejection', (e) => shell.logger.error('main.unhandled_rejection', { error: e instanceof Error ? e.name : typeof e }));
      process.on('uncaughtException', (e) => {
        shell.logger.error('main.uncaught_exception', { error: e.name });
        try {
          shell.services.session.lock();
        } finally {
          app.exit(1);
        }
      });
    })
    .catch(() => {
      // A PHI-free message only; the cause may name a file or a person.
      dialog.showErrorBox('ReleaseDesk could not start', 'ReleaseDesk could not start. Restart the computer and try again, or contact support.');
      app.exit(1);
    });
}
