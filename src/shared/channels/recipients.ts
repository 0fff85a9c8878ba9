/** The `recipients.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { armoredText } from '../text-rules';
import { Id } from '../schemas/common';
import { KeyInfo, AddressStatus, EmailCheck } from '../schemas/recipients';
import type { ChannelMap } from './spec';

export const recipientsChannels = {
  'recipients.checkEmail': { input: z.object({ email: z.string().max(400) }).strict(), output: EmailCheck },
  'recipients.inspectKey': { input: z.object({ armoredKey: armoredText() }).strict(), output: KeyInfo },
  /** The address confirmation round trip for this release's patient: where `email` stands (no change, not audited). */
  'recipients.addressStatus': { input: z.object({ releaseId: Id, email: z.string().max(400) }).strict(), output: AddressStatus },
  /**
   * Email a PHI-free confirmation code to `email` (TLS-only, the practice's server), superseding a pending one.
   * Audited address.code_sent. Refused ADDRESS_ALREADY_CONFIRMED when the address is confirmed for this patient.
   */
  'recipients.sendCode': { input: z.object({ releaseId: Id, email: z.string().max(400) }).strict(), output: AddressStatus },
  /**
   * The code the recipient read back (6 digits; spaces and hyphens ignored). Right: the address is confirmed for
   * the patient and, when it is the release's recipient, the release's recipient too. Refused ADDRESS_CODE_WRONG,
   * ADDRESS_CODE_EXPIRED (24 h), ADDRESS_CODE_LOCKED (5 wrong tries), ADDRESS_CODE_NOT_SENT. Audited address.confirm.
   */
  'recipients.confirmCode': {
    input: z.object({ releaseId: Id, email: z.string().max(400), code: z.string().regex(/^[0-9 -]{1,12}$/) }).strict(),
    output: AddressStatus,
  },
} as const satisfies ChannelMap;
