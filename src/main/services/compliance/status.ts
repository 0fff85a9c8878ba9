import { AppError } from '../../../shared/errors';
import type { RequestStatus } from './types';

/**
 * Allowed status transitions of a request:
 * received → verifying → ready → sent | partly_sent | failed; a partly sent or
 * failed release may be retried; denied and withdrawn close a request from any
 * open state (a denial must follow 164.524(d)); sent, denied, withdrawn are final.
 */
export const STATUS_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['verifying', 'denied', 'withdrawn'],
  verifying: ['ready', 'denied', 'withdrawn'],
  ready: ['sent', 'partly_sent', 'failed', 'verifying', 'denied', 'withdrawn'],
  partly_sent: ['sent', 'partly_sent', 'failed', 'withdrawn'],
  failed: ['sent', 'partly_sent', 'failed', 'ready', 'withdrawn'],
  sent: [],
  denied: [],
  withdrawn: [],
};

/** Statuses from which a release may be sent (identity and authority verified, 164.514(h)). */
export const SENDABLE_STATUSES: readonly RequestStatus[] = ['ready', 'partly_sent', 'failed'];

/** True when `from → to` is an allowed transition. */
export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

/**
 * Check a status change.
 * @returns `to`
 * @throws AppError STATUS_TRANSITION_INVALID (detail: from, to) when not allowed by {@link STATUS_TRANSITIONS}
 */
export function transitionStatus(from: RequestStatus, to: RequestStatus): RequestStatus {
  if (!canTransition(from, to)) throw new AppError('STATUS_TRANSITION_INVALID', 'This request cannot move to that status from its current one.', { from, to });
  return to;
}
