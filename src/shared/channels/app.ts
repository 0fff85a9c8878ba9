/** The `app.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Id, VaultState, Empty } from '../schemas/common';
import { StaffRole } from '../schemas/accounts';
import type { ChannelMap } from './spec';

export const appChannels = {
  'app.info': {
    input: Empty,
    output: z.object({
      mode: z.enum(['electron', 'preview']),
      version: z.string(),
      vault: VaultState,
      practiceName: z.string().nullable(),
      staffName: z.string().nullable(),
      /** The signed-in account (issue #11); null while locked. */
      user: z.object({ id: Id, name: z.string(), role: StaffRole }).nullable().optional(),
      /**
       * The practice required MFA when this account unlocked and it has not enrolled yet: the app shows only the
       * enrollment screen, and main refuses every other channel with MFA_ENROLLMENT_REQUIRED until it confirms.
       */
      mfaEnrollmentDue: z.boolean().optional(),
    }),
  },
} as const satisfies ChannelMap;
