/**
 * The preview host's stand-ins for the desktop app's folder and save dialogs (test/host/server.ts, exportDir):
 * releases.export uses the export folder while it is empty and a new empty subfolder after that (a packet needs
 * an empty folder); documents.export saves a vault document (here the written extension notice) into the
 * folder under its neutral name without overwriting. Synthetic data only.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../host/server';
import { intake, PATIENT, recordPdf } from '../unit/requests/harness';
import { requireTool } from '../support/tools';

const HAVE = requireTool('qpdf');

describe.skipIf(!HAVE)('preview host: export folder and file saver', () => {
  let host: Host;
  let dir: string;
  let exportDir: string;
  const rpc = async (channel: string, input: unknown) => {
    const r = await fetch(`${host.origin}/rpc/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
    if (!body.ok) throw Object.assign(new Error(body.error!.code), body.error);
    return body.value as Record<string, unknown> & { id: string };
  };
  const newRequest = () =>
    rpc('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }] }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rd-host-saver-'));
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
    const req = await newRequest();
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

  it('a second export goes into a new empty subfolder of the export folder', async () => {
    const first = (await rpc('releases.export', { releaseId: await readyRelease() })) as unknown as { saved: boolean; files: Array<{ name: string }> };
    expect(first.saved).toBe(true);
    expect(readdirSync(exportDir).sort()).toEqual(first.files.map((f) => f.name).sort());
    const second = (await rpc('releases.export', { releaseId: await readyRelease() })) as unknown as { saved: boolean; files: Array<{ name: string }> };
    expect(second.saved).toBe(true);
    const sub = readdirSync(exportDir).filter((e) => e.startsWith('release-export-'));
    expect(sub).toHaveLength(1);
    expect(readdirSync(join(exportDir, sub[0]!)).sort()).toEqual(second.files.map((f) => f.name).sort());
  }, 90_000);

  it('documents.export saves the extension notice under its neutral name, never overwriting', async () => {
    const req = await newRequest();
    const due = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
    const { notice } = (await rpc('requests.extend', { requestId: req.id, reason: 'Records are in off-site storage', newDueDate: due })) as unknown as { notice: { id: string; label: string; sizeBytes: number } };
    const saveDir = join(dir, 'export');
    expect((await rpc('documents.export', { documentId: notice.id })).saved).toBe(true);
    expect((await rpc('documents.export', { documentId: notice.id })).saved).toBe(true);
    const stem = notice.label.replace(/\.pdf$/, '');
    const saved = readdirSync(saveDir).filter((n) => n.startsWith(stem)).sort();
    expect(saved).toEqual([`${stem} (2).pdf`, notice.label].sort());
    for (const n of saved) {
      expect(readFileSync(join(saveDir, n)).subarray(0, 5).toString()).toBe('%PDF-');
      expect(statSync(join(saveDir, n)).mode & 0o777).toBe(0o600);
    }
    expect(notice.label).not.toMatch(/Zyxwv/i);
  }, 60_000);
});
