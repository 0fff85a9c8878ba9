/** The `setup.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { PassphraseStrength, VaultSetup, PracticeKeyResult } from '../schemas/settings';
import type { ChannelMap } from './spec';

export const setupChannels = {
  'setup.checkPassphrase': {
    input: z.object({ passphrase: z.string().max(1024), hints: z.array(z.string().max(200)).max(10).default([]) }).strict(),
    output: PassphraseStrength,
  },
  'setup.createVault': { input: VaultSetup, output: PracticeKeyResult },
} as const satisfies ChannelMap;
