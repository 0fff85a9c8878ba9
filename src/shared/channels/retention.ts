/** The `retention.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Id, Empty } from '../schemas/common';
import { RetentionPolicy, PurgeResult, RetentionView, PlaceHoldInput } from '../schemas/retention';
import type { ChannelMap } from './spec';

export const retentionChannels = {
  /** The retention policy, legal holds, last purge and last backup. */
  'retention.get': { input: Empty, output: RetentionView },
  /** Save the policy (privacy officer). Audited. @throws RETENTION_TOO_SHORT below six years. */
  'retention.setPolicy': { input: RetentionPolicy, output: RetentionView },
  /** Place a legal hold on a patient or a request (privacy officer). Audited (scope and id only). */
  'retention.placeHold': { input: PlaceHoldInput, output: RetentionView },
  /** Release a legal hold (privacy officer). Audited. */
  'retention.releaseHold': { input: z.object({ holdId: Id }).strict(), output: RetentionView },
  /** Purge expired content now (privacy officer). Audited with kinds and counts. */
  'retention.purge': { input: Empty, output: PurgeResult },
} as const satisfies ChannelMap;
