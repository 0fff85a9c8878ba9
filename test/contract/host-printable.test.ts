/**
 * The preview host serves the print-ready packet from the vault for the browser's own viewer, only with
 * the per-run token, and releases.export writes into the host's export folder. Synthetic data only.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../host/server';
import { intake, PATIENT, recordPdf } from '../unit/requests/harness';
import { requireTool } from '../support/tools';

const HAVE = requireTool('qpdf');

describe.skipIf(!HAVE)('preview host: printable packet and export folder', () => {
  let host: Host;
  let dir: string;
  let exportDir: string;
  const rpc = async (channel: string, input: unknown) => {
    const r = await fetch(`${host.origin}/rpc/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
    if (!body.ok) throw Object.assign(new Error(body.error!.code), body.error);
    return body.value as Record<string, unknown> & { id: string };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rd-host-print-'));
    exportDir = join(dir, 'export');
    mkdirSync(exportDir);
    host = await startHost({ dataDir: join(dir, 'data'), exportDir, staticDir: dir });
    await host.services.setup.createVault({
      passphrase: 'orbit lantern cactus velvet harbor 42',
      staffName: 'Qwert Frontdesk',
      practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: 'America/Chicago' },
      smtp: { host: '127.0.0.1', port: 2525, security: 'starttls', username: 'u', password: 'p' },
    });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readyRelease() {
    const req = await rpc('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }] }));
    await rpc('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await rpc('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await rpc('releases.create', { requestId: req.id });
    const up = await fetch(`${host.origin}/upload`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'x-file-name': 'note.pdf' }, body: new Uint8Array(await recordPdf('Record 0')) });
    expect(up.status).toBe(200);
    const picked = (await rpc('documents.pick', { releaseId: rel.id })) as unknown as { imported: Array<{ id: string }> };
    await rpc('documents.classify', { releaseId: rel.id, items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes', documentDate: '2025-06-01' })) });
    await rpc('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: 'zyxwv@patient.example.test' });
    return rel.id;
  }

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
