import { finding, type ComplianceDocument, type Finding, type ReleaseRequest, type RequestScope, type ScopeOverride } from './types';

/** Minimum length of a recorded reason to go beyond the requested scope. */
export const MIN_OVERRIDE_REASON = 10;

/** True when the document's category is requested and its date lies in the inclusive range. */
export function inRequestScope(doc: Pick<ComplianceDocument, 'category' | 'date'>, scope: RequestScope): boolean {
  if (!scope.categories.includes(doc.category)) return false;
  if (scope.from && doc.date < scope.from) return false;
  if (scope.to && doc.date > scope.to) return false;
  return true;
}

/** The documents a release for this request may offer for selection (within scope), 164.514(d)(3). */
export function selectableDocuments<D extends Pick<ComplianceDocument, 'category' | 'date'>>(documents: readonly D[], scope: RequestScope): D[] {
  return documents.filter((d) => inRequestScope(d, scope));
}

/**
 * Does the minimum necessary standard apply to this request?
 *
 * It does not apply (45 CFR 164.502(b)(2)) to disclosures to the individual
 * (right of access, including a copy directed by the individual), under an
 * authorization, for treatment, required by law, or to HHS. It applies to
 * payment and health care operations disclosures.
 */
export function minimumNecessaryApplies(request: Pick<ReleaseRequest, 'basis' | 'tpo'>): boolean {
  return request.basis === 'tpo' && request.tpo?.purpose !== 'treatment';
}

/**
 * Scope finding for one selected document (empty when in scope).
 *
 * Out of scope: where minimum necessary applies, a recorded reason
 * (≥ {@link MIN_OVERRIDE_REASON} chars, who, when) allows it with a warning
 * (SCOPE_WIDENED_WITH_REASON, 164.514(d)(3)); without one it blocks
 * (SCOPE_REASON_REQUIRED). Sensitive categories never go wider
 * (SCOPE_SENSITIVE_OUTSIDE). Where minimum necessary does not apply, the
 * request (or authorization) defines the scope: SCOPE_OUTSIDE_REQUEST blocks —
 * amend the request instead.
 */
export function scopeFinding(
  request: Pick<ReleaseRequest, 'basis' | 'tpo' | 'scope'>,
  doc: ComplianceDocument,
  overrides: readonly ScopeOverride[],
  sensitive: boolean,
): Finding[] {
  if (inRequestScope(doc, request.scope)) return [];
  if (sensitive)
    return [finding('SCOPE_SENSITIVE_OUTSIDE', 'block', '45 CFR 164.514(d)', 'A document of a sensitive category is outside the requested scope; it can never be added beyond the request.', doc.id)];
  if (!minimumNecessaryApplies(request)) {
    const cite = request.basis === 'authorization' ? '45 CFR 164.508(c)(1)(i)' : request.basis === 'right_of_access' || request.basis === 'patient_directed' ? '45 CFR 164.524(c)(1)' : '45 CFR 164.502(b)';
    return [finding('SCOPE_OUTSIDE_REQUEST', 'block', cite, 'A selected document is outside the requested categories or dates. Amend the request if it should be included.', doc.id)];
  }
  const o = overrides.find((x) => x.documentId === doc.id && x.reason.trim().length >= MIN_OVERRIDE_REASON && x.recordedBy.trim().length > 0);
  if (!o)
    return [finding('SCOPE_REASON_REQUIRED', 'block', '45 CFR 164.514(d)(3)', 'A selected document is outside the requested scope. Record why it is needed (minimum necessary) or remove it.', doc.id)];
  return [finding('SCOPE_WIDENED_WITH_REASON', 'warn', '45 CFR 164.514(d)(3)', 'A document outside the requested scope is included with a recorded reason.', doc.id)];
}
