/** The `bounces.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Empty } from '../schemas/common';
import type { ChannelMap } from './spec';

export const bouncesChannels = {
  /** Read the bounce mailbox now and apply every delivery status notification in it; counts per outcome. */
  'bounces.checkNow': {
    input: Empty,
    output: z.object({
      read: z.number().int().nonnegative(),
      bounced: z.number().int().nonnegative(),
      delayed: z.number().int().nonnegative(),
      ignored: z.number().int().nonnegative(),
      unmatched: z.number().int().nonnegative(),
      duplicate: z.number().int().nonnegative(),
    }),
  },
} as const satisfies ChannelMap;
