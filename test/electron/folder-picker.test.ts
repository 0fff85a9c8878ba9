import { describe, expect, it } from 'vitest';
import { createDialogFolderPicker } from '../../src/main/electron/folder-picker';
import { FakeBrowserWindow, fakeElectron } from './fake-electron';

describe('dialog FolderPicker', () => {
  it('asks for a directory (parented to the window), returns the chosen path, and null when cancelled', async () => {
    const electron = fakeElectron();
    const win = new FakeBrowserWindow({});
    let answer: { canceled: boolean; filePaths: string[] } = { canceled: false, filePaths: ['/media/usb-drive'] };
    const calls: unknown[][] = [];
    electron.dialog.showOpenDialog.mockImplementation(async (...args: unknown[]) => {
      calls.push(args);
      return answer;
    });
    const picker = createDialogFolderPicker({ dialog: electron.dialog as never, getWindow: () => win as never });
    expect(await picker.chooseFolder()).toBe('/media/usb-drive');
    expect(calls[0]![0]).toBe(win);
    expect((calls[0]![1] as { properties: string[] }).properties).toEqual(expect.arrayContaining(['openDirectory', 'createDirectory']));
    expect((calls[0]![1] as { properties: string[] }).properties).not.toContain('openFile');
    answer = { canceled: true, filePaths: [] };
    expect(await picker.chooseFolder()).toBeNull();
    const unparented = createDialogFolderPicker({ dialog: electron.dialog as never, getWindow: () => null });
    answer = { canceled: false, filePaths: [] };
    expect(await unparented.chooseFolder()).toBeNull();
    expect(calls.at(-1)).toHaveLength(1);
  });

  it('says what the folder is for: a backup may go into a new folder; a restore opens an existing backup folder', async () => {
    const electron = fakeElectron();
    const calls: Array<{ title: string; buttonLabel: string; properties: string[] }> = [];
    electron.dialog.showOpenDialog.mockImplementation(async (...args: unknown[]) => {
      calls.push(args.at(-1) as (typeof calls)[number]);
      return { canceled: false, filePaths: ['/media/usb-drive/releasedesk-backup-2026-03-10T160000Z'] };
    });
    const picker = createDialogFolderPicker({ dialog: electron.dialog as never, getWindow: () => null });
    await picker.chooseFolder('backup');
    await picker.chooseFolder('restore');
    expect(calls[0]).toMatchObject({ title: expect.stringMatching(/backup/i), buttonLabel: 'Back up here' });
    expect(calls[0]!.properties).toContain('createDirectory');
    expect(calls[1]).toMatchObject({ title: expect.stringMatching(/restore/i), buttonLabel: 'Restore this backup' });
    expect(calls[1]!.properties).not.toContain('createDirectory');
  });

  it('names the report a folder is chosen for (audit report, accounting of disclosures, access report)', async () => {
    const electron = fakeElectron();
    const titles: string[] = [];
    electron.dialog.showOpenDialog.mockImplementation(async (...args: unknown[]) => {
      titles.push((args.at(-1) as { title: string }).title);
      return { canceled: false, filePaths: ['/media/usb-drive'] };
    });
    const picker = createDialogFolderPicker({ dialog: electron.dialog as never, getWindow: () => null });
    for (const p of ['audit-report', 'accounting', 'access-report'] as const) await picker.chooseFolder(p);
    expect(titles).toEqual(['Choose a folder for the audit report', 'Choose a folder for the accounting of disclosures', 'Choose a folder for the access report']);
  });
});
