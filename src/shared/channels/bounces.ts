/** The `bounces.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { Empty } from '../schemas/common';
import { BounceCheckResult } from '../schemas/delivery';
import type { ChannelMap } from './spec';

export const bouncesChannels = {
  /** Read the bounce mailbox now and apply every delivery status notification in it; counts per outcome. */
  'bounces.checkNow': {
    input: Empty,
    output: BounceCheckResult,
  },
} as const satisfies ChannelMap;
