import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services';
import { fixedClock } from '../../../src/main/services/support/clock';
import { intake, PASSPHRASE, startBackend, type Backend } from '../../support/backend';

let b: Backend | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

describe('backup and restore', () => {
  it('a backup made while the vault is open verifies, restores into an empty folder with the same requests, and is refused over an existing vault', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rd-backup-'));
    b = await startBackend({ exportDir: out });
    const req = await b.call('requests.create', intake());
    const r = await b.call('backup.create', {});
    expect(r.saved).toBe(true);
    expect(r.eventsVerified).toBeGreaterThan(0);
    expect((await b.call('retention.get', {})).lastBackupAt).not.toBeNull();
    await expect(b.call('backup.restore', { passphrase: PASSPHRASE })).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });

    const empty = mkdtempSync(join(tmpdir(), 'rd-restore-'));
    const s2 = createServices({ dataDir: empty, mode: 'preview', version: 'test', clock: fixedClock(new Date().toISOString()), filePicker: { pick: async () => [] }, folderPicker: { chooseFolder: async () => r.folder } });
    const restored = await s2.backup.restore(PASSPHRASE);
    expect(restored).toMatchObject({ restored: true, requests: 1 });
    expect(s2.requests.list().map((x) => x.id)).toEqual([req.id]);
    s2.session.lock();
    rmSync(empty, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }, 60_000);
});
