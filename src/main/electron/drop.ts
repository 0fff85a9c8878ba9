/**
 * Files dropped onto the Records step in the desktop app. The preload takes each dropped File's path with
 * `webUtils.getPathForFile` (a path only a real drop yields: a File made by page script has none), or its
 * bytes when it has no path (dragged out of a mail program), and invokes {@link DROP_CHANNEL}. Main keeps
 * them here, in memory, until `documents.importDropped` takes them (FilePicker.takeDropped).
 */
import type { IpcMain } from 'electron';
import { readFile as fsReadFile, stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { MAX_FILE_BYTES } from '../services/documents/documents';
import type { PickedFile } from '../services/documents/picker';
import type { Logger } from '../services/support/logger';
import type { SenderCheck } from './ipc';

/** The IPC channel the preload stages dropped files on (not a contract channel: it carries paths and bytes). */
export const DROP_CHANNEL = 'rd-drop:stage';
/** Most files one drop may stage. */
export const MAX_DROPPED_FILES = 50;

const DroppedFile = z.union([
  z.object({ name: z.string().min(1).max(255), path: z.string().min(1).max(4096).refine(isAbsolute) }).strict(),
  z.object({ name: z.string().min(1).max(255), bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_FILE_BYTES) }).strict(),
]);
const DropInput = z.array(DroppedFile).min(1).max(MAX_DROPPED_FILES);

/**
 * The drop staging area.
 * @param opts.readFile reads a whole file (defaults to fs); a path must be a regular file of at most MAX_FILE_BYTES
 * @returns `takeDropped` for the FilePicker and `register` for ipcMain (returns its unregister function)
 */
export function createDropStaging(opts: { readFile?: (path: string) => Promise<Buffer> } = {}) {
  const readFile = opts.readFile ?? ((p: string) => fsReadFile(p));
  let staged: PickedFile[] = [];
  return {
    async takeDropped(): Promise<PickedFile[]> {
      const files = staged;
      staged = [];
      return files;
    },
    /**
     * Handle DROP_CHANNEL from our window only; answers `{ ok: true, staged }` or `{ ok: false }` (never a path or a reason).
     */
    register(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, isTrusted: SenderCheck, logger: Logger): () => void {
      ipcMain.handle(DROP_CHANNEL, async (event, input: unknown) => {
        if (!isTrusted(event)) {
          logger.warn('ipc.unauthorized_sender', { channel: DROP_CHANNEL });
          return { ok: false };
        }
        const parsed = DropInput.safeParse(input);
        if (!parsed.success) return { ok: false };
        const files: PickedFile[] = [];
        for (const f of parsed.data) {
          const name = basename(f.name.replace(/\\/g, '/'));
          if ('bytes' in f) {
            const bytes = Buffer.from(f.bytes);
            files.push({ name, read: async () => bytes });
            continue;
          }
          const s = await stat(f.path).catch(() => null);
          if (!s?.isFile()) return { ok: false };
          const path = f.path;
          files.push({
            name,
            read: async () => {
              if (s.size > MAX_FILE_BYTES) throw new AppError('FILE_TOO_LARGE', `This file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
              return readFile(path).catch(() => {
                throw new AppError('FILE_UNREADABLE', 'This file could not be read. Check that it is still there, then add it again.');
              });
            },
          });
        }
        staged = files;
        return { ok: true, staged: files.length };
      });
      return () => ipcMain.removeHandler(DROP_CHANNEL);
    },
  };
}
