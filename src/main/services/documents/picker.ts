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
  /**
   * The files dropped onto the Records step since the last call, staged by the platform (Electron: the
   * preload's paths or bytes; preview: uploads with `X-Staging: drop`). Absent: drag and drop is not available.
   */
  takeDropped?(): Promise<PickedFile[]>;
}
