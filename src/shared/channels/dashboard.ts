/** The `dashboard.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { Empty } from '../schemas/common';
import { Dashboard } from '../schemas/dashboard';
import type { ChannelMap } from './spec';

export const dashboardChannels = {
  /** The compliance dashboard (home screen after unlock). */
  'dashboard.get': { input: Empty, output: Dashboard },
} as const satisfies ChannelMap;
