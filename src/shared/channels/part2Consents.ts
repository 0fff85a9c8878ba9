/** The `part2Consents.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Revocation } from '../compliance';
import { Id } from '../schemas/common';
import { Part2ConsentRecord, Part2ConsentInput } from '../schemas/requests';
import type { ChannelMap } from './spec';

export const part2ConsentsChannels = {
  /** Record a 42 CFR Part 2 consent (§2.31) on the request's patient; returns its findings. */
  'part2Consents.save': { input: z.object({ requestId: Id, consent: Part2ConsentInput }).strict(), output: Part2ConsentRecord },
  /** Record the revocation of a Part 2 consent (42 CFR 2.31(a)(6)); effective the day received. */
  'part2Consents.revoke': { input: z.object({ consentId: Id, revocation: Revocation }).strict(), output: Part2ConsentRecord },
} as const satisfies ChannelMap;
