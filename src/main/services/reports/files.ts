/**
 * Writing report files into the folder staff chose (FolderPicker): each file created exclusively (never
 * overwriting: "name (2).pdf" when taken), mode 0600, flushed to the device. On a write error the files
 * written so far are removed. Reports are written only where staff chose, never to a temp file.
 */
import { AppError } from '../../../shared/errors';
import { writeFileSet, type WrittenFile } from '../support/files';

export type { WrittenFile };

/**
 * Write `files` (name → bytes) into `dir`; a taken name gets " (2)", " (3)" … before its first dot,
 * the same suffix for every file of the set so they stay together.
 * @throws AppError EXPORT_FAILED when the folder cannot be written
 */
export async function writeReportFiles(dir: string, files: Array<{ name: string; bytes: Uint8Array }>): Promise<WrittenFile[]> {
  for (let n = 1; n < 1000; n++) {
    const named = files.map((f) => ({ ...f, name: n === 1 ? f.name : f.name.replace(/^([^.]+)/, `$1 (${n})`) }));
    try {
      return await writeFileSet(dir, named);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new AppError('EXPORT_FAILED', 'The report could not be saved in the chosen folder. Choose another folder and try again.');
    }
  }
  throw new AppError('EXPORT_FAILED', 'The chosen folder already holds too many reports with this name.');
}
