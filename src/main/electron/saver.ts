/**
 * The Electron FileSaver: the native save dialog; main writes the bytes to the
 * path staff chose (mode 0600). The renderer never sees a path or a byte.
 */
import type { BrowserWindow, Dialog, SaveDialogOptions } from 'electron';
import { writeFile as fsWriteFile } from 'node:fs/promises';
import type { FileSaver } from '../services/documents/saver';

/**
 * @param opts.dialog Electron's `dialog` (injected for tests)
 * @param opts.getWindow the parent window for the modal dialog (null: unparented)
 * @param opts.writeFile writes the whole file; defaults to fs.promises.writeFile with mode 0600
 * @returns a FileSaver whose `save()` resolves false when the user cancels
 */
export function createDialogFileSaver(opts: {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  getWindow: () => BrowserWindow | null;
  writeFile?: (path: string, bytes: Buffer) => Promise<void>;
}): FileSaver {
  const writeFile = opts.writeFile ?? ((p: string, b: Buffer) => fsWriteFile(p, b, { mode: 0o600 }));
  return {
    async save(suggestedName: string, bytes: Buffer): Promise<boolean> {
      const options: SaveDialogOptions = {
        title: 'Save document',
        defaultPath: suggestedName,
        filters: [{ name: 'PDF documents', extensions: ['pdf'] }],
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      };
      const win = opts.getWindow();
      const result = win ? await opts.dialog.showSaveDialog(win, options) : await opts.dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return false;
      await writeFile(result.filePath, bytes);
      return true;
    },
  };
}
