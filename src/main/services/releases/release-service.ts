import type { DocumentCategory } from '../../../shared/compliance';
import type { DocumentSummaryT, KeyInfoT, ReleaseDetailT, ReleaseEvaluationT, ImportOutcomeT } from '../../../shared/contract';
import type { FolderPicker } from '../documents/folder-picker';
import { AppError, isAppError } from '../../../shared/errors';
import { canTransition, evaluateRelease, inRequestScope, isSensitive, localDate, minimumNecessaryApplies, type ReleaseDecision } from '../compliance';
import { classifyDocument, removeDocument, listDocuments } from '../documents/documents';
import type { FilePicker } from '../documents/picker';
import { patientMatchFindings } from '../documents/patient-check';
import { importFiles, requireImportable } from '../documents/import';
import { applyRevocationCertificate, inspectRecipientKey, mergeSameKey, sniffPastedKey } from '../openpgp/keys';
import { checkEmailAddress, requireValidEmail } from '../recipients/email';
import { confirmedAddress } from '../recipients/confirmations-repo';
import type { Session } from '../session';
import type { SmimeService } from '../smime/service';
import { approvalFinding } from '../accounts/approvals';
import { setReleasePreparer } from '../accounts/users-repo';
import type { EventBus } from '../support/events';
import type { RequestService } from '../requests/request-service';
import { getAuthorization, getRequest, insertScopeOverride, listPart2Consents, listScopeOverrides, updateRequest, applicableAcknowledgment, type StoredRequest } from '../requests/repo';
import {
  insertRelease,
  listReleases,
  releaseDetail,
  releasePatient,
  releaseState,
  requireEditable,
  storedRecipient,
  updateRecipient,
} from './repo';
import { categoriesOf, keyFactsOrNull, recipientFindings, unclassifiedFindings } from './release-findings';

export { categoriesOf, keyFactsOrNull, recipientFindings, unclassifiedFindings } from './release-findings';

export interface ReleaseServiceDeps {
  session: Session;
  filePicker: FilePicker;
  events: EventBus;
  /** Extra trusted CA certificates (PEM) for the SMTP server, on top of the system's. */
  smtpCa?: string[];
  /** Requests: practice time zone and rule packs for the compliance gate. */
  requests: RequestService;
  /** Where releases.export writes (Electron: folder dialog). Without it, export answers EXPORT_UNAVAILABLE. */
  folderPicker?: FolderPicker;
  /** Assets root (fonts) for the packet; default `<cwd>/assets`. */
  assetsRoot?: string;
  /** Compares each record file with the release's patient (documents/patient-check.ts); run before every send. */
  patientChecks?: { checkRelease(releaseId: string): Promise<unknown> };
  /** Recipient S/MIME certificates and the practice certificate (issue 18). */
  smime?: SmimeService | undefined;
}

/** The gate's inputs and decision for a release as it stands. */
export interface GateResult {
  request: StoredRequest | null;
  docs: DocumentSummaryT[];
  decision: ReleaseDecision;
  evaluation: ReleaseEvaluationT;
  authorizationId: string | null;
  acknowledgmentId: string | null;
}

/**
 * The release workflow: a draft release for one patient collects record
 * files and one verified recipient, then is sent once, encrypted and signed,
 * over verified TLS, with a transmission record and audit trail.
 */
export class ReleaseService {
  constructor(protected readonly d: ReleaseServiceDeps) {}

  protected get session() {
    return this.d.session;
  }

  /** All releases, newest first. @throws AppError VAULT_LOCKED */
  list() {
    return listReleases(this.session.require().db);
  }

  /** One release with its documents, recipient and transmissions, not audited (for the service's own answers). @throws AppError NOT_FOUND | VAULT_LOCKED */
  async detail(id: string): Promise<ReleaseDetailT> {
    const db = this.session.require().db;
    const rec = storedRecipient(db, id);
    const info = rec?.keyArmored ? await keyFactsOrNull(rec.keyArmored, this.session.clock.now()) : null;
    const detail = releaseDetail(db, id, info);
    const certificate = await this.d.smime?.describe(id);
    return certificate !== undefined ? { ...detail, recipientCertificate: certificate } : detail;
  }

  /**
   * Start a draft release for a request; the patient comes from the request (audited: release.create).
   * @throws AppError NOT_FOUND | STATUS_TRANSITION_INVALID (the request is sent, denied or withdrawn)
   */
  async create(requestId: string): Promise<ReleaseDetailT> {
    const id = this.session.audited(
      'release.create',
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        if (['sent', 'denied', 'withdrawn'].includes(r.request.status))
          throw new AppError('STATUS_TRANSITION_INVALID', 'This request is closed; no new release can be made for it.', { from: r.request.status, to: r.request.status });
        const id = insertRelease(v.db, requestId, r.patient, this.session.clock.now());
        setReleasePreparer(v.db, id, this.session.currentUser()?.id ?? null);
        return id;
      },
      (id) => ({ releaseId: id, requestId }),
    );
    this.session.audited('release.view', { type: 'release', id }, () => undefined);
    return this.detail(id);
  }

  /** View a release (audited: every view of PHI is logged, 164.312(b)). @throws AppError NOT_FOUND | VAULT_LOCKED */
  async get(id: string): Promise<ReleaseDetailT> {
    const detail = await this.detail(id);
    this.session.audited('release.view', { type: 'release', id }, () => undefined);
    return detail;
  }

  /**
   * Import the files the user picks into the vault, one transaction and one
   * audit event per file. A bad file is refused with a PHI-free reason and
   * audited; the others still import.
   */
  async importPicked(releaseId: string): Promise<ImportOutcomeT> {
    requireImportable(this.session, releaseId);
    return importFiles(
      { session: this.session, events: this.d.events, today: () => this.today(), ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}) },
      releaseId,
      await this.d.filePicker.pick(),
    );
  }

  /** Today's calendar date in the practice's time zone. */
  protected today(): string {
    return localDate(this.session.clock.now(), this.d.requests.timeZone());
  }

  /**
   * Set each document's category (and the further categories a combined file contains) and date of service
   * (audited: document.classify; detail: count only, a category can itself be sensitive).
   * @throws AppError NOT_FOUND | RELEASE_ALREADY_SENT | RELEASE_SEND_IN_PROGRESS
   */
  async classify(
    releaseId: string,
    items: Array<{ documentId: string; category: DocumentCategory; documentDate: string; alsoCategories?: DocumentCategory[] | undefined }>,
  ): Promise<ReleaseDetailT> {
    this.session.audited(
      'document.classify',
      { type: 'release', id: releaseId },
      (v) => {
        requireEditable(v.db, releaseId);
        for (const i of items) classifyDocument(v.db, releaseId, i.documentId, i.category, i.documentDate, i.alsoCategories ?? []);
      },
      () => ({ documents: items.length }),
    );
    return this.detail(releaseId);
  }

  /**
   * Run the compliance gate (evaluateRelease) on the release as it stands: its request,
   * the request's authorization, the patient's Part 2 consents, recorded scope overrides,
   * the individual's unencrypted-email choice, now, the practice's time zone and rule packs.
   * A release without a request (made before requests existed) gets REQUEST_MISSING.
   */
  protected gate(releaseId: string, delivery: 'encrypted' | 'unencrypted' = 'encrypted'): GateResult {
    const db = this.session.require().db;
    const now = this.session.clock.now();
    const tz = this.d.requests.timeZone();
    const packs = this.d.requests.rulePacks();
    const { requestId } = releaseState(db, releaseId);
    const docs = listDocuments(db, releaseId);
    const overrides = listScopeOverrides(db, releaseId);
    if (!requestId) {
      const f = { code: 'REQUEST_MISSING', severity: 'block' as const, citation: '45 CFR 164.530(j)', message: 'This release is not linked to a request; make it again from a request.' };
      const decision: ReleaseDecision = { allowed: false, findings: [f, ...unclassifiedFindings(docs)], notices: [] };
      const documents = docs.map((d) => ({ documentId: d.id, category: d.category, documentDate: d.documentDate, inScope: false, sensitive: categoriesOf(d).some((c) => isSensitive(packs, c)), overridden: false, selectable: false }));
      return { request: null, docs, decision, evaluation: { ...decision, documents }, authorizationId: null, acknowledgmentId: null };
    }
    const request = getRequest(db, requestId);
    const auth = request.request.authorizationId ? getAuthorization(db, request.request.authorizationId).authorization : undefined;
    const ack = applicableAcknowledgment(db, request.patient.mrn, requestId);
    const decision = evaluateRelease({
      request: request.request,
      authorization: auth,
      consents: listPart2Consents(db, request.patient.mrn).map((c) => c.consent),
      // A combined file appears once per category it carries (same id): the gate checks every one.
      documents: docs.flatMap((d) => categoriesOf(d).map((category) => ({ id: d.id, category, date: d.documentDate }))),
      selection: docs.map((d) => d.id),
      overrides,
      acknowledgment: ack,
      // 'unencrypted' for TLS-only email at the individual's request: the gate then applies mayUseUnencryptedEmail.
      delivery,
      now,
      timeZone: tz,
      rulePacks: packs,
    });
    const approval = approvalFinding(db, releaseId);
    const extra = [
      ...unclassifiedFindings(docs),
      ...patientMatchFindings(db, releaseId),
      ...recipientFindings(storedRecipient(db, releaseId), request.request.recipients),
      ...(approval ? [approval] : []),
    ];
    if (extra.length) {
      decision.findings.push(...extra);
      decision.allowed = decision.findings.every((f) => f.severity !== 'block');
    }
    const documents = docs.map((d) => {
      const inScope = categoriesOf(d).every((category) => inRequestScope({ category, date: d.documentDate }, request.request.scope));
      const sensitive = categoriesOf(d).some((c) => isSensitive(packs, c));
      const overridden = overrides.some((o) => o.documentId === d.id);
      return { documentId: d.id, category: d.category, documentDate: d.documentDate, inScope, sensitive, overridden, selectable: inScope || (overridden && !sensitive && minimumNecessaryApplies(request.request)) };
    });
    return {
      request,
      docs,
      decision,
      evaluation: { ...decision, documents },
      authorizationId: request.request.authorizationId ?? null,
      acknowledgmentId: delivery === 'unencrypted' && ack ? ack.id : null,
    };
  }

  /** The gate's findings for the release now, and which documents are selectable (not audited: no change, no PHI shown). @throws AppError NOT_FOUND */
  async evaluate(releaseId: string): Promise<ReleaseEvaluationT> {
    // Record files not yet compared with the patient are compared first (once per file; stored), so the
    // decision shown is the one the send will meet.
    await this.d.patientChecks?.checkRelease(releaseId);
    return this.gate(releaseId).evaluation;
  }

  /**
   * Record why a document outside the request's scope is needed (minimum necessary,
   * 45 CFR 164.502(b), 164.514(d)(3)), by the signed-in staff member, now.
   * @returns the evaluation after recording it
   * @throws AppError SCOPE_OVERRIDE_REFUSED (sensitive category — never beyond the request; or minimum
   *   necessary does not apply, so the request itself must be amended) | NOT_FOUND | RELEASE_ALREADY_SENT
   */
  overrideScope(releaseId: string, documentId: string, reason: string): Promise<ReleaseEvaluationT> {
    const packs = this.d.requests.rulePacks();
    this.session.audited(
      'release.override_scope',
      { type: 'release', id: releaseId },
      (v) => {
        requireEditable(v.db, releaseId);
        const doc = listDocuments(v.db, releaseId).find((d) => d.id === documentId);
        if (!doc) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
        const { requestId } = releaseState(v.db, releaseId);
        if (!requestId) throw new AppError('SCOPE_OVERRIDE_REFUSED', 'This release is not linked to a request.', { rule: 'no_request', documentId });
        if (categoriesOf(doc).some((c) => isSensitive(packs, c)))
          throw new AppError('SCOPE_OVERRIDE_REFUSED', 'A document of a sensitive category can never be added beyond what the request asks for.', {
            rule: 'sensitive_category',
            documentId,
            citation: '45 CFR 164.514(d)',
          });
        const req = getRequest(v.db, requestId).request;
        if (!minimumNecessaryApplies(req))
          throw new AppError('SCOPE_OVERRIDE_REFUSED', "For this kind of request the request itself defines what may be released; amend the request's scope instead.", {
            rule: 'minimum_necessary_not_applicable',
            documentId,
          });
        return insertScopeOverride(v.db, releaseId, { documentId, reason, recordedBy: this.session.actor(), recordedAt: this.session.clock.now().toISOString() });
      },
      (overrideId) => ({ overrideId, documentId }),
    );
    return this.evaluate(releaseId);
  }

  /** Take a document out of a draft release (audited). */
  async removeDocument(releaseId: string, documentId: string): Promise<ReleaseDetailT> {
    this.session.audited('document.remove', { type: 'release', id: releaseId }, (v) => {
      requireEditable(v.db, releaseId);
      removeDocument(v.db, releaseId, documentId, this.session.clock.now());
    }, () => ({ documentId }));
    return this.detail(releaseId);
  }

  /**
   * Set the recipient: address checked (syntax, CR/LF, invisible characters, typos, look-alikes); when a key is
   * given, the OpenPGP key is checked for a usable encryption subkey at this moment. Without `armoredKey` the
   * recipient has no OpenPGP key (password PDF, TLS-only email, export and print remain) and
   * `fingerprintConfirmed` is ignored (stored false).
   *
   * Misdirected email safeguard (164.530(c)): when checkEmailAddress answers a suggestion or a warning, the
   * address is saved only with `addressConfirmed: true` (staff confirmed the exact address with the recipient);
   * a confirmation is stored with the signed-in staff member and the time, and audited (detail: flags only).
   * @throws AppError ADDRESS_NOT_CONFIRMED | INVALID_EMAIL | HEADER_INJECTION | KEY_* | RELEASE_ALREADY_SENT
   */
  async setRecipient(input: {
    releaseId: string;
    name: string;
    email: string;
    armoredKey?: string | undefined;
    fingerprintConfirmed?: boolean | undefined;
    addressConfirmed?: boolean | undefined;
  }): Promise<ReleaseDetailT> {
    const subject = { type: 'release', id: input.releaseId };
    let key: KeyInfoT | null = null;
    let email: string;
    const confirmed = input.armoredKey !== undefined && input.fingerprintConfirmed === true;
    let addressConfirmed = input.addressConfirmed === true;
    // An address the recipient already confirmed by code for this patient needs no new confirmation (issue #12).
    let standing: { by: string; at: string } | null = null;
    let prompt: 'suggestion' | 'warning' | 'none' = 'none';
    let keyArmored: string | null = null;
    try {
      requireEditable(this.session.require().db, input.releaseId);
      email = requireValidEmail(input.email);
      const byCode = confirmedAddress(this.session.require().db, email, releasePatient(this.session.require().db, input.releaseId).mrn);
      if (byCode?.confirmedBy && byCode.confirmedAt) {
        standing = { by: byCode.confirmedBy, at: byCode.confirmedAt };
        addressConfirmed = true;
      }
      const check = checkEmailAddress(email);
      prompt = check.warning ? 'warning' : check.suggestion ? 'suggestion' : 'none';
      if (prompt !== 'none' && !addressConfirmed)
        throw new AppError(
          'ADDRESS_NOT_CONFIRMED',
          prompt === 'warning'
            ? 'This address looks like a familiar domain written with look-alike characters. Confirm the exact address with the recipient, then tick the confirmation.'
            : 'This address may contain a typo. Use the suggested address, or confirm the exact address with the recipient and tick the confirmation.',
          { prompt },
        );
      if (input.armoredKey !== undefined) {
        const now = this.session.clock.now();
        key = await inspectRecipientKey(input.armoredKey, now);
        keyArmored = input.armoredKey.trim();
        // The same key pasted again is merged into the stored copy, so a revocation already recorded stays in force
        // (an older, unrevoked copy of a revoked key never makes it usable again).
        const stored = storedRecipient(this.session.require().db, input.releaseId);
        if (stored?.keyArmored && stored.keyFingerprint === key.fingerprint) {
          const merged = await mergeSameKey(stored.keyArmored, keyArmored, now);
          if (merged) {
            key = { ...(await inspectRecipientKey(merged, now)), ...(key.warnings ? { warnings: key.warnings } : {}) };
            keyArmored = merged;
          }
        }
      }
    } catch (e) {
      this.session.recordFailure('release.set_recipient', subject, e);
      if (input.armoredKey !== undefined && isAppError(e) && (e.code === 'KEY_REVOKED' || e.code === 'KEY_EXPIRED')) {
        throw await this.withdrawStoredKey(input.releaseId, input.armoredKey, e);
      }
      throw e;
    }
    this.session.audited(
      'release.set_recipient',
      subject,
      (v) =>
        updateRecipient(
          v.db,
          input.releaseId,
          {
            name: input.name,
            email,
            keyArmored: key ? keyArmored : null,
            keyFingerprint: key?.fingerprint ?? null,
            fingerprintConfirmed: confirmed,
            addressConfirmed: standing
              ? { ...standing, method: 'code' }
              : addressConfirmed
                ? { by: this.session.actor(), at: this.session.clock.now().toISOString(), method: 'read_back' }
                : null,
            keyUserIds: key?.userIds ?? null,
          },
          this.session.clock.now(),
        ),
      () => ({
        keyFingerprint: key?.fingerprint ?? 'none',
        fingerprintConfirmed: confirmed,
        addressConfirmed,
        addressPrompt: prompt,
        ...(standing ? { addressConfirmedBy: 'code' } : {}),
      }),
    );
    return this.detail(input.releaseId);
  }

  /**
   * A pasted key or revocation certificate was refused as revoked or expired. If it concerns the key stored for this
   * recipient (same fingerprint, or a revocation certificate that verifies against it), the stored key takes on the
   * revocation or expiry and its confirmation is withdrawn, so nothing more is sent to it until a valid key is
   * confirmed (164.312(e)(1)). A refused key never replaces the stored one. Audited as release.recipient_key_withdrawn.
   * @returns the error to throw: the refusal (naming fingerprint and date), or KEY_REVOCATION_UNMATCHED
   */
  private async withdrawStoredKey(releaseId: string, pasted: string, refusal: AppError): Promise<AppError> {
    const v = this.session.require();
    const rec = storedRecipient(v.db, releaseId);
    const now = this.session.clock.now();
    let updated: string | null = null;
    let error = refusal;
    if (refusal.detail?.revocationCertificate === true) {
      const sniff = await sniffPastedKey(pasted);
      if (!rec?.keyArmored || sniff.kind !== 'revocation-certificate') {
        return new AppError('KEY_REVOCATION_UNMATCHED', 'This revocation certificate does not revoke a key stored for this recipient. Nothing was changed.');
      }
      try {
        ({ armored: updated, refusal: error } = await applyRevocationCertificate(rec.keyArmored, sniff.bytes, now));
      } catch (e) {
        return isAppError(e) ? e : refusal;
      }
    } else if (rec?.keyArmored) {
      updated = await mergeSameKey(rec.keyArmored, pasted, now);
    }
    if (!rec?.keyArmored || !updated) return refusal;
    const stored = rec;
    const keyArmored = updated;
    this.session.audited(
      'release.recipient_key_withdrawn',
      { type: 'release', id: releaseId },
      (vv) => updateRecipient(vv.db, releaseId, { ...stored, keyArmored, fingerprintConfirmed: false }, now),
      () => ({ keyFingerprint: stored.keyFingerprint ?? 'none', code: error.code, wasConfirmed: stored.fingerprintConfirmed }),
    );
    return error;
  }

  /** Move the release's request along the status flow after a send attempt, when the flow allows it. Call inside the transaction. */
  protected moveRequest(requestId: string, to: 'sent' | 'partly_sent' | 'failed'): void {
    const db = this.session.require().db;
    const r = getRequest(db, requestId);
    if (canTransition(r.request.status, to)) updateRequest(db, { ...r.request, status: to }, this.session.clock.now());
  }
}
