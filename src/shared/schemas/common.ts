/**
 * Primitives every other schema builds on: ids, calendar dates, timestamps, the vault state, and the small inputs many channels share.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { isCalendarDate } from '../compliance';

export const Id = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
/** A calendar date `YYYY-MM-DD` that exists (2026-02-31 is refused). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isCalendarDate, { message: 'not a real calendar date' });
export const IsoDateTime = z.string().datetime({ offset: true });
/** How many of something (0, 1, 2, …): rows, events, bytes, pages. */
export const Count = z.number().int().nonnegative();

export const VaultState = z.enum(['uninitialized', 'locked', 'unlocked']);

export const Empty = z.object({}).strict();
export const ByRelease = z.object({ releaseId: Id }).strict();
export const ByRequest = z.object({ requestId: Id }).strict();
