/** The `app.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { Empty } from '../schemas/common';
import { AppInfo } from '../schemas/accounts';
import type { ChannelMap } from './spec';

export const appChannels = {
  'app.info': { input: Empty, output: AppInfo },
} as const satisfies ChannelMap;
