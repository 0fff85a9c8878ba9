/**
 * The `practiceServer.*` channels: connecting this workstation to the practice's PostgreSQL server (issue #17).
 * Administrators configure, test and disconnect (src/shared/roles.ts); every staff member may read the status.
 * Each call is audited (never the password, never a library's error text). Errors, all PHI-free and coded:
 * PRACTICE_SERVER_UNREACHABLE, PRACTICE_SERVER_TIMEOUT, PRACTICE_SERVER_NO_TLS, PRACTICE_SERVER_TLS_UNTRUSTED,
 * PRACTICE_SERVER_AUTH_FAILED, PRACTICE_SERVER_DATABASE_MISSING, PRACTICE_SERVER_CA_INVALID, PRACTICE_SERVER_FAILED,
 * PRACTICE_SERVER_NOT_SET, VALIDATION_FAILED (no password given and none stored for that server and user).
 */
import { Empty } from '../schemas/common';
import { PracticeServerCheck, PracticeServerInput, PracticeServerStatus } from '../schemas/practice-server';
import type { ChannelMap } from './spec';

export const practiceServerChannels = {
  /** Whether this workstation uses a practice server, which one (no password: only whether one is stored) and its last check. */
  'practiceServer.status': { input: Empty, output: PracticeServerStatus },
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
  'practiceServer.configure': { input: PracticeServerInput, output: PracticeServerStatus },
  /**
   * Stop using the practice server on this workstation: the stored password is erased, the other settings are kept
   * for reconnecting. Audited `practice_server.disconnect`. Error: PRACTICE_SERVER_NOT_SET when none is active.
   */
  'practiceServer.disconnect': { input: Empty, output: PracticeServerStatus },
} as const satisfies ChannelMap;
