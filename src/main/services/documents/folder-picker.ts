/**
 * Where an exported release packet goes: a folder or removable drive staff choose.
 * Electron: the native folder dialog (src/main/electron/folder-picker.ts); the preview
 * host: a fixed folder from its options (so end-to-end tests can check the files).
 * The packet written there is password-protected (AES-256); no plaintext PHI is written.
 */
export interface FolderPicker {
  /**
   * Ask for a folder.
   * @returns its absolute path, or null when staff cancelled
   */
  chooseFolder(): Promise<string | null>;
}
