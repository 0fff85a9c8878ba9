/**
 * The desktop drop staging area: only our window may stage; paths must be absolute regular files; files without a
 * path arrive as bytes; what was staged is taken once by documents.importDropped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createDropStaging, DROP_CHANNEL } from '../../src/main/electron/drop';

type Handler = (event: unknown, input: unknown) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return { handlers, handle: vi.fn((ch: string, fn: Handler) => void handlers.set(ch, fn)), removeHandler: vi.fn((ch: string) => void handlers.delete(ch)) };
}
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('desktop drop staging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-drop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const trusted = { ok: true };

  const setup = () => {
    const ipc = fakeIpcMain();
    const staging = createDropStaging();
    const off = staging.register(ipc as never, (e) => (e as unknown) === trusted, logger as never);
    return { staging, stage: (input: unknown, event: unknown = trusted) => ipc.handlers.get(DROP_CHANNEL)!(event, input), off, ipc };
  };

  it('stages a dropped file by path and one by bytes; documents.importDropped takes them once', async () => {
    const { staging, stage } = setup();
    writeFileSync(join(dir, 'scan.pdf'), '%PDF-1.7 synthetic');
    expect(await stage([{ name: 'scan.pdf', path: join(dir, 'scan.pdf') }, { name: 'C:\\Users\\x\\photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff]) }])).toEqual({ ok: true, staged: 2 });
    const files = await staging.takeDropped();
    expect(files.map((f) => f.name)).toEqual(['scan.pdf', 'photo.jpg']);
    expect((await files[0]!.read()).toString()).toBe('%PDF-1.7 synthetic');
    expect([...(await files[1]!.read())]).toEqual([0xff, 0xd8, 0xff]);
    expect(await staging.takeDropped()).toEqual([]);
  });

  it('refuses another sender, relative paths, folders and malformed input, staging nothing', async () => {
    const { staging, stage } = setup();
    expect(await stage([{ name: 'a.pdf', path: join(dir, 'scan.pdf') }], { ok: false })).toEqual({ ok: false });
    expect(await stage([{ name: 'a.pdf', path: 'relative/a.pdf' }])).toEqual({ ok: false });
    expect(await stage([{ name: 'dir', path: dir }])).toEqual({ ok: false });
    expect(await stage([{ name: 'x', path: join(dir, 'scan.pdf'), extra: 1 }])).toEqual({ ok: false });
    expect(await stage([])).toEqual({ ok: false });
    expect(await staging.takeDropped()).toEqual([]);
  });

  it('a dropped file that vanished before import is refused by code, not read', async () => {
    const { staging, stage } = setup();
    writeFileSync(join(dir, 'gone.pdf'), '%PDF-1.7');
    await stage([{ name: 'gone.pdf', path: join(dir, 'gone.pdf') }]);
    rmSync(join(dir, 'gone.pdf'));
    const [f] = await staging.takeDropped();
    await expect(f!.read()).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
  });
});
