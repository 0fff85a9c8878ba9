import { AppError } from '../../../shared/errors';
import type { SqlEngine } from './engine';
import type { PracticeKeys } from './sealing';

/**
 * The link between this workstation and the practice server (issue #17), as the rest of the app sees it.
 *
 * The local vault stays each workstation's working store (offline first): staff keep preparing requests and releases
 * when the server cannot be reached. With a practice server configured, the vault is a replica that is synchronised
 * with the server, and the server is the authority for states and the audit chain (45 CFR 164.312(b), 164.530(j)).
 *
 * Keys: an administrator joins the workstation to the practice once. The first workstation creates the practice data
 * key and wraps it for that administrator on the server (keys-repo.ts setUpPracticeKey); any later workstation
 * unwraps it with the administrator's passphrase (openPracticeKeys). The workstation then keeps the data key in its
 * own encrypted vault, so every staff member signed in to this workstation can use the shared store without a second
 * passphrase; the key never reaches the renderer and never leaves the workstation in clear.
 *
 * States:
 * - `local`: no practice server is configured; nothing is shared.
 * - `online`: configured, joined, and the last use of the server succeeded.
 * - `offline`: configured and joined, but the server cannot be reached now; work is kept in the vault and
 *   synchronised when it returns.
 * - `not_joined`: configured, but this workstation does not hold the practice data key yet.
 */
export type PracticeLinkState = 'local' | 'online' | 'offline' | 'not_joined';

/** This workstation as the shared store names it: a stable id made at first join, and a label staff chose. */
export interface Workstation {
  /** Random id, 32 hex characters; stored in the vault; never PHI. */
  id: string;
  /** A short name shown to staff ("Front desk 2"); never PHI. */
  label: string;
}

/** See the module comment. */
export interface PracticeLink {
  /** The current state (no I/O). */
  state(): PracticeLinkState;
  /** This workstation (throws PRACTICE_SERVER_NOT_SET when `local`). */
  workstation(): Workstation;
  /**
   * Run `fn` with the shared store and the practice keys. A connection failure inside `fn` turns the link `offline`
   * (and is rethrown); success turns it `online`.
   * @throws AppError PRACTICE_SERVER_NOT_SET (state `local`) | PRACTICE_KEY_NOT_WRAPPED (`not_joined`) |
   *   PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE (the server cannot be reached; the link is then `offline`)
   */
  use<T>(fn: (engine: SqlEngine, keys: PracticeKeys) => Promise<T>): Promise<T>;
  /** Called each time the link becomes `online` again (after `offline`); returns an unsubscribe function. */
  onOnline(listener: () => void): () => void;
}

/** Error codes that mean "the server cannot be reached now" (the link goes `offline`; the work waits in the vault). */
export const OFFLINE_CODES: ReadonlySet<string> = new Set([
  'PRACTICE_SERVER_UNREACHABLE',
  'PRACTICE_SERVER_TIMEOUT',
  'PRACTICE_DB_UNAVAILABLE',
]);

/** Whether an error means the practice server cannot be reached now (see {@link OFFLINE_CODES}). */
export function isOfflineError(e: unknown): boolean {
  return e instanceof AppError && OFFLINE_CODES.has(e.code);
}

/**
 * A link over an engine and keys that are already open, always `online` unless `setOffline(true)`: for tests and for
 * scripts/practice-workstation.ts. The engine is not closed by the link.
 */
export function openedPracticeLink(engine: SqlEngine, keys: PracticeKeys, workstation: Workstation): PracticeLink & { setOffline(offline: boolean): void } {
  let offline = false;
  const listeners = new Set<() => void>();
  const link = {
    state: (): PracticeLinkState => (offline ? 'offline' : 'online'),
    workstation: () => workstation,
    async use<T>(fn: (engine: SqlEngine, keys: PracticeKeys) => Promise<T>): Promise<T> {
      if (offline) throw new AppError('PRACTICE_SERVER_UNREACHABLE', 'The practice server cannot be reached.');
      return fn(engine, keys);
    },
    onOnline(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setOffline(next: boolean) {
      const wasOffline = offline;
      offline = next;
      if (wasOffline && !next) for (const l of listeners) l();
    },
  };
  return link;
}

/** The link of a workstation with no practice server (state `local`): every {@link PracticeLink.use} is refused. */
export function localPracticeLink(): PracticeLink {
  return {
    state: () => 'local',
    workstation: () => {
      throw new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.');
    },
    use: () => Promise.reject(new AppError('PRACTICE_SERVER_NOT_SET', 'This workstation is not connected to a practice server.')),
    onOnline: () => () => undefined,
  };
}
