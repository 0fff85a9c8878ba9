/**
 * The `practiceServer.*` channels: connecting this workstation to the practice's PostgreSQL server (issue #17).
 * Administrators configure, test and disconnect (src/shared/roles.ts); every staff member may read the status.
 * Each call is audited (never the password, never a library's error text). Errors, all PHI-free and coded:
 * PRACTICE_SERVER_UNREACHABLE, PRACTICE_SERVER_TIMEOUT, PRACTICE_SERVER_NO_TLS, PRACTICE_SERVER_TLS_UNTRUSTED,
 * PRACTICE_SERVER_AUTH_FAILED, PRACTICE_SERVER_DATABASE_MISSING, PRACTICE_SERVER_CA_INVALID, PRACTICE_SERVER_FAILED,
 * PRACTICE_SERVER_NOT_SET, VALIDATION_FAILED (no password given and none stored for that server and user).
 */
import { Empty } from '../schemas/common';
import { z } from 'zod';
import {
  PracticeConflict,
  PracticeJoinInput,
  PracticeResolveInput,
  PracticeServerCheck,
  PracticeServerFullStatus,
  PracticeServerInput,
  PracticeSyncResult,
} from '../schemas/practice-server';
import type { ChannelMap } from './spec';

export const practiceServerChannels = {
  /**
   * Whether this workstation uses a practice server, which one (no password: only whether one is stored), its last
   * check, and the link: local / online / offline / not joined, this workstation's label, the last synchronisation
   * and how many conflicts await a decision.
   */
  'practiceServer.status': { input: Empty, output: PracticeServerFullStatus },
  /**
   * Test the entered settings without saving anything: connect with TLS required and verified against the given CA,
   * sign in, check with the server that the session is encrypted (`pg_stat_ssl`), read its version, disconnect.
   * Omit the password to use the stored one (same host, port and user only). Audited `practice_server.test`.
   */
  'practiceServer.test': { input: PracticeServerInput, output: PracticeServerCheck },
  /**
   * Test the entered settings as `practiceServer.test` does and, only when the test passes, save them (the password
   * in the encrypted vault) as this workstation's active practice server. A failed test saves nothing: the previous
   * settings stay as they were. Audited `practice_server.configure` (which fields changed, never their values).
   */
  'practiceServer.configure': { input: PracticeServerInput, output: PracticeServerFullStatus },
  /**
   * Stop using the practice server on this workstation: the stored password and the kept practice key are erased
   * (the link becomes local), the other settings are kept for reconnecting. Audited `practice_server.disconnect`. Error: PRACTICE_SERVER_NOT_SET when none is active.
   */
  'practiceServer.disconnect': { input: Empty, output: PracticeServerFullStatus },
  /**
   * Join this workstation to the practice (administrators): the first workstation makes the practice data key and
   * wraps it under the administrator's passphrase on the server; later ones unwrap it with the same administrator's
   * passphrase. The key and a new workstation id and label are kept in this vault. Audited `practice_server.join`.
   * Errors: PRACTICE_SERVER_NOT_SET, WRONG_PASSPHRASE (nothing stored), PRACTICE_KEY_NOT_WRAPPED, PRACTICE_WORKSTATION_NAME_TAKEN (another workstation has that name), PRACTICE_SERVER_* /
   * PRACTICE_DB_UNAVAILABLE (the server cannot be reached).
   */
  'practiceServer.join': { input: PracticeJoinInput, output: PracticeServerFullStatus },
  /**
   * Synchronise now: this workstation's new and changed requests are written to the server, the server's are taken
   * in, requests changed on both sides become conflicts (nothing merged), and this workstation's audit events are
   * appended to the practice's one chain. Errors: PRACTICE_SERVER_NOT_SET, PRACTICE_KEY_NOT_WRAPPED (not joined),
   * PRACTICE_SERVER_* / PRACTICE_DB_UNAVAILABLE (the link is then offline; nothing is lost).
   */
  'practiceServer.sync': { input: Empty, output: PracticeSyncResult },
  /** The requests that changed on this workstation and on the practice server and await a decision, with the fields that differ. */
  'practiceServer.conflicts': { input: Empty, output: z.array(PracticeConflict) },
  /**
   * Decide a conflict: keep the practice server's version (this workstation takes it) or this workstation's (written
   * to the server as a new version). Both versions stay recorded; the decision and who made it are audited
   * (`practice_server.resolve_conflict`). Errors: NOT_FOUND, PRACTICE_SYNC_CONFLICT_STALE (the server changed again:
   * a new conflict is shown), the link's errors.
   */
  'practiceServer.resolveConflict': { input: PracticeResolveInput, output: z.array(PracticeConflict) },
} as const satisfies ChannelMap;
