import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDialogFileSaver } from '../../src/main/electron/saver';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('dialog FileSaver', () => {
  it('writes the bytes to the chosen path (0600) with the neutral suggested name, and reports a cancel as false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-saver-'));
    dirs.push(dir);
    const target = join(dir, 'chosen.pdf');
    const seen: string[] = [];
    let cancel = false;
    const saver = createDialogFileSaver({
      dialog: {
        showSaveDialog: (async (...args: unknown[]) => {
          const o = args.at(-1) as { defaultPath: string };
          seen.push(o.defaultPath);
          return cancel ? { canceled: true, filePath: '' } : { canceled: false, filePath: target };
        }) as never,
      },
      getWindow: () => null,
    });
    expect(await saver.save('extension-notice-Q-2026-00001.pdf', Buffer.from('%PDF-1.7 test'))).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('%PDF-1.7 test');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    cancel = true;
    expect(await saver.save('x.pdf', Buffer.from('y'))).toBe(false);
    expect(seen).toEqual(['extension-notice-Q-2026-00001.pdf', 'x.pdf']);
  });
});
