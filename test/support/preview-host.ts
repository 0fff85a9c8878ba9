/**
 * The preview host (test/host/server.ts) with a set-up vault and an export folder, driven over its real
 * HTTP protocol (bearer token, /rpc, /upload) for host-level tests. Synthetic data only.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host, type HostOptions } from '../host/server';
import { intake, PATIENT, recordPdf } from '../unit/requests/harness';

export interface PreviewHostFixture {
  host: Host;
  dir: string;
  exportDir: string;
  /** POST /rpc/<channel>; resolves to the value or rejects with the wire error. */
  rpc(channel: string, input: unknown): Promise<Record<string, unknown> & { id: string }>;
  /** A right-of-access request, verified and ready, with one classified record and a keyless patient recipient. @returns the release id */
  readyRelease(): Promise<string>;
  close(): Promise<void>;
}

/** Start the host on a fresh data folder under os.tmpdir() (prefix names it) and create the vault; `extra`: e.g. presence. */
export async function startPreviewHost(prefix: string, extra: Pick<HostOptions, 'presence'> = {}): Promise<PreviewHostFixture> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const exportDir = join(dir, 'export');
  mkdirSync(exportDir);
  const host = await startHost({ dataDir: join(dir, 'data'), exportDir, staticDir: dir, ...extra });
  await host.services.setup.createVault({
    passphrase: 'orbit lantern cactus velvet harbor 42',
    staffName: 'Qwert Frontdesk',
    practice: { name: 'Maplewood Family Practice', senderName: 'Maplewood Records', senderEmail: 'records@clinic.example.test', timeZone: 'America/Chicago' },
    smtp: { host: '127.0.0.1', port: 2525, security: 'starttls', username: 'u', password: 'p' },
  });
  const rpc: PreviewHostFixture['rpc'] = async (channel, input) => {
    const r = await fetch(`${host.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
    if (!body.ok) throw Object.assign(new Error(body.error!.code), body.error);
    return body.value as Record<string, unknown> & { id: string };
  };
  const readyRelease = async () => {
    const req = await rpc(
      'requests.create',
      intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }] }),
    );
    await rpc('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await rpc('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await rpc('releases.create', { requestId: req.id });
    const up = await fetch(`${host.origin}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'x-file-name': 'note.pdf' },
      body: new Uint8Array(await recordPdf('Record 0')),
    });
    if (up.status !== 200) throw new Error(`upload failed with HTTP ${up.status}`);
    const picked = (await rpc('documents.pick', { releaseId: rel.id })) as unknown as { imported: Array<{ id: string }> };
    await rpc('documents.classify', {
      releaseId: rel.id,
      items: picked.imported.map((d) => ({ documentId: d.id, category: 'visit_notes', documentDate: '2025-06-01' })),
    });
    await rpc('releases.setRecipient', { releaseId: rel.id, name: PATIENT.name, email: 'zyxwv@patient.example.test' });
    return rel.id;
  };
  return {
    host,
    dir,
    exportDir,
    rpc,
    readyRelease,
    close: async () => {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
