/**
 * Files dropped onto the Records step reach main by being staged first, then imported with the
 * `documents.importDropped` channel (bytes never travel inside a contract call).
 *
 * - Desktop: the preload exposes `window.fileDrop.stage(files)`; it takes each file's path with
 *   Electron's `webUtils.getPathForFile` (the renderer never sees it), or its bytes when the file has
 *   no path (dragged out of another app), and hands them to main's drop staging area.
 * - Browser preview: the preview bridge registers an uploader (`POST /upload`, `X-Staging: drop`).
 */
export type DropStager = (files: File[]) => Promise<void>;

let stager: DropStager | null = null;

/** Registers how this platform stages dropped files (called once by the preview bridge). */
export function registerDropStager(s: DropStager | null): void {
  stager = s;
}

function current(): DropStager | null {
  if (stager) return stager;
  const desktop = (window as { fileDrop?: { stage(files: File[]): Promise<void> } }).fileDrop;
  return desktop ? (files) => desktop.stage(files) : null;
}

/** True when files can be dropped here. */
export function canDropFiles(): boolean {
  return current() !== null;
}

/**
 * Stage `files` for `documents.importDropped`.
 * @throws Error when this platform cannot take dropped files or staging failed (the caller shows a coded error)
 */
export async function stageDroppedFiles(files: File[]): Promise<void> {
  const s = current();
  if (!s) throw new Error('dropping files is not available here');
  await s(files);
}
