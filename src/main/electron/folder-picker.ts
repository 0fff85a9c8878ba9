/**
 * The Electron FolderPicker: the native "choose folder" dialog (a USB drive or an empty
 * folder for an exported release). The renderer never sees the path.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import type { FolderPicker } from '../services/documents/folder-picker';

/**
 * @param opts.dialog Electron's `dialog` (injected for tests)
 * @param opts.getWindow the parent window for the modal dialog (null: unparented)
 * @returns a FolderPicker whose `chooseFolder()` resolves to the chosen absolute path, or null when cancelled
 */
export function createDialogFolderPicker(opts: { dialog: Pick<Dialog, 'showOpenDialog'>; getWindow: () => BrowserWindow | null }): FolderPicker {
  return {
    async chooseFolder(): Promise<string | null> {
      const options: OpenDialogOptions = {
        title: 'Choose an empty folder or USB drive for the release',
        buttonLabel: 'Save here',
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
      };
      const win = opts.getWindow();
      const result = win ? await opts.dialog.showOpenDialog(win, options) : await opts.dialog.showOpenDialog(options);
      if (result.canceled || result.filePaths.length === 0) return null;
      return result.filePaths[0] ?? null;
    },
  };
}
