/** A file the user chose, not yet read. `name` is shown to staff only (it may contain PHI). */
export interface PickedFile {
  name: string;
  read(): Promise<Buffer>;
}

/**
 * Where imported files come from: the native open dialog in Electron, the
 * in-memory upload staging area in the preview host. Either way the bytes go
 * straight into the vault, never into a plaintext file.
 */
export interface FilePicker {
  pick(): Promise<PickedFile[]>;
}
