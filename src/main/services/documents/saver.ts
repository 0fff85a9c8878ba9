/**
 * Where an exported vault document goes: the native save dialog in Electron
 * (src/main/electron/ implements it), an in-memory download slot in the
 * preview host. The bytes are PHI: never written to a temp file by us; the
 * destination is the one staff chose.
 */
export interface FileSaver {
  /**
   * Offer `bytes` under the suggested neutral file name.
   * @returns true when saved, false when staff cancelled
   */
  save(suggestedName: string, bytes: Buffer): Promise<boolean>;
}
