/** The `authorizations.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { Revocation } from '../compliance';
import { Id } from '../schemas/common';
import { RequestDocument, AuthorizationRecord, AuthorizationInput } from '../schemas/requests';
import { PDF_FILES, type ChannelMap } from './spec';

export const authorizationsChannels = {
  /** Save (or, with authorizationId, replace) the request's authorization; returns the linter's findings. */
  'authorizations.save': {
    input: z.object({ requestId: Id, authorizationId: Id.optional(), authorization: AuthorizationInput }).strict(),
    output: AuthorizationRecord,
  },
  /** Record a revocation (effective the day received, 164.508(b)(5)). */
  'authorizations.revoke': { input: z.object({ authorizationId: Id, revocation: Revocation }).strict(), output: AuthorizationRecord },
  /** Attach the scanned signed authorization (picked like documents.pick; PDF only). */
  'authorizations.attachSignedForm': { input: z.object({ authorizationId: Id }).strict(), output: AuthorizationRecord, files: { accept: PDF_FILES } },
  /** A printable authorization form, blank or prefilled from the request (and its authorization); stored in the vault. */
  'authorizations.form': {
    input: z.object({ requestId: Id.optional(), prefill: z.boolean(), psychotherapyNotesOnly: z.boolean().default(false) }).strict(),
    output: RequestDocument,
  },
} as const satisfies ChannelMap;
