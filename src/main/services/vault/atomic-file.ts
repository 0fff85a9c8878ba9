import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Write `value` as pretty-printed JSON to `dataDir/name` atomically: a temporary file (mode 0600) written and
 * fsynced, then renamed over the old one, so a crash leaves either the old file or the new one, never half of one
 * (rename is atomic within one file system, POSIX rename(2)). Used for the small key files beside the vault.
 * @throws the file system's error (nothing replaced; the temporary file may remain and is overwritten next time)
 */
export function writeJsonAtomic(dataDir: string, name: string, value: unknown): void {
  const tmp = join(dataDir, `${name}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(value, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dataDir, name));
}
