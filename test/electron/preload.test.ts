import * as electron from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, ipcChannel } from '../../src/shared/contract';
import type { ApiEvents } from '../../src/shared/bridge';
import type { FakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());
const fake = electron as unknown as FakeElectron;

/** Runs the preload once (module evaluation) and returns what it exposed, by key. */
async function loadPreload() {
  await import('../../src/preload/preload');
  return new Map(fake.contextBridge.exposeInMainWorld.mock.calls.map(([k, v]) => [k as string, v as Record<string, unknown>]));
}

describe('preload bridge', () => {
  it('exposes exactly window.rpc, window.apiEvents and window.fileDrop', async () => {
    const exposed = await loadPreload();
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(3);
    expect([...exposed.keys()].sort()).toEqual(['apiEvents', 'fileDrop', 'rpc']);
    expect(Object.keys(exposed.get('fileDrop')!)).toEqual(['stage']);
  });

  it('fileDrop.stage sends a dropped file by its path, and one without a path by its bytes, on rd-drop:stage only', async () => {
    const exposed = await loadPreload();
    const stage = exposed.get('fileDrop')!.stage as (files: unknown[]) => Promise<void>;
    fake.ipcRenderer.invoke.mockClear();
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: {} });
    const onDisk = { name: 'scan.pdf', path: '/home/frontdesk/scan.pdf', arrayBuffer: async () => new ArrayBuffer(0) };
    const inMemory = { name: 'photo.jpg', arrayBuffer: async () => new Uint8Array([0xff, 0xd8, 0xff]).buffer };
    await stage([onDisk, inMemory]);
    expect(fake.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith('rd-drop:stage', [
      { name: 'scan.pdf', path: '/home/frontdesk/scan.pdf' },
      { name: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff]) },
    ]);
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false } as never);
    await expect(stage([onDisk])).rejects.toThrow(/refused/);
  });

  it('window.rpc has exactly the contract channels, each invoking rd:<name> with the input', async () => {
    const exposed = await loadPreload();
    const api = exposed.get('rpc')!;
    expect(Object.keys(api).sort()).toEqual([...CHANNEL_NAMES].sort());
    for (const name of CHANNEL_NAMES) {
      fake.ipcRenderer.invoke.mockClear();
      const input = { probe: name };
      await (api[name] as (i: unknown) => Promise<unknown>)(input);
      expect(fake.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(ipcChannel(name), input);
    }
    // Nothing else of ipcRenderer leaks through.
    expect(Object.values(exposed.get('rpc')!).every((v) => typeof v === 'function')).toBe(true);
    expect(JSON.stringify(Object.keys(exposed.get('apiEvents')!))).toBe('["on"]');
  });

  it('apiEvents.on delivers the payload only (IpcRendererEvent stripped) and unsubscribes', async () => {
    const exposed = await loadPreload();
    const apiEvents = exposed.get('apiEvents') as unknown as ApiEvents;
    const received: unknown[][] = [];
    const off = apiEvents.on('progress', (...args: unknown[]) => void received.push(args));
    const payload = { operation: 'import', releaseId: 'rel_123456', done: 1, total: 3 };
    fake.ipcRenderer.emitFromMain('rd-event:progress', payload);
    expect(received).toEqual([[payload]]);
    expect(JSON.stringify(received)).not.toContain('ipcRenderer-itself');
    off();
    off();
    fake.ipcRenderer.emitFromMain('rd-event:progress', payload);
    expect(received).toHaveLength(1);
    expect(fake.ipcRenderer.listeners.get('rd-event:progress')?.size ?? 0).toBe(0);
  });

  it('apiEvents.on refuses names that are not contract events', async () => {
    const exposed = await loadPreload();
    const apiEvents = exposed.get('apiEvents') as unknown as { on(n: string, cb: () => void): () => void };
    expect(() => apiEvents.on('rd:vault.unlock', () => {})).toThrow(/Unknown event/);
    expect(fake.ipcRenderer.on).not.toHaveBeenCalledWith('rd-event:rd:vault.unlock', expect.anything());
  });
});
