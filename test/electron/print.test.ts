/**
 * Printing in the desktop app (mocked `electron`, real services and vault): the stored print packet opens in a
 * hidden, sandboxed window (no preload, no Node, its own session) from a data: URL, and the print disclosure is
 * recorded only after `webContents.print` reported success; a cancelled or failed print records no disclosure and
 * leaves the release as it was. Synthetic data only.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeElectron, FakeBrowserWindow } from './fake-electron';

vi.mock('electron', () => fakeElectron());

import { PRINT_WINDOW_OPTIONS, printStoredPacket, type WindowCtor } from '../../src/main/electron/print';
import { requireTool } from '../support/tools';
import { readyAccessRelease, startBackend, type Backend } from '../support/backend';

const HAVE = requireTool('qpdf');

/** The print outcome the next window's webContents.print reports, and what happened before it was called. */
let nextPrint: { success: boolean; failureReason: string } = { success: true, failureReason: '' };
let statusWhenPrinting: string | null = null;
let b: Backend;

class PrintWindow extends FakeBrowserWindow {
  destroy = vi.fn(() => {
    this.destroyed = true;
  });
  constructor(options: Record<string, unknown>) {
    super(options);
    Object.assign(this.webContents, {
      print: vi.fn((_o: unknown, cb: (success: boolean, failureReason: string) => void) => {
        // What the vault says at the moment the job goes to the system: not yet disclosed.
        void b.call('releases.get', { id: current }).then((d) => {
          statusWhenPrinting = d.status;
          cb(nextPrint.success, nextPrint.failureReason);
        });
      }),
    });
  }
}
let current = '';

async function readyRelease(): Promise<string> {
  return (await readyAccessRelease(b, 'zyxwv@patient.example.test')).rel.id;
}

const deps = () => ({ BrowserWindow: PrintWindow as unknown as WindowCtor, releases: b.services.releases });

describe.skipIf(!HAVE)('printing in the desktop app', () => {
  beforeAll(async () => {
    b = await startBackend();
  }, 60_000);
  afterAll(async () => b?.close());

  it('opens the stored packet in a hidden sandboxed window and records the disclosure only after the print call succeeded', async () => {
    current = await readyRelease();
    nextPrint = { success: true, failureReason: '' };
    const out = await printStoredPacket(deps(), current);
    const win = FakeBrowserWindow.instances.at(-1) as PrintWindow;
    expect(win.options).toEqual(PRINT_WINDOW_OPTIONS);
    expect(win.options).toMatchObject({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false } });
    expect((win.options.webPreferences as Record<string, unknown>).preload).toBeUndefined();
    const url = win.loadURL.mock.calls[0]![0];
    expect(url.startsWith('data:application/pdf;base64,')).toBe(true);
    expect(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.test' })).toEqual({ action: 'deny' });
    expect(win.destroy).toHaveBeenCalled();

    // Not disclosed while the job was being handed over; disclosed after.
    expect(statusWhenPrinting).toBe('draft');
    expect(out.release.status).toBe('sent');
    expect(out.transmission.method).toBe('print');
    const ev = (await b.call('audit.events', {})).filter((e) => e.subjectId === current);
    const prepared = ev.find((e) => e.action === 'release.print_prepared')!;
    const printed = ev.find((e) => e.action === 'release.print')!;
    expect(printed.outcome).toBe('success');
    expect(prepared.seq).toBeLessThan(printed.seq);
  });

  it('records no disclosure when staff cancel the print dialog or the print fails', async () => {
    for (const [reason, code] of [
      ['cancelled', 'PRINT_CANCELLED'],
      ['Printing failed', 'PRINT_FAILED'],
    ] as const) {
      current = await readyRelease();
      nextPrint = { success: false, failureReason: reason };
      await expect(printStoredPacket(deps(), current)).rejects.toMatchObject({ code });
      const d = await b.call('releases.get', { id: current });
      expect(d.status).toBe('draft');
      expect(d.transmissions).toEqual([]);
      const ev = (await b.call('audit.events', {})).filter((e) => e.subjectId === current && e.action === 'release.print');
      expect(ev).toHaveLength(1);
      expect(ev[0]!.outcome).not.toBe('success');
      expect(ev[0]!.detail).toMatchObject({ code });
      expect((FakeBrowserWindow.instances.at(-1) as PrintWindow).destroy).toHaveBeenCalled();
    }
    // A later, successful print of the same release still works.
    nextPrint = { success: true, failureReason: '' };
    expect((await printStoredPacket(deps(), current)).release.status).toBe('sent');
  });
});
