/**
 * The Electron FolderPicker: the native "choose folder" dialog (a USB drive or an empty
 * folder for an exported release or report, a backup's destination, the backup folder to restore).
 * The renderer never sees the path it chose (a backup's result names the backup folder it made).
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import type { FolderPicker, FolderPurpose } from '../services/documents/folder-picker';

/** The dialog's words per purpose. */
const DIALOG_TEXT: Record<FolderPurpose, { title: string; buttonLabel: string; create: boolean }> = {
  export: { title: 'Choose an empty folder or USB drive for the release', buttonLabel: 'Save here', create: true },
  'audit-report': { title: 'Choose a folder for the audit report', buttonLabel: 'Save here', create: true },
  accounting: { title: 'Choose a folder for the accounting of disclosures', buttonLabel: 'Save here', create: true },
  'access-report': { title: 'Choose a folder for the access report', buttonLabel: 'Save here', create: true },
  backup: { title: 'Choose a folder or drive for the encrypted backup', buttonLabel: 'Back up here', create: true },
  restore: { title: 'Choose the backup folder (releasedesk-backup-…) to restore', buttonLabel: 'Restore this backup', create: false },
};

/**
 * @param opts.dialog Electron's `dialog` (injected for tests)
 * @param opts.getWindow the parent window for the modal dialog (null: unparented)
 * @returns a FolderPicker whose `chooseFolder()` resolves to the chosen absolute path, or null when cancelled
 */
export function createDialogFolderPicker(opts: { dialog: Pick<Dialog, 'showOpenDialog'>; getWindow: () => BrowserWindow | null }): FolderPicker {
  return {
    async chooseFolder(purpose: FolderPurpose = 'export'): Promise<string | null> {
      const text = DIALOG_TEXT[purpose];
      const options: OpenDialogOptions = {
        title: text.title,
        buttonLabel: text.buttonLabel,
        properties: text.create ? ['openDirectory', 'createDirectory', 'dontAddToRecent'] : ['openDirectory', 'dontAddToRecent'],
      };
      const win = opts.getWindow();
      const result = win ? await opts.dialog.showOpenDialog(win, options) : await opts.dialog.showOpenDialog(options);
      if (result.canceled || result.filePaths.length === 0) return null;
      return result.filePaths[0] ?? null;
    },
  };
}
