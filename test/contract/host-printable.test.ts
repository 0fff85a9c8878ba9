/**
 * The preview host serves the print-ready packet from the vault for the browser's own viewer, only with
 * the per-run token, and releases.export writes into the host's export folder. Synthetic data only.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../host/server';
import { startPreviewHost, type PreviewHostFixture } from '../support/preview-host';
import { requireTool } from '../support/tools';

const HAVE = requireTool('qpdf');

describe.skipIf(!HAVE)('preview host: printable packet and export folder', () => {
  let f: PreviewHostFixture;
  let host: Host;
  let exportDir: string;
  let rpc: PreviewHostFixture['rpc'];
  const readyRelease = () => f.readyRelease();

  beforeAll(async () => {
    f = await startPreviewHost('rd-host-print-');
    ({ host, exportDir, rpc } = f);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('serves the printable PDF only with the token', async () => {
    const releaseId = await readyRelease();
    const out = (await rpc('releases.printable', { releaseId })) as unknown as { printableId: string; pageCount: number };
    const denied = await fetch(`${host.origin}/printable/${out.printableId}?token=wrong`);
    expect(denied.status).toBe(401);
    const ok = await fetch(`${host.origin}/printable/${out.printableId}?token=${encodeURIComponent(host.token)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await ok.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await fetch(`${host.origin}/printable/nope_nope_1?token=${encodeURIComponent(host.token)}`)).status).toBe(404);
  }, 60_000);

  it('releases.export writes into the host export folder', async () => {
    const releaseId = await readyRelease();
    const out = (await rpc('releases.export', { releaseId })) as unknown as { saved: boolean; files: Array<{ name: string }> };
    expect(out.saved).toBe(true);
    expect(readdirSync(exportDir).sort()).toEqual(out.files.map((f) => f.name).sort());
  }, 60_000);
});
