/**
 * Where an exported release packet goes: a folder or removable drive staff choose.
 * Electron: the native folder dialog (src/main/electron/folder-picker.ts); the preview
 * host: a fixed folder from its options (so end-to-end tests can check the files).
 * The packet written there is password-protected (AES-256); no plaintext PHI is written.
 */
/**
 * What the folder is for, so the dialog can say it: an exported release (default), a signed report (the audit
 * report, one patient's accounting of disclosures, the access report), where a vault backup goes, or the backup
 * folder a restore reads from.
 */
export type FolderPurpose = 'export' | 'audit-report' | 'accounting' | 'access-report' | 'backup' | 'restore';

export interface FolderPicker {
  /**
   * Ask for a folder.
   * @param purpose what it is for (default 'export')
   * @returns its absolute path, or null when staff cancelled
   */
  chooseFolder(purpose?: FolderPurpose): Promise<string | null>;
}
