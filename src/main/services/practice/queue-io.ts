import type { AuditDetail } from '../audit/audit';
import { appendPracticeAudit } from './audit-repo';
import { open, seal, type PracticeKeys } from './sealing';
import type { QueueIo } from './queue-repo';

/**
 * What the shared queue writes with, bound to the workstation's practice keys: PHI sealed with the practice data key
 * (sealing.ts: AES-256-GCM, AAD = table/column/row) and every state change's event appended to the practice's one
 * audit chain (audit-repo.ts, under the chain lock, inside the caller's transaction — the change and its event
 * commit together). The event's actor is the staff user's id, or the workstation's label for its own sends.
 * @param keys the practice keys of the signed-in staff user (keys-repo.ts openPracticeKeys)
 * @returns the {@link QueueIo} queue-repo.ts and queue-worker.ts take
 * @source 45 CFR 164.312(a)(2)(iv) encryption, 164.312(b) audit controls, 164.312(c)(1) integrity
 */
export function practiceQueueIo(keys: PracticeKeys): QueueIo {
  return {
    sealer: {
      seal: (place, plain) => seal(keys, place, plain),
      open: (place, sealed) => open(keys, place, sealed),
    },
    audit: (tx, e) =>
      appendPracticeAudit(tx, keys, {
        at: e.at.toISOString(),
        actor: e.actorId ?? e.actor,
        action: e.action,
        outcome: e.outcome,
        subjectType: e.subjectType ?? null,
        subjectId: e.subjectId ?? null,
        detail: (e.detail ?? null) as AuditDetail | null,
      }),
  };
}
