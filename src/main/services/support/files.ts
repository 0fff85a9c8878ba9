/**
 * Writing a set of files that belong together (an exported release, a report and its signature) into a folder
 * staff chose: each file created exclusively (`wx`: never overwriting), mode 0600, flushed to the device (fsync)
 * so a drive pulled right after holds complete files. All or nothing: on any error the files of the set written so
 * far are removed before the error is passed on. Never a temp file.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** One written file. */
export interface WrittenFile {
  name: string;
  bytes: number;
  /** SHA-256 (hex) of the written bytes. */
  sha256: string;
}

/**
 * Write every file of `files` into `dir`, or none of them.
 * @param files names (plain file names, no folders) and bytes
 * @returns each file's name, size in bytes and SHA-256
 * @throws the file system's error (`NodeJS.ErrnoException`, e.g. code EEXIST when a name is taken, ENOSPC) after
 *   removing what was written; callers turn it into a PHI-free AppError
 */
export async function writeFileSet(dir: string, files: ReadonlyArray<{ name: string; bytes: Uint8Array }>): Promise<WrittenFile[]> {
  const written: string[] = [];
  try {
    const out: WrittenFile[] = [];
    for (const f of files) {
      const path = join(dir, f.name);
      const fh = await open(path, 'wx', 0o600);
      written.push(path);
      try {
        await fh.writeFile(f.bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      out.push({ name: f.name, bytes: f.bytes.length, sha256: createHash('sha256').update(f.bytes).digest('hex') });
    }
    return out;
  } catch (e) {
    for (const p of written) await rm(p, { force: true }).catch(() => undefined);
    throw e;
  }
}
