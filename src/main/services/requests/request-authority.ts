import type { AuthorityVerificationMethod, RepresentativeAuthorityDocument, RepresentativeAuthorityEvidence } from '../../../shared/compliance';
import type { RequestDetailT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { localDate } from '../compliance';
import { checkPdf, insertRequestDocument } from '../documents/documents';
import { refuseAudited, type RequestContext } from './request-context';
import { requestDetail } from './request-views';
import { getAuthorization, getRequest, insertVerification, updateAuthorization, updateRequest } from './repo';

/** PHI-free notes for the authority check row that recordRepresentativeAuthority adds. */
const AUTHORITY_DOCUMENT_NOTE: Record<RepresentativeAuthorityDocument, string> = {
  parent_of_minor: 'parent or guardian of a minor',
  guardianship_order: 'guardianship order',
  health_care_power_of_attorney: 'health care power of attorney',
  executor_or_administrator: 'executor or administrator',
  other_legal_authority: 'other legal authority',
};
const AUTHORITY_METHOD_NOTE: Record<AuthorityVerificationMethod, string> = {
  copy_attached: 'copy attached',
  original_inspected: 'original seen',
  practice_records: 'practice records',
};

/**
 * Record how a personal representative's authority was verified (45 CFR 164.502(g), 164.514(h)(1)), by the
 * signed-in staff member, now: for the request's requester, or for the signer of the request's current
 * authorization. With method 'copy_attached' staff pick the PDF copy of the document; it is stored encrypted
 * with the request (kind 'representative_authority', kept 6 years). An authority check (method
 * 'representative_documentation') is added to the request's identity and authority checks as well.
 * @throws AppError NOT_FOUND | VALIDATION_FAILED (the requester / signer is not a personal representative;
 *   nothing picked; 'practice_records' for anything but a parent of a minor) | FILE_* (not a readable PDF)
 */
export async function recordRepresentativeAuthority(
  ctx: RequestContext,
  requestId: string,
  input: { target: 'requester' | 'authorization_signer'; document: RepresentativeAuthorityDocument; method: AuthorityVerificationMethod; notes: string },
): Promise<RequestDetailT> {
  const subject = { type: 'request', id: requestId };
  const db = ctx.session.require().db;
  const check = () => {
    const r = getRequest(db, requestId);
    if (input.method === 'practice_records' && input.document !== 'parent_of_minor')
      throw new AppError('VALIDATION_FAILED', 'Practice records can confirm only a parent or guardian of a minor; attach the document or record that you saw the original.', { field: 'method' });
    if (input.target === 'requester' && r.request.requester.role !== 'personal_representative')
      throw new AppError('VALIDATION_FAILED', 'The requester is not recorded as a personal representative.', { field: 'target' });
    if (input.target === 'authorization_signer') {
      const a = r.request.authorizationId ? getAuthorization(db, r.request.authorizationId) : null;
      if (!a || a.authorization.signature.signerRole !== 'personal_representative')
        throw new AppError('VALIDATION_FAILED', "The request's authorization is not signed by a personal representative.", { field: 'target' });
    }
    return r;
  };
  const r = refuseAudited(ctx, 'request.representative_authority', subject, check);
  let copy: { bytes: Buffer; pageCount: number; name: string } | null = null;
  if (input.method === 'copy_attached') {
    const files = await ctx.deps.filePicker.pick();
    const first = files[0];
    if (!first) {
      const e = new AppError('VALIDATION_FAILED', 'No file was chosen.');
      ctx.session.recordFailure('request.representative_authority', subject, e);
      throw e;
    }
    const pdf = await checkPdf(await first.read()).catch((e: unknown) => {
      ctx.session.recordFailure('request.representative_authority', subject, e);
      throw e;
    });
    copy = { bytes: pdf.bytes, pageCount: pdf.pageCount, name: first.name };
  }
  const tz = ctx.timeZone();
  ctx.session.audited(
    'request.representative_authority',
    subject,
    (v) => {
      const doc = copy
        ? insertRequestDocument(v.db, {
            requestId,
            kind: 'representative_authority',
            label: `representative-authority-${r.reference}.pdf`,
            originalName: copy.name,
            bytes: copy.bytes,
            pageCount: copy.pageCount,
            at: ctx.now(),
            documentDate: localDate(ctx.now(), tz),
          })
        : null;
      const evidence: RepresentativeAuthorityEvidence = {
        document: input.document,
        method: input.method,
        ...(doc ? { documentId: doc.id } : {}),
        verifiedBy: ctx.session.actor(),
        verifiedAt: ctx.now().toISOString(),
        notes: input.notes,
      };
      const cur = getRequest(v.db, requestId);
      if (input.target === 'requester') {
        updateRequest(v.db, { ...cur.request, requester: { ...cur.request.requester, authorityEvidence: evidence } }, ctx.now());
      } else {
        const a = getAuthorization(v.db, cur.request.authorizationId!);
        updateAuthorization(v.db, { ...a.authorization, signature: { ...a.authorization.signature, authorityEvidence: evidence } }, ctx.now());
      }
      insertVerification(v.db, {
        requestId,
        subject: 'authority',
        method: 'representative_documentation',
        checkedBy: evidence.verifiedBy,
        checkedAt: evidence.verifiedAt,
        notes: `${AUTHORITY_DOCUMENT_NOTE[input.document]}; ${AUTHORITY_METHOD_NOTE[input.method]}`,
      });
      if (cur.request.status === 'received') updateRequest(v.db, { ...getRequest(v.db, requestId).request, status: 'verifying' }, ctx.now());
      return doc;
    },
    (doc) => ({ target: input.target, document: input.document, method: input.method, documentId: doc?.id ?? 'none' }),
  );
  return requestDetail(ctx, requestId);
}
