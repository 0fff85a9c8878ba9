/**
 * One audit chain for the practice (issue #17, build item 4): the events this workstation wrote in its own vault are
 * appended to the practice's shared chain (audit-repo.ts appendPracticeAudit) on each synchronisation, in local
 * order, each once. The local chain is untouched and still verifies on its own.
 *
 * "Once": the shared store keeps, per workstation, the last local seq it holds (practice_workstations.last_audit_seq,
 * practice migration 0003); it is read and moved in the same transaction as the appends, under the chain lock, so a
 * crash or a lost connection between the server's commit and the vault's bookkeeping never appends an event twice.
 * The vault keeps a copy of the mark (practice_link.last_pushed_audit_seq) for the status.
 *
 * Each shared event: the local time, the staff account id as actor, the action and outcome, the subject (type and
 * random id), and a sealed detail with the local detail plus the workstation id, the local seq and hash (so an event
 * can be matched to its local chain) and the staff member's name.
 *
 * Source: 45 CFR 164.312(b) audit controls, 164.312(c)(1) integrity, 164.316(b)(2) retention.
 */
import { ADVISORY_LOCKS, advisoryXactLock } from './engine';
import { appendPracticeAudit } from './audit-repo';
import { localAuditAfter, setLastPushedAuditSeq } from './link-vault-repo';
import { setWorkstationAuditMark, workstationAuditMark } from './sync-repo';
import type { SyncContext } from './sync-requests';

const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Append this workstation's audit events the shared chain does not hold yet, in batches of `batch` (one server
 * transaction each).
 * @returns how many events were appended
 * @throws the link's errors (nothing is appended twice: a failed batch is rolled back whole)
 */
export async function pushAuditToPracticeChain(c: SyncContext, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await c.engine.transaction(async (tx) => {
      await advisoryXactLock(tx, ADVISORY_LOCKS.auditChain);
      const mark = await workstationAuditMark(tx, c.workstationId);
      const rows = localAuditAfter(c.session.require().db, mark, batch);
      for (const r of rows) {
        let detail: Record<string, unknown>;
        try {
          detail = JSON.parse(r.detail_json) as Record<string, unknown>;
        } catch {
          detail = { unreadable: true };
        }
        const action = ACTION.test(r.action) ? r.action : 'local.event';
        await appendPracticeAudit(tx, c.keys, {
          at: r.at,
          actor: (r.actor_id ?? 'system').slice(0, 64) || 'system',
          action,
          outcome: r.outcome === 'failure' || r.outcome === 'refused' ? r.outcome : 'success',
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          detail: { ...detail, workstation: c.workstationId, localSeq: r.seq, localHash: r.hash, actorName: r.actor, ...(action !== r.action ? { localAction: r.action } : {}) },
        });
      }
      const last = rows.at(-1)?.seq ?? mark;
      if (rows.length > 0) await setWorkstationAuditMark(tx, c.workstationId, last, c.now().toISOString());
      return { n: rows.length, last };
    });
    const v = c.session.require();
    v.tx(() => setLastPushedAuditSeq(v.db, done.last));
    total += done.n;
    if (done.n < batch) return total;
  }
}
