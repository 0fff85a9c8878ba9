/** The `vault.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { line } from '../text-rules';
import { Empty } from '../schemas/common';
import { MfaCode } from '../schemas/accounts';
import type { ChannelMap } from './spec';

export const vaultChannels = {
  /**
   * Unlock as one staff account: its passphrase unwraps the vault key; with MFA enrolled, `code` (TOTP or a recovery
   * code) is required. Without `username`, every account's entry is tried (single-account vaults, older callers).
   * @throws WRONG_PASSPHRASE | MFA_REQUIRED | MFA_INVALID | ACCOUNT_INACTIVE | UNLOCK_THROTTLED | VAULT_DAMAGED | VAULT_NOT_A_VAULT
   */
  'vault.unlock': {
    input: z.object({ passphrase: z.string().min(1).max(1024), username: line(120).optional(), code: MfaCode.optional() }).strict(),
    output: Empty,
  },
  'vault.lock': { input: Empty, output: Empty },
} as const satisfies ChannelMap;
