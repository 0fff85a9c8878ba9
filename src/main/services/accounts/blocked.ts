import type { Finding } from '../../../shared/compliance';

/**
 * The error code for a release the gate blocks: APPROVAL_REQUIRED when the only thing missing is a privacy
 * officer's approval (two-person rule), so the screen can say exactly that; RELEASE_BLOCKED otherwise.
 */
export function blockedCode(blocking: readonly Finding[]): 'APPROVAL_REQUIRED' | 'RELEASE_BLOCKED' {
  return blocking.length > 0 && blocking.every((f) => f.code === 'APPROVAL_REQUIRED') ? 'APPROVAL_REQUIRED' : 'RELEASE_BLOCKED';
}
