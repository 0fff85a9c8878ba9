/**
 * The preview host's stand-ins for the desktop app's folder and save dialogs (test/host/server.ts, exportDir):
 * releases.export uses the export folder while it is empty and a new empty subfolder after that (a packet needs
 * an empty folder); documents.export saves a vault document (here the written extension notice) into the
 * folder under its neutral name without overwriting; the audit report and an accounting of disclosures go into
 * subfolders named for them (audit-report-…, accounting-…), and their result names the folder. Synthetic data only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewHost, type PreviewHostFixture } from '../support/preview-host';
import { intake, PATIENT } from '../support/backend';
import { requireTool } from '../support/tools';

const HAVE = requireTool('qpdf');

describe.skipIf(!HAVE)('preview host: export folder and file saver', () => {
  let f: PreviewHostFixture;
  let exportDir: string;
  let rpc: PreviewHostFixture['rpc'];
  const readyRelease = () => f.readyRelease();
  const newRequest = () =>
    rpc('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: PATIENT.name }, recipients: [{ name: PATIENT.name, destination: 'zyxwv@patient.example.test' }] }));

  beforeAll(async () => {
    f = await startPreviewHost('rd-host-saver-');
    ({ exportDir, rpc } = f);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

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

  it('the audit report and an accounting go into subfolders named for them, and the result names the folder', async () => {
    if (readdirSync(exportDir).length === 0) await rpc('releases.export', { releaseId: await readyRelease() });
    type Saved = { saved: boolean; folder?: string; files: Array<{ name: string }> };
    const report = (await rpc('audit.exportReport', { filter: {} })) as unknown as Saved;
    expect(report.saved).toBe(true);
    expect(report.folder).toMatch(new RegExp(`^${exportDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/audit-report-[A-Za-z0-9]{6}$`));
    expect(readdirSync(report.folder!).sort()).toEqual(report.files.map((x) => x.name).sort());
    const accounting = (await rpc('audit.exportAccounting', { mrn: PATIENT.mrn, asOf: new Date().toISOString().slice(0, 10) })) as unknown as Saved;
    expect(accounting.saved).toBe(true);
    expect(accounting.folder?.startsWith(join(exportDir, 'accounting-'))).toBe(true);
    expect(readdirSync(exportDir).filter((e) => e.startsWith('release-export-') && readdirSync(join(exportDir, e)).some((n) => /audit|accounting/i.test(n)))).toEqual([]);
  }, 90_000);

  it('documents.export saves the extension notice under its neutral name, never overwriting', async () => {
    const req = await newRequest();
    const due = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
    const { notice } = (await rpc('requests.extend', { requestId: req.id, reason: 'Records are in off-site storage', newDueDate: due })) as unknown as { notice: { id: string; label: string; sizeBytes: number } };
    const saveDir = exportDir;
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
