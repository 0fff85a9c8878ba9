/** The `setup.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { line } from '../text-rules';
import { SmtpSettingsInput } from '../schemas/delivery';
import { PracticeInput, PassphraseStrength } from '../schemas/settings';
import { KeyInfo } from '../schemas/recipients';
import type { ChannelMap } from './spec';

export const setupChannels = {
  'setup.checkPassphrase': {
    input: z.object({ passphrase: z.string().max(1024), hints: z.array(z.string().max(200)).max(10).default([]) }).strict(),
    output: PassphraseStrength,
  },
  'setup.createVault': {
    input: z
      .object({
        passphrase: z.string().min(1).max(1024),
        staffName: line(120),
        practice: PracticeInput,
        smtp: SmtpSettingsInput,
      })
      .strict(),
    output: z.object({ practiceKey: KeyInfo }),
  },
} as const satisfies ChannelMap;
