/**
 * Failed sign-ins while the vault is locked: each is appended (PHI-free: time, code, the account id tried) to a
 * small file beside the vault, throttles the next attempts ({@link unlockWaitSeconds}) and is moved into the
 * audit log at the next successful unlock (164.308(a)(5)(ii)(C) log-in monitoring).
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getUser } from './accounts/users-repo';
import { appendAudit } from './audit/audit';
import type { Vault } from './vault/vault';

const PENDING_FAILURES = 'unlock-failures.jsonl';

/** Wrong passphrases allowed before unlocking slows down. */
export const FREE_UNLOCK_ATTEMPTS = 3;
/** Longest wait imposed between attempts (seconds). */
export const MAX_UNLOCK_WAIT_SECONDS = 300;

/**
 * Seconds to wait after `failures` consecutive wrong passphrases: none for the first
 * {@link FREE_UNLOCK_ATTEMPTS}, then 2, 4, 8 … seconds, capped at {@link MAX_UNLOCK_WAIT_SECONDS}.
 * Slows guessing through the UI or the API (164.308(a)(5)(ii)(C) log-in monitoring; NIST SP 800-63B §5.2.2 rate limiting).
 */
export function unlockWaitSeconds(failures: number): number {
  if (failures < FREE_UNLOCK_ATTEMPTS) return 0;
  return Math.min(MAX_UNLOCK_WAIT_SECONDS, 2 ** (failures - FREE_UNLOCK_ATTEMPTS + 1));
}

/** A failed sign-in recorded while locked (PHI-free: time, code, the account id tried or null). */
export interface PendingFailure {
  at: string;
  code?: string;
  account?: string | null;
  audited?: boolean;
}

/** The failed sign-ins recorded while locked (`unlock-failures.jsonl` in `dataDir`), oldest first. */
export function pendingFailureLines(dataDir: string): PendingFailure[] {
  const file = join(dataDir, PENDING_FAILURES);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PendingFailure);
}

/** Record one failed sign-in while locked (file mode 0600). */
export function appendPendingFailure(dataDir: string, line: PendingFailure): void {
  appendFileSync(join(dataDir, PENDING_FAILURES), JSON.stringify(line) + '\n', { mode: 0o600 });
}

/**
 * Move the failed sign-ins recorded while locked into the audit log: each names the account tried (its name as
 * actor and its id as detail.accountId; a practice-wide account with no account here yet: its id, actor "unknown")
 * or "unknown" when the name matched no account. MFA failures were already
 * audited in the vault and only counted for the throttle.
 */
export function flushPendingFailures(dataDir: string, v: Vault, chainKey: Buffer): void {
  const file = join(dataDir, PENDING_FAILURES);
  const lines = pendingFailureLines(dataDir);
  if (lines.length === 0) return;
  const db = v.db;
  v.tx(() => {
    for (const f of lines) {
      if (f.audited) continue;
      const account = f.account ? getUser(db, f.account) : null;
      appendAudit(db, chainKey, {
        at: new Date(f.at),
        actor: account?.name ?? 'unknown',
        actorId: null,
        action: 'vault.unlock',
        outcome: 'failure',
        subjectType: 'vault',
        subjectId: null,
        detail: { code: f.code ?? 'WRONG_PASSPHRASE', accountId: account?.id ?? f.account ?? 'unknown' },
      });
    }
  });
  rmSync(file);
}

