/**
 * The app warms its packaging worker when the window opens (electron/app.ts calls services.warmPackaging): the thread
 * starts before any release asks for it, and the first packet is then made on that same thread. Without a worker
 * (packaging on the calling thread) warming does nothing and throws nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../../src/main/services';
import { PackagingWorker, sourceWorkerEntry } from '../../../src/main/services/packaging/worker-client';

const dirs: string[] = [];
const services = (withWorker: boolean) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rd-warm-'));
  dirs.push(dataDir);
  return createServices({ dataDir, mode: 'preview', version: 'test', filePicker: { pick: async () => [] }, ...(withWorker ? { packagingWorker: sourceWorkerEntry() } : {}) });
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the packaging worker is warmed when the app opens', () => {
  it('starts the worker thread before any release needs it', async () => {
    const s = services(true);
    try {
      expect(s.packaging).toBeInstanceOf(PackagingWorker);
      const worker = s.packaging as PackagingWorker;
      expect(worker.threadId).toBeNull();
      s.warmPackaging();
      await vi.waitFor(() => expect(worker.threadId).not.toBeNull(), { timeout: 30_000 });
      // The warm-up is queued like a job: the next job runs after it on the same thread.
      const thread = worker.threadId;
      await worker.warm();
      expect(worker.threadId).toBe(thread);
    } finally {
      await s.stopPackaging();
    }
  }, 60_000);

  it('does nothing when packaging runs on the calling thread', () => {
    const s = services(false);
    expect(() => s.warmPackaging()).not.toThrow();
  });
});
