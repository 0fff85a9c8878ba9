/**
 * The Electron FilePicker: the native open dialog (PDF, JPEG, PNG, TIFF; multi-select),
 * files read by main with fs. The renderer never sees a path or a byte.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import { readFile as fsReadFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FilePicker, PickedFile } from '../services/documents/picker';

/**
 * @param opts.dialog Electron's `dialog` (injected for tests)
 * @param opts.getWindow the parent window for the modal dialog (null: unparented)
 * @param opts.readFile reads a whole file; defaults to fs.promises.readFile
 * @returns a FilePicker whose `pick()` resolves to [] when the user cancels.
 *   `name` is the base name (shown to staff only; may contain PHI, never logged).
 */
export function createDialogFilePicker(opts: {
  dialog: Pick<Dialog, 'showOpenDialog'>;
  getWindow: () => BrowserWindow | null;
  readFile?: (path: string) => Promise<Buffer>;
}): FilePicker {
  const readFile = opts.readFile ?? ((p: string) => fsReadFile(p));
  return {
    async pick(): Promise<PickedFile[]> {
      const options: OpenDialogOptions = {
        title: 'Choose medical record files',
        buttonLabel: 'Import',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Records (PDF, photos, scans, faxes)', extensions: ['pdf', 'jpg', 'jpeg', 'png', 'tif', 'tiff'] },
          { name: 'PDF documents', extensions: ['pdf'] },
          { name: 'Images (JPEG, PNG, TIFF)', extensions: ['jpg', 'jpeg', 'png', 'tif', 'tiff'] },
        ],
      };
      const win = opts.getWindow();
      const result = win ? await opts.dialog.showOpenDialog(win, options) : await opts.dialog.showOpenDialog(options);
      if (result.canceled) return [];
      return result.filePaths.map((path) => ({ name: basename(path), read: () => readFile(path) }));
    },
  };
}
