/** The `backup.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Empty } from '../schemas/common';
import { BackupResult, RestoreResult } from '../schemas/retention';
import type { ChannelMap } from './spec';

export const backupChannels = {
  /** Make an encrypted, verified backup into a folder staff choose. Audited. */
  'backup.create': { input: Empty, output: BackupResult },
  /** Restore a backup staff choose into this computer's empty data folder (only before setup). Audited in the restored vault. */
  'backup.restore': { input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(), output: RestoreResult },
} as const satisfies ChannelMap;
