/** The `requests.*` channels: one entry per channel, `{ input, output }` (zod); see src/shared/contract.ts. */
import { z } from 'zod';
import { CalendarDate, PatientDirective, RequestScope, AuthorityVerificationMethod, RepresentativeAuthorityDocument } from '../compliance';
import { NoticeLanguageSchema } from '../languages';
import { UNENCRYPTED_EMAIL_WARNING_VERSION } from '../compliance-text';
import { line, paragraph } from '../text-rules';
import { Id, Empty } from '../schemas/common';
import { RequestRecipientInput, RequestIntake, VerificationMethod, RequestDocument, RequestSummary, RequestDetail } from '../schemas/requests';
import { PDF_FILES, type ChannelMap } from './spec';

export const requestsChannels = {
  'requests.create': { input: RequestIntake, output: RequestDetail },
  /** Open and closed requests, oldest due first; clock fields computed in the practice's time zone. */
  'requests.list': { input: Empty, output: z.array(RequestSummary) },
  'requests.get': { input: z.object({ id: Id }).strict(), output: RequestDetail },
  /** Move along the status flow by hand (received → verifying → ready; ready → verifying; failed → ready). */
  'requests.setStatus': { input: z.object({ requestId: Id, status: z.enum(['verifying', 'ready']) }).strict(), output: RequestDetail },
  /** Record what was checked to verify identity or authority, by the signed-in staff member, now (164.514(h)). */
  'requests.recordVerification': {
    input: z.object({ requestId: Id, subject: z.enum(['identity', 'authority']), method: VerificationMethod, notes: paragraph(1000).default('') }).strict(),
    output: RequestDetail,
  },
  /** The one extension (164.524(b)(2)(ii)); produces the written notice PDF, stored in the vault. */
  'requests.extend': {
    input: z.object({ requestId: Id, reason: paragraph(1000, 1), newDueDate: CalendarDate }).strict(),
    output: z.object({ request: RequestDetail, notice: RequestDocument }),
  },
  'requests.deny': { input: z.object({ requestId: Id, reason: paragraph(2000, 1) }).strict(), output: RequestDetail },
  /**
   * The written denial (164.524(d)(2)–(3)) of a denied right-of-access request, from the recorded reason, in the
   * language recorded at intake, offered to save or print. `reviewable`: the ground is reviewable (164.524(a)(3));
   * `elsewhere`: who keeps the records when the practice does not ((d)(3)). Audited request.denial_notice.
   */
  'requests.denialNotice': {
    input: z.object({ requestId: Id, reviewable: z.boolean(), elsewhere: line(300).optional() }).strict(),
    output: z.object({ saved: z.boolean(), pageCount: z.number().int().positive(), language: NoticeLanguageSchema }),
  },
  'requests.withdraw': { input: z.object({ requestId: Id, note: paragraph(1000).default('') }).strict(), output: RequestDetail },
  /**
   * Record the individual's choice of unencrypted email after the warning
   * (UNENCRYPTED_EMAIL_WARNING in src/shared/compliance-text.ts; the renderer echoes its version).
   */
  'requests.recordUnencryptedEmailChoice': {
    input: z
      .object({
        requestId: Id,
        warningVersion: z.literal(UNENCRYPTED_EMAIL_WARNING_VERSION),
        prefersUnencrypted: z.boolean(),
        chosenBy: z.enum(['patient', 'personal_representative']),
        scope: z.enum(['this_release', 'standing']),
      })
      .strict(),
    output: RequestDetail,
  },
  /**
   * Amend an open request (scope, recipients, the patient's signed direction incl. the categories it names);
   * the previous values, who, when and why are kept with the request and audited (request.amend).
   */
  'requests.amend': {
    input: z
      .object({
        requestId: Id,
        reason: paragraph(1000, 1),
        scope: RequestScope.optional(),
        recipients: z.array(RequestRecipientInput).min(1).max(20).optional(),
        patientDirective: PatientDirective.optional(),
      })
      .strict(),
    output: RequestDetail,
  },
  /** The individual withdrew their choice of unencrypted email (kept, marked withdrawn now). */
  'requests.withdrawUnencryptedEmailChoice': { input: z.object({ requestId: Id, acknowledgmentId: Id }).strict(), output: RequestDetail },
  /**
   * Record how a personal representative's authority was verified (164.502(g), 164.514(h)): for the requester
   * or for the signer of the request's authorization. 'copy_attached' picks the PDF copy (like documents.pick).
   */
  'requests.recordRepresentativeAuthority': {
    input: z
      .object({
        requestId: Id,
        target: z.enum(['requester', 'authorization_signer']),
        document: RepresentativeAuthorityDocument,
        method: AuthorityVerificationMethod,
        notes: paragraph(500).default(''),
      })
      .strict(),
    output: RequestDetail,
    // Picks only when a copy of the authority document is attached (164.514(h)).
    files: { accept: PDF_FILES, when: (input) => (input as { method?: unknown }).method === 'copy_attached' },
  },
} as const satisfies ChannelMap;
