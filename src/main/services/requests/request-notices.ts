import type { RequestDetailT, RequestDocumentT } from '../../../shared/contract';
import { UNENCRYPTED_EMAIL_WARNING } from '../../../shared/compliance-text';
import { AppError } from '../../../shared/errors';
import { ACCESS_BASES, grantExtension, localDate } from '../compliance';
import { renderExtensionNotice } from '../compliance/documents/extension-notice';
import { renderDenialNotice } from '../compliance/documents/denial-notice';
import { noticeLanguageOf, type NoticeLanguage } from '../../../shared/languages';
import { checkPdf, documentLabel, insertRequestDocument, readDocument } from '../documents/documents';
import { requireSetting } from '../settings/settings';
import { OPEN, refuseAudited, type RequestContext } from './request-context';
import { requestDetail } from './request-views';
import { closingReason, getRequest, insertAcknowledgment, updateRequest, withdrawAcknowledgment } from './repo';

/**
 * Grant the one extension (45 CFR 164.524(b)(2)(ii)) and produce the written
 * notice (PDF, stored encrypted in the vault as a request document, exportable).
 * @param newDueDate `YYYY-MM-DD`, after day 30 and at most day 60
 * @throws AppError EXTENSION_REFUSED (detail.rule: not_access | second_extension | after_day_30 | reason_required | date_not_after_due | date_after_day_60) | NOT_FOUND
 */
export async function extend(ctx: RequestContext, requestId: string, reason: string, newDueDate: string): Promise<{ request: RequestDetailT; notice: RequestDocumentT }> {
  const subject = { type: 'request', id: requestId };
  const db = ctx.session.require().db;
  const tz = ctx.timeZone();
  const now = ctx.now();
  const r = refuseAudited(ctx, 'request.extend', subject, () => {
    const r = getRequest(db, requestId);
    if (!OPEN.includes(r.request.status)) throw new AppError('EXTENSION_REFUSED', 'This request is closed; it cannot be extended.', { rule: 'closed' });
    grantExtension(r.request, { reason, newDueDate }, now, tz);
    return r;
  });
  const ext = grantExtension(r.request, { reason, newDueDate }, now, tz);
  const practice = requireSetting(db, 'practice');
  const pdf = Buffer.from(
    await renderExtensionNotice({
      practice: practiceContact(practice),
      addresseeName: r.request.requester.name,
      receivedDate: localDate(r.request.receivedAt, tz),
      noticeDate: ext.noticeDate,
      reason: ext.reason,
      newDueDate: ext.newDueDate,
      language: noticeLanguageOf(r.request),
      assetsRoot: ctx.deps.assetsRoot,
    }),
  );
  const { pageCount } = await checkPdf(pdf);
  const notice = ctx.session.audited(
    'request.extend',
    subject,
    (v) => {
      // Re-check inside the transaction: nothing changed the request meanwhile.
      const cur = getRequest(v.db, requestId);
      const e = grantExtension(cur.request, { reason, newDueDate }, now, tz);
      updateRequest(v.db, { ...cur.request, extensions: [e] }, now);
      return insertRequestDocument(v.db, {
        requestId,
        kind: 'extension_notice',
        label: `extension-notice-${cur.reference}.pdf`,
        bytes: pdf,
        pageCount,
        at: now,
        documentDate: e.noticeDate,
      });
    },
    (doc) => ({ noticeDocumentId: doc.id, newDueDate: ext.newDueDate }),
  );
  return { request: requestDetail(ctx, requestId), notice };
}

/**
 * The written denial of a denied right-of-access request (164.524(d)(2)–(3)), made from the reason recorded at the
 * denial, in the language recorded at intake, and offered to staff to save or print (`denial-notice-<reference>.pdf`).
 * Prints the practice's postal address, phone and privacy officer (the complaint contact, 164.530(a)(1)(ii)).
 * Audited `request.denial_notice` (detail: reviewable, language, page count — never the reason).
 * @param opts.reviewable the ground is reviewable (164.524(a)(3)): the notice says how to ask for a review
 * @param opts.elsewhere where the records are kept, when the practice does not keep them ((d)(3))
 * @throws AppError STATUS_TRANSITION_INVALID (not denied, or not a right-of-access request) | EXPORT_UNAVAILABLE | NOT_FOUND
 */
export async function denialNotice(ctx: RequestContext, requestId: string, opts: { reviewable: boolean; elsewhere?: string | undefined }): Promise<{ saved: boolean; pageCount: number; language: NoticeLanguage }> {
  const subject = { type: 'request', id: requestId };
  const db = ctx.session.require().db;
  const tz = ctx.timeZone();
  const { r, reason } = refuseAudited(ctx, 'request.denial_notice', subject, () => {
    if (!ctx.deps.fileSaver) throw new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
    const r = getRequest(db, requestId);
    if (r.request.status !== 'denied' || !(ACCESS_BASES as readonly string[]).includes(r.request.basis))
      throw new AppError('STATUS_TRANSITION_INVALID', 'A denial notice is made for a right-of-access request that was denied.');
    return { r, reason: closingReason(db, requestId) ?? '' };
  });
  const language = noticeLanguageOf(r.request);
  const pdf = Buffer.from(
    await renderDenialNotice({
      practice: practiceContact(requireSetting(db, 'practice')),
      addresseeName: r.request.requester.name,
      receivedDate: localDate(r.request.receivedAt, tz),
      noticeDate: localDate(ctx.now().toISOString(), tz),
      reason,
      reviewable: opts.reviewable,
      elsewhere: opts.elsewhere,
      language,
      assetsRoot: ctx.deps.assetsRoot,
    }),
  );
  const { pageCount } = await checkPdf(pdf);
  const saved = await ctx.deps.fileSaver!.save(`denial-notice-${r.reference}.pdf`, pdf);
  ctx.session.audited('request.denial_notice', subject, () => saved, (x) => ({ saved: x, reviewable: opts.reviewable, language, pageCount }));
  return { saved, pageCount, language };
}

/**
 * Record the individual's choice about unencrypted email after the warning
 * (UNENCRYPTED_EMAIL_WARNING, recorded verbatim), who chose, the staff member
 * who recorded it, when, and its scope (this release / standing). 164.524(c)(2).
 * @throws AppError NOT_FOUND
 */
export function recordUnencryptedEmailChoice(
  ctx: RequestContext,
  requestId: string,
  input: { prefersUnencrypted: boolean; chosenBy: 'patient' | 'personal_representative'; scope: 'this_release' | 'standing' },
): RequestDetailT {
  ctx.session.audited(
    'unencrypted_email.acknowledge',
    { type: 'request', id: requestId },
    (v) => {
      const r = getRequest(v.db, requestId);
      return insertAcknowledgment(v.db, {
        patientMrn: r.patient.mrn,
        acknowledgment: {
          warningShown: UNENCRYPTED_EMAIL_WARNING,
          prefersUnencrypted: input.prefersUnencrypted,
          chosenBy: input.chosenBy,
          recordedBy: ctx.session.actor(),
          recordedAt: ctx.now().toISOString(),
          scope: input.scope,
          requestId,
        },
      });
    },
    (a) => ({ acknowledgmentId: a.id, prefersUnencrypted: a.prefersUnencrypted, scope: a.scope }),
  );
  return requestDetail(ctx, requestId);
}

/**
 * The individual withdrew their choice of unencrypted email (164.524(c)(2)(ii) guidance): the recorded choice
 * is kept, marked withdrawn now; from then on the gate refuses unencrypted email under it (UNENCRYPTED_WITHDRAWN).
 * @throws AppError NOT_FOUND (no such choice for this request's patient) | VALIDATION_FAILED (already withdrawn)
 */
export function withdrawUnencryptedEmailChoice(ctx: RequestContext, requestId: string, acknowledgmentId: string): RequestDetailT {
  ctx.session.audited(
    'unencrypted_email.withdraw',
    { type: 'request', id: requestId },
    (v) => withdrawAcknowledgment(v.db, getRequest(v.db, requestId).patient.mrn, acknowledgmentId, ctx.now()),
    (a) => ({ acknowledgmentId: a.id, scope: a.scope }),
  );
  return requestDetail(ctx, requestId);
}

/**
 * Save a vault document (extension notice, authorization form, signed scan) where staff choose.
 * @returns `{ saved }` (false when cancelled)
 * @throws AppError EXPORT_UNAVAILABLE (no saver configured) | NOT_FOUND
 */
export async function exportDocument(ctx: RequestContext, documentId: string): Promise<{ saved: boolean }> {
  const subject = { type: 'document', id: documentId };
  const db = ctx.session.require().db;
  const label = refuseAudited(ctx, 'document.export', subject, () => {
    if (!ctx.deps.fileSaver) throw new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
    return documentLabel(db, documentId);
  });
  const saved = await ctx.deps.fileSaver!.save(label, readDocument(db, documentId));
  ctx.session.audited('document.export', subject, () => saved, (s) => ({ saved: s }));
  return { saved };
}

/**
 * The practice's name, postal address, phone and privacy contact as printed on authorization forms and notices
 * (164.508(c)(2)(i) revocation in writing; 164.524(b)(2)(ii) extension notice; 164.530(a)(1) privacy official).
 */
export function practiceContact(p: { name: string; address?: string; phone?: string; privacyOfficer?: { name: string; phone?: string; email?: string } }) {
  const po = p.privacyOfficer;
  const privacyContact = po ? [po.name, po.phone, po.email].filter((x): x is string => Boolean(x && x.trim())).join(', ') : undefined;
  return {
    name: p.name,
    ...(p.address ? { address: p.address } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(po ? { privacyOfficer: po } : {}),
    ...(privacyContact ? { privacyContact } : {}),
  };
}
