import type { z } from 'zod';
import type {
  Authorization,
  AuthorityVerificationMethod,
  Part2Consent,
  PatientDirective,
  ReleaseRequest,
  RepresentativeAuthorityDocument,
  ReleaseNotice,
  RepresentativeAuthorityEvidence,
  RequestAmendment,
  RequestRecipient,
  RequestScope,
  RequestStatus,
  Revocation,
  RulePack,
} from '../../../shared/compliance';
import { UNENCRYPTED_EMAIL_WARNING } from '../../../shared/compliance-text';
import type {
  AuthorizationRecordT,
  IdentityVerificationT,
  Part2ConsentRecordT,
  RequestDetailT,
  RequestDocumentT,
  RequestIntake,
  RequestSummaryT,
} from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import {
  ACCESS_BASES,
  accessClock,
  DEFAULT_RULE_PACKS,
  grantExtension,
  lintAuthorization,
  lintPart2Consent,
  localDate,
  transitionStatus,
} from '../compliance';
import { renderAuthorizationForm } from '../compliance/documents/authorization-form';
import { renderExtensionNotice } from '../compliance/documents/extension-notice';
import { renderDenialNotice } from '../compliance/documents/denial-notice';
import { noticeLanguageOf, type NoticeLanguage } from '../../../shared/languages';
import { renderPart2ConsentScope } from '../compliance/documents/part2-consent-scope';
import { checkPdf, documentLabel, insertRequestDocument, listRequestDocuments, readDocument } from '../documents/documents';
import type { FilePicker } from '../documents/picker';
import type { FileSaver } from '../documents/saver';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import {
  closingReason,
  getAuthorization,
  getPart2Consent,
  getRequest,
  insertAcknowledgment,
  insertAuthorization,
  insertPart2Consent,
  insertRequest,
  insertVerification,
  listAcknowledgments,
  listPart2Consents,
  listRequests,
  listVerifications,
  releasesOfRequest,
  setClosingReason,
  updateAuthorization,
  updatePart2Consent,
  updateRequest,
  withdrawAcknowledgment,
  type StoredAuthorization,
  type StoredConsent,
  type StoredRequest,
} from './repo';

export interface RequestServiceDeps {
  session: Session;
  /** Where a scanned signed authorization comes from (same picker as documents.pick). */
  filePicker: FilePicker;
  /** Where exported documents go; absent → documents.export answers EXPORT_UNAVAILABLE. */
  fileSaver?: FileSaver;
  /** Sensitive-category rule packs (default: DEFAULT_RULE_PACKS). */
  rulePacks?: readonly RulePack[];
  /** Assets root for PDF fonts (default `<cwd>/assets`). */
  assetsRoot?: string;
}

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

/** Statuses in which a request is still owed (its clock runs). */
const OPEN: readonly RequestStatus[] = ['received', 'verifying', 'ready', 'partly_sent', 'failed'];
/** "Due this week": open and due within this many calendar days from today (0..6). */
export const DUE_THIS_WEEK_DAYS = 7;

/**
 * Requests for records (issue #3): intake by legal basis, the 30-day clock
 * (45 CFR 164.524(b)(2)) and its one extension with the written notice,
 * identity and authority checks (164.514(h)), authorizations (164.508) with
 * live lint findings, Part 2 consents (42 CFR 2.31), the individual's choice
 * of unencrypted email (164.524(c)(2)), denial and withdrawal.
 *
 * Every change runs in one transaction with its audit event (PHI-free detail:
 * ids, codes, counts); every refusal is audited too.
 */
/** Clock skew tolerated between the intake form's "received at" and the app's clock (5 minutes), in ms. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export class RequestService {
  constructor(private readonly d: RequestServiceDeps) {}

  private get session() {
    return this.d.session;
  }
  private get now(): Date {
    return this.session.clock.now();
  }
  /** The practice's IANA time zone (setting `practice.timeZone`). */
  timeZone(): string {
    return requireSetting(this.session.require().db, 'practice').timeZone;
  }
  /** The active sensitive-category rule packs. */
  rulePacks(): readonly RulePack[] {
    return this.d.rulePacks ?? DEFAULT_RULE_PACKS;
  }

  /** Run `check` (may throw AppError); an AppError is audited as refused under `action` and rethrown. */
  private refuseAudited<T>(action: string, subject: { type: string; id: string | null }, check: () => T): T {
    try {
      return check();
    } catch (e) {
      if (isAppError(e)) this.session.recordFailure(action, subject, e);
      throw e;
    }
  }

  /**
   * Intake: record a new request at status 'received' (audited: request.create).
   * @param intake validated RequestIntake (patient, basis, receivedAt, requester, recipients, scope, form, ...)
   * @returns the request detail with its clock
   * @throws AppError VAULT_LOCKED | VALIDATION_FAILED (bad time zone/date; `receivedAt` more than
   *   {@link CLOCK_SKEW_MS} ms after now; a date of birth after today in the practice's time zone) — the day of
   *   receipt starts the 164.524(b)(2) clock, so a future one would silently extend the deadline
   */
  create(intake: z.output<typeof RequestIntake>): RequestDetailT {
    const tz = this.timeZone();
    localDate(intake.receivedAt, tz); // validates the instant before anything is written
    const now = this.now;
    const refuse = (field: string, message: string) => {
      const e = new AppError('VALIDATION_FAILED', message, { field });
      this.session.recordFailure('request.create', { type: 'request', id: null }, e);
      throw e;
    };
    if (Date.parse(intake.receivedAt) - now.getTime() > CLOCK_SKEW_MS)
      refuse('receivedAt', 'receivedAt: the date the request was received cannot be in the future.');
    if (intake.patient.dateOfBirth > localDate(now, tz)) refuse('patient.dateOfBirth', "patient.dateOfBirth: the patient's date of birth cannot be in the future.");
    const r = this.session.audited(
      'request.create',
      { type: 'request', id: null },
      (v) => insertRequest(v.db, intake, this.now),
      (r) => ({ requestId: r.id, basis: r.request.basis, recipients: r.request.recipients.length, categories: r.request.scope.categories.length }),
    );
    return this.detail(r.id);
  }

  /** All requests with their clocks, most urgent first (overdue, then by days left), closed ones last. @throws AppError VAULT_LOCKED */
  list(): RequestSummaryT[] {
    const db = this.session.require().db;
    const tz = this.timeZone();
    const rank = (s: RequestSummaryT) => (OPEN.includes(s.status) ? 0 : 1);
    return listRequests(db)
      .map((r) => this.summary(r, tz))
      .sort((a, b) => rank(a) - rank(b) || (a.daysLeft ?? 1e9) - (b.daysLeft ?? 1e9) || a.receivedAt.localeCompare(b.receivedAt));
  }

  /** One request in full (audited as a view of PHI: request.view, 164.312(b)). @throws AppError NOT_FOUND */
  get(id: string): RequestDetailT {
    const detail = this.detail(id);
    this.session.audited('request.view', { type: 'request', id }, () => undefined);
    return detail;
  }

  /**
   * Move the request along the status flow by hand (engine's STATUS_TRANSITIONS).
   * 'ready' needs at least one recorded identity check (164.514(h)(1)); an authority check alone is not one.
   * @throws AppError STATUS_TRANSITION_INVALID (detail from, to | rule 'verification_required') | NOT_FOUND
   */
  setStatus(requestId: string, to: RequestStatus): RequestDetailT {
    this.session.audited(
      'request.status',
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        const from = r.request.status;
        transitionStatus(from, to);
        // An identity check specifically: the authority check recordRepresentativeAuthority adds does not verify who is asking.
        if (to === 'ready' && !listVerifications(v.db, requestId).some((x) => x.subject === 'identity'))
          throw new AppError('STATUS_TRANSITION_INVALID', "Record how the requester's identity (and authority) was verified before marking the request ready.", {
            rule: 'verification_required',
            citation: '45 CFR 164.514(h)(1)',
          });
        updateRequest(v.db, { ...r.request, status: to }, this.now);
        return { from, to };
      },
      (x) => x,
    );
    return this.detail(requestId);
  }

  /**
   * Record an identity or authority check by the signed-in staff member, now (45 CFR 164.514(h)).
   * A request still at 'received' moves to 'verifying'.
   * @throws AppError NOT_FOUND | STATUS_TRANSITION_INVALID (closed request)
   */
  recordVerification(requestId: string, input: { subject: 'identity' | 'authority'; method: IdentityVerificationT['method']; notes: string }): RequestDetailT {
    this.session.audited(
      'request.verify',
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        if (!OPEN.includes(r.request.status)) throw new AppError('STATUS_TRANSITION_INVALID', 'This request is closed.', { from: r.request.status, to: r.request.status });
        const rec = insertVerification(v.db, {
          requestId,
          subject: input.subject,
          method: input.method,
          notes: input.notes,
          checkedBy: this.session.actor(),
          checkedAt: this.now.toISOString(),
        });
        if (r.request.status === 'received') updateRequest(v.db, { ...r.request, status: 'verifying' }, this.now);
        return rec;
      },
      (rec) => ({ verificationId: rec.id, subject: rec.subject, method: rec.method }),
    );
    return this.detail(requestId);
  }

  /**
   * Grant the one extension (45 CFR 164.524(b)(2)(ii)) and produce the written
   * notice (PDF, stored encrypted in the vault as a request document, exportable).
   * @param newDueDate `YYYY-MM-DD`, after day 30 and at most day 60
   * @throws AppError EXTENSION_REFUSED (detail.rule: not_access | second_extension | after_day_30 | reason_required | date_not_after_due | date_after_day_60) | NOT_FOUND
   */
  async extend(requestId: string, reason: string, newDueDate: string): Promise<{ request: RequestDetailT; notice: RequestDocumentT }> {
    const subject = { type: 'request', id: requestId };
    const db = this.session.require().db;
    const tz = this.timeZone();
    const now = this.now;
    const r = this.refuseAudited('request.extend', subject, () => {
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
        assetsRoot: this.d.assetsRoot,
      }),
    );
    const { pageCount } = await checkPdf(pdf);
    const notice = this.session.audited(
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
    return { request: this.detail(requestId), notice };
  }

  /**
   * Deny the request (closes it; a denial must follow 164.524(d): the written
   * denial itself is outside this step). The reason is stored with the request.
   * @throws AppError STATUS_TRANSITION_INVALID | NOT_FOUND
   */
  deny(requestId: string, reason: string): RequestDetailT {
    return this.close(requestId, 'denied', reason, 'request.deny');
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
  async denialNotice(requestId: string, opts: { reviewable: boolean; elsewhere?: string | undefined }): Promise<{ saved: boolean; pageCount: number; language: NoticeLanguage }> {
    const subject = { type: 'request', id: requestId };
    const db = this.session.require().db;
    const tz = this.timeZone();
    const { r, reason } = this.refuseAudited('request.denial_notice', subject, () => {
      if (!this.d.fileSaver) throw new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
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
        noticeDate: localDate(this.now.toISOString(), tz),
        reason,
        reviewable: opts.reviewable,
        elsewhere: opts.elsewhere,
        language,
        assetsRoot: this.d.assetsRoot,
      }),
    );
    const { pageCount } = await checkPdf(pdf);
    const saved = await this.d.fileSaver!.save(`denial-notice-${r.reference}.pdf`, pdf);
    this.session.audited('request.denial_notice', subject, () => saved, (x) => ({ saved: x, reviewable: opts.reviewable, language, pageCount }));
    return { saved, pageCount, language };
  }

  /** The requester withdrew the request (closes it). @throws AppError STATUS_TRANSITION_INVALID | NOT_FOUND */
  withdraw(requestId: string, note: string): RequestDetailT {
    return this.close(requestId, 'withdrawn', note, 'request.withdraw');
  }

  private close(requestId: string, to: 'denied' | 'withdrawn', reason: string, action: string): RequestDetailT {
    this.session.audited(
      action,
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        transitionStatus(r.request.status, to);
        updateRequest(v.db, { ...r.request, status: to }, this.now);
        setClosingReason(v.db, requestId, reason);
        return r.request.status;
      },
      (from) => ({ from, to }),
    );
    return this.detail(requestId);
  }

  /**
   * Record the individual's choice about unencrypted email after the warning
   * (UNENCRYPTED_EMAIL_WARNING, recorded verbatim), who chose, the staff member
   * who recorded it, when, and its scope (this release / standing). 164.524(c)(2).
   * @throws AppError NOT_FOUND
   */
  recordUnencryptedEmailChoice(
    requestId: string,
    input: { prefersUnencrypted: boolean; chosenBy: 'patient' | 'personal_representative'; scope: 'this_release' | 'standing' },
  ): RequestDetailT {
    this.session.audited(
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
            recordedBy: this.session.actor(),
            recordedAt: this.now.toISOString(),
            scope: input.scope,
            requestId,
          },
        });
      },
      (a) => ({ acknowledgmentId: a.id, prefersUnencrypted: a.prefersUnencrypted, scope: a.scope }),
    );
    return this.detail(requestId);
  }

  /**
   * Save the request's authorization, or replace the current one (`authorizationId`):
   * the old one is kept, marked superseded (164.508(b)(6), 164.530(j)). Returns the
   * linter's findings at this moment (164.508(b)(2), (c)). A `signature.authorityEvidence` in the input is
   * ignored: the verification on file is carried over while a personal representative signs (it is recorded
   * only by {@link recordRepresentativeAuthority}).
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (authorizationId is not this request's current authorization)
   */
  saveAuthorization(requestId: string, authorization: Omit<Authorization, 'id'>, authorizationId?: string): AuthorizationRecordT {
    const tz = this.timeZone();
    const saved = this.session.audited(
      authorizationId ? 'authorization.replace' : 'authorization.create',
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        let signedForm: string | null = null;
        if (authorizationId) {
          const old = getAuthorization(v.db, authorizationId);
          if (old.requestId !== requestId || old.supersededBy || r.request.authorizationId !== authorizationId)
            throw new AppError('VALIDATION_FAILED', 'Only the current authorization of this request can be replaced.');
          signedForm = old.signedFormDocumentId;
        }
        // The verification of a representative's authority is recorded only by recordRepresentativeAuthority
        // (who and when come from the session): a save keeps the one on file while a representative still signs.
        let evidence: RepresentativeAuthorityEvidence | undefined;
        if (authorizationId && authorization.signature.signerRole === 'personal_representative')
          evidence = getAuthorization(v.db, authorizationId).authorization.signature.authorityEvidence;
        const { authorityEvidence: _ignored, ...signature } = authorization.signature;
        const content = { ...authorization, signature: evidence ? { ...signature, authorityEvidence: evidence } : signature };
        const a = insertAuthorization(v.db, { requestId, patientMrn: r.patient.mrn, authorization: content, replaces: authorizationId, signedFormDocumentId: signedForm }, this.now);
        updateRequest(v.db, { ...r.request, authorizationId: a.id }, this.now);
        return a;
      },
      (a) => {
        const f = lintAuthorization(a.authorization, this.now, tz);
        return {
          authorizationId: a.id,
          ...(authorizationId ? { replaces: authorizationId } : {}),
          blocking: f.filter((x) => x.severity === 'block').length,
          findings: f.map((x) => x.code).join(','),
        };
      },
    );
    return this.authorizationRecord(saved, tz);
  }

  /**
   * Record the revocation of an authorization (effective the day received, 164.508(b)(5)).
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (already revoked)
   */
  revokeAuthorization(authorizationId: string, revocation: z.output<typeof Revocation>): AuthorizationRecordT {
    const tz = this.timeZone();
    this.session.audited(
      'authorization.revoke',
      { type: 'authorization', id: authorizationId },
      (v) => {
        const a = getAuthorization(v.db, authorizationId);
        if (a.authorization.revocation) throw new AppError('VALIDATION_FAILED', 'This authorization is already revoked.');
        updateAuthorization(v.db, { ...a.authorization, revocation }, this.now);
      },
      () => ({ authorizationId, method: revocation.method }),
    );
    return this.authorizationRecord(getAuthorization(this.session.require().db, authorizationId), tz);
  }

  /**
   * Attach the scanned signed authorization (a PDF the staff member picks) to the
   * authorization, stored encrypted in the vault (kept 6 years, 164.508(b)(6)).
   * @throws AppError NOT_FOUND | FILE_* | VALIDATION_FAILED (nothing picked)
   */
  async attachSignedForm(authorizationId: string): Promise<AuthorizationRecordT> {
    const subject = { type: 'authorization', id: authorizationId };
    const db = this.session.require().db;
    const a = this.refuseAudited('authorization.attach_signed_form', subject, () => getAuthorization(db, authorizationId));
    const files = await this.d.filePicker.pick();
    const first = files[0];
    if (!first) throw new AppError('VALIDATION_FAILED', 'No file was chosen.');
    const pdf = await checkPdf(await first.read()).catch((e: unknown) => {
      this.session.recordFailure('authorization.attach_signed_form', subject, e);
      throw e;
    });
    const reference = a.requestId ? getRequest(db, a.requestId).reference : 'unlinked';
    this.session.audited(
      'authorization.attach_signed_form',
      subject,
      (v) => {
        const doc = insertRequestDocument(v.db, {
          requestId: a.requestId,
          kind: 'signed_authorization',
          label: `signed-authorization-${reference}.pdf`,
          originalName: first.name,
          bytes: pdf.bytes,
          pageCount: pdf.pageCount,
          at: this.now,
          documentDate: localDate(this.now, this.timeZone()),
        });
        updateAuthorization(v.db, a.authorization, this.now, doc.id);
        return doc;
      },
      (doc) => ({ documentId: doc.id, pages: doc.pageCount }),
    );
    return this.authorizationRecord(getAuthorization(db, authorizationId), this.timeZone());
  }

  /**
   * A printable authorization form (45 CFR 164.508(c)), blank or prefilled from
   * the request (patient, scope, recipients) and its authorization. Stored
   * encrypted in the vault (a prefilled form is PHI); export with documents.export.
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (prefill without a request)
   */
  async authorizationForm(input: { requestId?: string; prefill: boolean; psychotherapyNotesOnly: boolean }): Promise<RequestDocumentT> {
    const db = this.session.require().db;
    if (input.prefill && !input.requestId) throw new AppError('VALIDATION_FAILED', 'Choose the request to prefill the form from.');
    const r = input.requestId ? getRequest(db, input.requestId) : null;
    const practice = requireSetting(db, 'practice');
    const auth = r?.request.authorizationId ? getAuthorization(db, r.request.authorizationId).authorization : undefined;
    const fill = input.prefill && r;
    const bytes = Buffer.from(
      await renderAuthorizationForm({
        practice: practiceContact(practice),
        psychotherapyNotesOnly: input.psychotherapyNotesOnly,
        assetsRoot: this.d.assetsRoot,
        ...(fill
          ? {
              patientName: r.patient.name,
              dateOfBirth: r.patient.dateOfBirth,
              informationDescription: auth?.informationDescription,
              categories: auth?.categories.length ? auth.categories : r.request.scope.categories,
              dateRange: { from: auth?.from ?? r.request.scope.from, to: auth?.to ?? r.request.scope.to },
              recipients: auth?.recipients.length ? auth.recipients : r.request.recipients.map((x) => `${x.name}, ${x.destination}`),
              purposes: auth?.purposes.length ? auth.purposes : undefined,
              expirationDate: auth?.expiration.date,
              expirationEvent: auth?.expiration.event,
            }
          : {}),
      }),
    );
    const { pageCount } = await checkPdf(bytes);
    return this.session.audited(
      'authorization.form',
      { type: 'request', id: r?.id ?? null },
      (v) =>
        insertRequestDocument(v.db, {
          requestId: r?.id ?? null,
          kind: 'authorization_form',
          label: `authorization-form${r ? `-${r.reference}` : ''}${input.psychotherapyNotesOnly ? '-psychotherapy-notes' : ''}.pdf`,
          bytes,
          pageCount,
          at: this.now,
          documentDate: localDate(this.now, this.timeZone()),
        }),
      (doc) => ({ documentId: doc.id, prefilled: Boolean(fill) }),
    );
  }

  /**
   * Record a 42 CFR Part 2 consent (§2.31) on the request's patient, with its findings now.
   * @throws AppError NOT_FOUND
   */
  savePart2Consent(requestId: string, consent: Omit<Part2Consent, 'id'>): Part2ConsentRecordT {
    const tz = this.timeZone();
    const c = this.session.audited(
      'part2_consent.create',
      { type: 'request', id: requestId },
      (v) => insertPart2Consent(v.db, { requestId, patientMrn: getRequest(v.db, requestId).patient.mrn, consent }, this.now),
      (c) => ({ consentId: c.id, blocking: lintPart2Consent(c.consent, this.now, tz).filter((x) => x.severity === 'block').length }),
    );
    return this.consentRecord(c, tz);
  }

  /**
   * Record the revocation of a Part 2 consent (42 CFR 2.31(a)(6)): effective the day received; the consent is
   * kept, and from that day the gate refuses Part 2 records under it (P2_REVOKED, PART2_CONSENT_REQUIRED).
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (already revoked)
   */
  revokePart2Consent(consentId: string, revocation: z.output<typeof Revocation>): Part2ConsentRecordT {
    const tz = this.timeZone();
    this.session.audited(
      'part2_consent.revoke',
      { type: 'part2_consent', id: consentId },
      (v) => {
        const c = getPart2Consent(v.db, consentId);
        if (c.consent.revocation) throw new AppError('VALIDATION_FAILED', 'This Part 2 consent is already revoked.');
        updatePart2Consent(v.db, { ...c.consent, revocation }, this.now);
      },
      () => ({ consentId, method: revocation.method }),
    );
    return this.consentRecord(getPart2Consent(this.session.require().db, consentId), tz);
  }

  /**
   * Amend an open request: its scope (categories, dates), recipients, or the patient's signed direction
   * (including the sensitive categories it names). The previous values, who, when and why are kept in the
   * request's `amendments` (nothing is lost, 164.530(j)); the audit event names the changed fields only.
   * A change that alters nothing is refused.
   * @throws AppError NOT_FOUND | STATUS_TRANSITION_INVALID (closed or sent request) |
   *   VALIDATION_FAILED (nothing changes; a direction on a request that is not patient-directed)
   */
  amend(
    requestId: string,
    input: { reason: string; scope?: RequestScope; recipients?: z.output<typeof RequestRecipient>[]; patientDirective?: z.output<typeof PatientDirective> },
  ): RequestDetailT {
    this.session.audited(
      'request.amend',
      { type: 'request', id: requestId },
      (v) => {
        const r = getRequest(v.db, requestId);
        const cur = r.request;
        if (!OPEN.includes(cur.status)) throw new AppError('STATUS_TRANSITION_INVALID', 'Only an open request can be amended.', { from: cur.status, to: cur.status });
        if (input.patientDirective && cur.basis !== 'patient_directed')
          throw new AppError('VALIDATION_FAILED', "Only a patient-directed request has the patient's written direction.", { field: 'patientDirective' });
        const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
        const changed: RequestAmendment['changed'] = [];
        const before: RequestAmendment['before'] = {};
        const next: ReleaseRequest = { ...cur };
        if (input.scope && !same(input.scope, cur.scope)) {
          changed.push('scope');
          before.scope = cur.scope;
          next.scope = input.scope;
        }
        if (input.recipients && !same(input.recipients, cur.recipients)) {
          changed.push('recipients');
          before.recipients = cur.recipients;
          next.recipients = input.recipients;
        }
        if (input.patientDirective && !same(input.patientDirective, cur.patientDirective)) {
          changed.push('patientDirective');
          if (cur.patientDirective) before.patientDirective = cur.patientDirective;
          next.patientDirective = input.patientDirective;
        }
        if (changed.length === 0) throw new AppError('VALIDATION_FAILED', 'The amendment changes nothing in the request.', { field: 'amendment' });
        const amendment: RequestAmendment = { amendedAt: this.now.toISOString(), amendedBy: this.session.actor(), reason: input.reason, changed, before };
        updateRequest(v.db, { ...next, amendments: [...(cur.amendments ?? []), amendment] }, this.now);
        return changed;
      },
      (changed) => ({ changed: changed.join(',') }),
    );
    return this.detail(requestId);
  }

  /**
   * The individual withdrew their choice of unencrypted email (164.524(c)(2)(ii) guidance): the recorded choice
   * is kept, marked withdrawn now; from then on the gate refuses unencrypted email under it (UNENCRYPTED_WITHDRAWN).
   * @throws AppError NOT_FOUND (no such choice for this request's patient) | VALIDATION_FAILED (already withdrawn)
   */
  withdrawUnencryptedEmailChoice(requestId: string, acknowledgmentId: string): RequestDetailT {
    this.session.audited(
      'unencrypted_email.withdraw',
      { type: 'request', id: requestId },
      (v) => withdrawAcknowledgment(v.db, getRequest(v.db, requestId).patient.mrn, acknowledgmentId, this.now),
      (a) => ({ acknowledgmentId: a.id, scope: a.scope }),
    );
    return this.detail(requestId);
  }

  /**
   * Record how a personal representative's authority was verified (45 CFR 164.502(g), 164.514(h)(1)), by the
   * signed-in staff member, now: for the request's requester, or for the signer of the request's current
   * authorization. With method 'copy_attached' staff pick the PDF copy of the document; it is stored encrypted
   * with the request (kind 'representative_authority', kept 6 years). An authority check (method
   * 'representative_documentation') is added to the request's identity and authority checks as well.
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (the requester / signer is not a personal representative;
   *   nothing picked; 'practice_records' for anything but a parent of a minor) | FILE_* (not a readable PDF)
   */
  async recordRepresentativeAuthority(
    requestId: string,
    input: { target: 'requester' | 'authorization_signer'; document: RepresentativeAuthorityDocument; method: AuthorityVerificationMethod; notes: string },
  ): Promise<RequestDetailT> {
    const subject = { type: 'request', id: requestId };
    const db = this.session.require().db;
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
    const r = this.refuseAudited('request.representative_authority', subject, check);
    let copy: { bytes: Buffer; pageCount: number; name: string } | null = null;
    if (input.method === 'copy_attached') {
      const files = await this.d.filePicker.pick();
      const first = files[0];
      if (!first) {
        const e = new AppError('VALIDATION_FAILED', 'No file was chosen.');
        this.session.recordFailure('request.representative_authority', subject, e);
        throw e;
      }
      const pdf = await checkPdf(await first.read()).catch((e: unknown) => {
        this.session.recordFailure('request.representative_authority', subject, e);
        throw e;
      });
      copy = { bytes: pdf.bytes, pageCount: pdf.pageCount, name: first.name };
    }
    const tz = this.timeZone();
    this.session.audited(
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
              at: this.now,
              documentDate: localDate(this.now, tz),
            })
          : null;
        const evidence: RepresentativeAuthorityEvidence = {
          document: input.document,
          method: input.method,
          ...(doc ? { documentId: doc.id } : {}),
          verifiedBy: this.session.actor(),
          verifiedAt: this.now.toISOString(),
          notes: input.notes,
        };
        const cur = getRequest(v.db, requestId);
        if (input.target === 'requester') {
          updateRequest(v.db, { ...cur.request, requester: { ...cur.request.requester, authorityEvidence: evidence } }, this.now);
        } else {
          const a = getAuthorization(v.db, cur.request.authorizationId!);
          updateAuthorization(v.db, { ...a.authorization, signature: { ...a.authorization.signature, authorityEvidence: evidence } }, this.now);
        }
        insertVerification(v.db, {
          requestId,
          subject: 'authority',
          method: 'representative_documentation',
          checkedBy: evidence.verifiedBy,
          checkedAt: evidence.verifiedAt,
          notes: `${AUTHORITY_DOCUMENT_NOTE[input.document]}; ${AUTHORITY_METHOD_NOTE[input.method]}`,
        });
        if (cur.request.status === 'received') updateRequest(v.db, { ...getRequest(v.db, requestId).request, status: 'verifying' }, this.now);
        return doc;
      },
      (doc) => ({ target: input.target, document: input.document, method: input.method, documentId: doc?.id ?? 'none' }),
    );
    return this.detail(requestId);
  }

  /**
   * The Part 2 consent scope sheets a release must carry (42 CFR 2.32(b), 2024 text): one PDF
   * (renderPart2ConsentScope) for each '42 CFR 2.32(b)' notice the gate returned (evaluateRelease →
   * `decision.notices`, each with its `consentId`). Call it in the send path after the gate allowed the
   * release, and add each sheet to the PGP/MIME attachments and to the packet's sources; the text form of the
   * same scope already travels in the message body (innerBody prints the notices). Not audited (nothing
   * changes; the release's own audit records the send).
   * @param notices the gate's notices (others are ignored)
   * @param releaseReference the release's PHI-free reference, printed on each sheet
   * @returns `[{ consentId, filename, bytes }]` in notice order; filenames carry no PHI
   *   ("part2-consent-scope.pdf", then "-2", "-3"); empty when there is no Part 2 consent notice
   * @throws AppError NOT_FOUND (a consent id is unknown) | VALIDATION_FAILED (the consent is no longer
   *   valid now, e.g. revoked since the gate ran: the disclosure must not go out)
   */
  async part2ConsentScopeSheets(notices: readonly ReleaseNotice[], releaseReference: string): Promise<Array<{ consentId: string; filename: string; bytes: Buffer }>> {
    const db = this.session.require().db;
    const practice = requireSetting(db, 'practice');
    const ids = [...new Set(notices.filter((n) => n.citation === '42 CFR 2.32(b)' && n.consentId).map((n) => n.consentId!))];
    const out: Array<{ consentId: string; filename: string; bytes: Buffer }> = [];
    for (const [i, consentId] of ids.entries()) {
      const bytes = await renderPart2ConsentScope({
        practice: { name: practice.name },
        consent: getPart2Consent(db, consentId).consent,
        releaseReference,
        now: this.now,
        timeZone: this.timeZone(),
        ...(this.d.assetsRoot ? { assetsRoot: this.d.assetsRoot } : {}),
      });
      out.push({ consentId, filename: `part2-consent-scope${i === 0 ? '' : `-${i + 1}`}.pdf`, bytes: Buffer.from(bytes) });
    }
    return out;
  }

  /**
   * Save a vault document (extension notice, authorization form, signed scan) where staff choose.
   * @returns `{ saved }` (false when cancelled)
   * @throws AppError EXPORT_UNAVAILABLE (no saver configured) | NOT_FOUND
   */
  async exportDocument(documentId: string): Promise<{ saved: boolean }> {
    const subject = { type: 'document', id: documentId };
    const db = this.session.require().db;
    const label = this.refuseAudited('document.export', subject, () => {
      if (!this.d.fileSaver) throw new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
      return documentLabel(db, documentId);
    });
    const saved = await this.d.fileSaver!.save(label, readDocument(db, documentId));
    this.session.audited('document.export', subject, () => saved, (s) => ({ saved: s }));
    return { saved };
  }

  // ---------------------------------------------------------------- views

  /** Clock fields of a request (164.524(b)(2)), in the practice's time zone; empty for bases without the clock. */
  clock(r: StoredRequest, tz: string): Pick<RequestSummaryT, 'dueDate' | 'daysLeft' | 'dueThisWeek' | 'overdue' | 'extended'> {
    if (!(ACCESS_BASES as readonly string[]).includes(r.request.basis)) return { dueDate: null, daysLeft: null, dueThisWeek: false, overdue: false, extended: false };
    const c = accessClock(r.request, this.now, tz);
    const open = OPEN.includes(r.request.status);
    return {
      dueDate: c.effectiveDueDate,
      daysLeft: c.daysRemaining,
      dueThisWeek: open && c.daysRemaining >= 0 && c.daysRemaining < DUE_THIS_WEEK_DAYS,
      overdue: open && c.daysRemaining < 0,
      extended: c.extended,
    };
  }

  private summary(r: StoredRequest, tz: string): RequestSummaryT {
    return {
      id: r.id,
      reference: r.reference,
      patientName: r.patient.name,
      basis: r.request.basis,
      status: r.request.status,
      receivedAt: r.request.receivedAt,
      // A closed request changes no more (no amendment, check or extension), so its last update is when it closed.
      closedOn: OPEN.includes(r.request.status) ? null : localDate(r.updatedAt, tz),
      ...this.clock(r, tz),
    };
  }

  /** The full detail of a request (not audited; callers audit). @throws AppError NOT_FOUND */
  detail(id: string): RequestDetailT {
    const db = this.session.require().db;
    const tz = this.timeZone();
    const r = getRequest(db, id);
    const auth = r.request.authorizationId ? getAuthorization(db, r.request.authorizationId) : null;
    return {
      ...this.summary(r, tz),
      patient: r.patient,
      request: r.request,
      authorization: auth ? this.authorizationRecord(auth, tz) : null,
      part2Consents: listPart2Consents(db, r.patient.mrn).map((c) => this.consentRecord(c, tz)),
      verifications: listVerifications(db, id),
      acknowledgments: listAcknowledgments(db, r.patient.mrn).filter((a) => a.scope === 'standing' || a.requestId === id),
      documents: listRequestDocuments(db, id),
      releases: releasesOfRequest(db, id),
      closingReason: closingReason(db, id),
    };
  }

  private authorizationRecord(a: StoredAuthorization, tz: string): AuthorizationRecordT {
    const findings = lintAuthorization(a.authorization, this.now, tz);
    return {
      id: a.id,
      requestId: a.requestId,
      authorization: a.authorization,
      findings,
      valid: findings.every((f) => f.severity !== 'block'),
      signedFormDocumentId: a.signedFormDocumentId,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  private consentRecord(c: StoredConsent, tz: string): Part2ConsentRecordT {
    const findings = lintPart2Consent(c.consent, this.now, tz);
    return { id: c.id, requestId: c.requestId, consent: c.consent, findings, valid: findings.every((f) => f.severity !== 'block'), createdAt: c.createdAt };
  }
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
