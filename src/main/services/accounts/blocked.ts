import type { Finding } from '../../../shared/compliance';

/**
 * The error code for a release the gate blocks, so the screen can say exactly what is missing:
 * PATIENT_OFFICER_APPROVAL_REQUIRED when only a privacy officer's approval is missing and it includes a confirmed
 * file that shows another patient (45 CFR 164.502(a), 164.530(c)); APPROVAL_REQUIRED when the only thing missing
 * is the two-person rule's approval; RELEASE_BLOCKED otherwise.
 */
export function blockedCode(blocking: readonly Finding[]): 'APPROVAL_REQUIRED' | 'PATIENT_OFFICER_APPROVAL_REQUIRED' | 'RELEASE_BLOCKED' {
  if (blocking.length === 0) return 'RELEASE_BLOCKED';
  const officer = ['APPROVAL_REQUIRED', 'PATIENT_OFFICER_APPROVAL_REQUIRED'];
  if (!blocking.every((f) => officer.includes(f.code))) return 'RELEASE_BLOCKED';
  return blocking.some((f) => f.code === 'PATIENT_OFFICER_APPROVAL_REQUIRED') ? 'PATIENT_OFFICER_APPROVAL_REQUIRED' : 'APPROVAL_REQUIRED';
}
