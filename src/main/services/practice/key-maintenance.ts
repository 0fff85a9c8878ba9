/**
 * The practice data key on a joined workstation (issue #17; staff-rotation.ts): this workstation's X25519 key pair on
 * the server, the staff directory's queued changes pushed, and the data key kept current — adopted from this
 * workstation's box after another workstation replaced it, replaced here when a removed account still holds a box
 * of it, boxed to holders that lack it, and everything re-sealed under it.
 *
 * Source: 45 CFR 164.308(a)(3)(ii)(C) (termination procedures), 164.312(a)(2)(iv) (encryption), 164.312(b) (audit
 * controls: adopt and rotate are audited).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { isAppError } from '../../../shared/errors';
import type { Session } from '../session';
import type { Clock } from '../support/clock';
import type { Logger } from '../support/logger';
import type { SqlEngine } from './engine';
import { readLink } from './link-vault-repo';
import type { Workstation } from './practice-link';
import { disabledHoldersOf, holdersWithoutBox, keysAwaitingReseal } from './rotation-repo';
import { destroyPracticeKeys, practiceKeyId, practiceKeys, type PracticeKeys } from './sealing';
import type { StaffDirectory } from './staff-directory';
import { boxDataKey, newStaffKeyPair, openKeyBox, publicKeyOf } from './staff-keys';
import { currentKeyId, getKeyBox, putKeyBox, setWorkstationPublicKey } from './staff-repo';
import { resealUnder, rotatePracticeKey } from './staff-rotation';
import { earlierLinkKeys, replaceLinkKey, rootLinkKey, setWorkstationSecret, workstationSecret } from './staff-vault-repo';

/** What the practice link's audit events are about. */
export const PRACTICE_LINK_SUBJECT = { type: 'setting', id: 'practice_link' };

/** What key maintenance needs from the practice link. */
export interface KeyMaintenanceDeps {
  session: Session;
  clock: Clock;
  logger: Logger;
  directory: StaffDirectory;
  /** This workstation (the link's id and label). */
  workstation: () => Workstation;
}

/** The working keys of the kept practice data key, with the earlier keys kept since a rotation. */
export function keysOf(db: Database, dataKey: Buffer): PracticeKeys {
  const kept = earlierLinkKeys(db);
  const root = kept.find((k) => k.isRoot)?.dataKey;
  const earlier = kept.map((k) => practiceKeys(k.dataKey, root));
  const keys = practiceKeys(dataKey, root);
  for (const k of kept) k.dataKey.fill(0);
  return earlier.length > 0 ? { ...keys, earlier } : keys;
}

/**
 * The first pass of a sync (and of a join): this workstation's X25519 public key on the server, the queued staff
 * directory changes pushed, then the practice data key maintained (maintainKeys below). Runs in its own `use`, so
 * the second pass opens the keys as they are after a rotation.
 */
export async function keysPass(d: KeyMaintenanceDeps, engine: SqlEngine, keys: PracticeKeys): Promise<void> {
  const v = d.session.require();
  const ws = d.workstation();
  let secret = workstationSecret(v.db);
  if (!secret) {
    const pair = newStaffKeyPair();
    secret = pair.privateKey;
    const s = secret;
    v.tx(() => setWorkstationSecret(v.db, s));
  }
  try {
    await setWorkstationPublicKey(engine, ws.id, publicKeyOf(secret));
  } finally {
    secret.fill(0);
  }
  await d.directory.push(engine, keys, ws.id);
  await maintainKeys(d, engine, keys);
}

/**
 * Keep the practice data key current (staff-rotation.ts):
 * - the server has a newer key: adopt it from this workstation's box (the old one is kept to read what is not
 *   re-sealed yet); audited `practice_staff.adopt_key`;
 * - a disabled account still holds a box of the current key: rotate (new key boxed to every active account and
 *   workstation, the disabled accounts' boxes deleted; audited `practice_staff.rotate_key`), then re-seal;
 * - otherwise: box the current key to active accounts and workstations that lack it (an account pushed by a
 *   workstation that held an older key, a workstation that joined after a rotation) and finish a re-seal left undone.
 * Failures of the re-seal are logged as codes (the next sync continues); the rest throws.
 */
async function maintainKeys(d: KeyMaintenanceDeps, engine: SqlEngine, keys: PracticeKeys): Promise<void> {
  const s = d.session;
  const v = s.require();
  const ws = d.workstation();
  const at = d.clock.now().toISOString();
  const cur = await currentKeyId(engine);
  if (!cur) return;
  if (cur !== keys.keyId) {
    const secret = workstationSecret(v.db);
    const box = await getKeyBox(engine, cur, { kind: 'workstation', id: ws.id });
    if (!secret || !box) {
      secret?.fill(0);
      d.logger.warn('practice_key.not_boxed_for_workstation', { code: 'PRACTICE_KEY_NOT_WRAPPED' });
      return;
    }
    const payload = openKeyBox(box, secret);
    secret.fill(0);
    try {
      const root = payload.length === 64 ? payload.subarray(32, 64) : null;
      s.audited(
        'practice_staff.adopt_key',
        PRACTICE_LINK_SUBJECT,
        (vault) => replaceLinkKey(vault.db, { keyId: cur, dataKey: payload.subarray(0, 32) }, at, root ? { keyId: practiceKeyId(root), dataKey: root } : undefined),
        () => ({ from: keys.keyId, to: cur }),
      );
    } finally {
      payload.fill(0);
    }
    return;
  }
  const link = readLink(v.db);
  if (!link?.dataKey) return;
  const root = rootLinkKey(v.db);
  try {
    if ((await disabledHoldersOf(engine, cur)) > 0) {
      const r = await rotatePracticeKey(engine, { keyId: cur, root, dataKey: link.dataKey }, s.requireUser().id, at);
      try {
        const rootKey = root ?? link.dataKey;
        s.audited(
          'practice_staff.rotate_key',
          PRACTICE_LINK_SUBJECT,
          (vault) => replaceLinkKey(vault.db, { keyId: r.keyId, dataKey: r.dataKey }, at, { keyId: practiceKeyId(rootKey), dataKey: rootKey }),
          () => ({ from: cur, to: r.keyId, holders: r.holders, removedBoxes: r.removedBoxes }),
        );
        await resealQuietly(d, engine, keysOf(v.db, r.dataKey), at);
      } finally {
        r.dataKey.fill(0);
      }
      return;
    }
    for (const h of await holdersWithoutBox(engine, cur)) await putKeyBox(engine, boxDataKey(link.dataKey, h.publicKey, { kind: h.kind, id: h.id }, root), at);
    if ((await keysAwaitingReseal(engine)).length > 0) await resealQuietly(d, engine, keys, at);
  } finally {
    link.dataKey.fill(0);
    root?.fill(0);
  }
}

/** Re-seal under `keys` (then destroyed); failures are logged as codes and the next sync continues. */
async function resealQuietly(d: KeyMaintenanceDeps, engine: SqlEngine, keys: PracticeKeys, at: string): Promise<void> {
  try {
    const n = await resealUnder(engine, keys, at);
    d.logger.info('practice_key.resealed', { staff: n.staff, requests: n.requests, records: n.records, chunks: n.chunks, skipped: n.skipped });
  } catch (e) {
    d.logger.warn('practice_key.reseal_failed', { code: isAppError(e) ? e.code : 'INTERNAL' });
  } finally {
    destroyPracticeKeys(keys);
  }
}
