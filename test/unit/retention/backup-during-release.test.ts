/**
 * Backup while a release is being prepared (issue 13, Done when): a release sits in the wizard — records imported and
 * classified, recipient set, not sent — when the backup is made. The copy opens with the passphrase (and not with
 * another), its audit chain and checkpoints verify on their own, and restoring it into an empty data folder gives the
 * same requests and releases (the draft with its record files, byte for byte); the release can still be worked on in
 * the original vault. Restore over an existing vault is refused and leaves the vault file untouched.
 * Synthetic data only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services';
import { createDispatch } from '../../../src/main/rpc/dispatch';
import { createHandlers } from '../../../src/main/rpc/handlers';
import { verifyChain } from '../../../src/main/services/audit/chain';
import { CHECKPOINT_KEY_PURPOSE } from '../../../src/main/services/audit/checkpoints';
import { restoreBackup } from '../../../src/main/services/retention/backup';
import { fixedClock } from '../../../src/main/services/support/clock';
import { Vault, VAULT_FILE } from '../../../src/main/services/vault/vault';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../../src/shared/contract';
import { file, intake, PASSPHRASE, recordPdf, startBackend, type Backend } from '../../support/backend';

let b: Backend | null = null;
const cleanup: string[] = [];
afterEach(async () => {
  await b?.close();
  b = null;
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('backup while a release is being prepared', () => {
  it('the copy opens with the passphrase, its chain verifies, and restore into an empty folder gives the same requests and releases; restore over a vault is refused', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rd-backup-out-'));
    cleanup.push(out);
    b = await startBackend({ exportDir: out });

    // A sent-nothing request, and one whose release is in the wizard: records imported and classified, recipient set.
    const other = await b.call('requests.create', intake({ basis: 'right_of_access', requester: { role: 'patient', name: 'Zyxwv Testpatient' } }));
    const req = await b.call('requests.create', intake());
    await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: '' });
    await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
    const rel = await b.call('releases.create', { requestId: req.id });
    b.stage([file('note 1.pdf', await recordPdf('Record 1')), file('note 2.pdf', await recordPdf('Record 2'))]);
    const picked = await b.call('documents.pick', { releaseId: rel.id });
    await b.call('documents.classify', { releaseId: rel.id, items: [{ documentId: picked.imported[0]!.id, category: 'visit_notes', documentDate: '2025-06-01' }] });
    await b.call('releases.setRecipient', { releaseId: rel.id, name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' });
    const prepared = await b.call('releases.get', { id: rel.id });
    expect(prepared.status).toBe('draft');

    const backup = await b.call('backup.create', {});
    expect(backup.saved).toBe(true);
    expect(backup.folder).toMatch(/releasedesk-backup-\d{4}-\d{2}-\d{2}T\d{6}Z$/);
    expect(backup.eventsVerified).toBeGreaterThan(10);
    expect(backup.folder).not.toMatch(/Zyxwv|MRN/);

    // The release goes on in the wizard after the backup.
    await b.call('documents.classify', { releaseId: rel.id, items: [{ documentId: picked.imported[1]!.id, category: 'lab_results', documentDate: '2025-07-01' }] });

    // The copy on its own: refused with another passphrase; opens with the right one; chain and checkpoints verify.
    await expect(Vault.openReadOnly(backup.folder!, 'not the passphrase at all 99')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const copy = await Vault.openReadOnly(backup.folder!, PASSPHRASE);
    try {
      const v = verifyChain(copy.db, copy.subkey('audit-chain-v1'), copy.subkey(CHECKPOINT_KEY_PURPOSE), backup.folder!);
      expect(v.problems).toEqual([]);
      expect(v.intact).toBe(true);
      expect(v.checked).toBe(backup.eventsVerified);
      expect(copy.db.prepare("SELECT status FROM releases WHERE id = ?").get(rel.id)).toEqual({ status: 'draft' });
    } finally {
      copy.close();
    }

    // Restore into an empty data folder (a new computer): the same requests and releases, the draft with its files.
    const empty = mkdtempSync(join(tmpdir(), 'rd-restore-'));
    cleanup.push(empty);
    const s2 = createServices({
      dataDir: empty,
      mode: 'preview',
      version: 'test',
      clock: fixedClock(new Date(Date.now() + 60_000).toISOString()),
      filePicker: { pick: async () => [] },
      folderPicker: { chooseFolder: async (purpose) => (purpose === 'restore' ? backup.folder : null) },
    });
    const d2 = createDispatch(createHandlers(s2), s2.logger, { onInvalidInput: s2.auditInvalidInput });
    const call2 = async <C extends ChannelName>(c: C, i: ChannelInput<C>): Promise<ChannelOutput<C>> => {
      const r = await d2(c, i);
      if (!r.ok) throw Object.assign(new Error(r.error.code), r.error);
      return r.value as ChannelOutput<C>;
    };
    try {
      const restored = await call2('backup.restore', { passphrase: PASSPHRASE });
      expect(restored).toMatchObject({ restored: true, requests: 2, releases: 1, eventsVerified: backup.eventsVerified });
      const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id).sort();
      expect(ids(await call2('requests.list', {}))).toEqual(ids([other, req]));
      const releases = await call2('releases.list', {});
      expect(releases.map((r) => ({ id: r.id, status: r.status }))).toEqual([{ id: rel.id, status: 'draft' }]);
      const again = await call2('releases.get', { id: rel.id });
      // As it was at the backup: both files, same bytes, the first classified, the same recipient.
      expect(again.documents.map((d) => ({ id: d.id, sha256: d.sha256, category: d.category }))).toEqual(
        prepared.documents.map((d) => ({ id: d.id, sha256: d.sha256, category: d.category })),
      );
      expect(again.recipient).toEqual(prepared.recipient);
      const chain = await call2('audit.verifyChain', {});
      expect(chain.intact).toBe(true);
      const events = await call2('audit.events', { limit: 3 });
      expect(events.some((e) => e.action === 'vault.restore' && e.outcome === 'success')).toBe(true);
      // The restored vault is a vault now: a second restore over it is refused.
      await expect(call2('backup.restore', { passphrase: PASSPHRASE })).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    } finally {
      s2.session.lock();
    }

    // Restore over the vault in use: refused by the service and by the restore itself; the vault file is untouched.
    b.services.session.lock();
    const before = sha(join(b.dataDir, VAULT_FILE));
    await expect(b.call('backup.restore', { passphrase: PASSPHRASE })).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    await expect(restoreBackup(backup.folder!, b.dataDir, PASSPHRASE)).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    expect(sha(join(b.dataDir, VAULT_FILE))).toBe(before);
  }, 90_000);
});
