/**
 * The right patient before PHI leaves: each record file of a release is compared with the release's patient
 * (patient-match.ts over the text PDF.js extracts), the PHI-free result stored per file, and the release gate
 * given findings (patientMatchFindings). Also the bounded page preview of a record file.
 *
 * Sources: 45 CFR 164.502(a) (a disclosure of another patient's PHI is not permitted), 164.530(c) (reasonable
 * safeguards against misdirected disclosures), 164.402 (such a disclosure is a breach).
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Finding } from '../../../shared/compliance';
import type { DocumentPatientCheckT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { pendingPatientCheck, showsAnotherPatient } from '../../../shared/patient-check';
import { insertPatientConfirmDecision, patientConfirmDecisions } from '../accounts/users-repo';
import { newId } from '../support/ids';
import { finding } from '../compliance/types';
import type { Session } from '../session';
import { requireEditable } from '../releases/repo';
import { listDocuments, readDocument } from './documents';
import { findReleasePatientRow, insertPatientCheckRowOnce, listPatientCheckRows, setPatientCheckConfirmation } from './patient-check-repo';
import { matchPatient, type PatientIdentifiers, type PatientMatchResult } from './patient-match';
import { extractPageTexts, renderPagePng } from './pdf-text';

type StoredOutcome = Exclude<DocumentPatientCheckT['outcome'], 'pending'>;

export interface CheckRow {
  document_id: string;
  outcome: StoredOutcome;
  name_found: number;
  dob_found: number;
  mrn_found: number;
  other_mrns: number;
  other_dobs: number;
  other_names: number;
  conflict_pages: string;
  pages_checked: number;
  pages_without_text: number;
  checked_at: string;
  confirmed_by: string | null;
  confirmed_at: string | null;
  confirm_reason: string | null;
}


function fromRow(r: CheckRow): DocumentPatientCheckT {
  return {
    documentId: r.document_id,
    outcome: r.outcome,
    nameFound: r.name_found === 1,
    dobFound: r.dob_found === 1,
    mrnFound: r.mrn_found === 1,
    otherMrns: r.other_mrns,
    otherDobs: r.other_dobs,
    otherNames: r.other_names,
    conflictPages: JSON.parse(r.conflict_pages) as number[],
    pagesChecked: r.pages_checked,
    pagesWithoutText: r.pages_without_text,
    checkedAt: r.checked_at,
    confirmed: r.confirmed_by && r.confirmed_at ? { by: r.confirmed_by, at: r.confirmed_at, reason: r.confirm_reason ?? '' } : null,
  };
}

/** The patient the release is for (as copied from its request). @throws AppError NOT_FOUND */
export function releasePatient(db: Database, releaseId: string): PatientIdentifiers {
  const r = findReleasePatientRow(db, releaseId);
  if (!r) throw new AppError('NOT_FOUND', 'That release does not exist.');
  return { name: r.patient_name, dateOfBirth: r.patient_dob, mrn: r.patient_mrn };
}

/** Each CURRENT record file of the release with its stored check, or 'pending' when none is stored yet; in file order. */
export function listPatientChecks(db: Database, releaseId: string): DocumentPatientCheckT[] {
  const rows = listPatientCheckRows(db, releaseId);
  const byDoc = new Map(rows.map((r) => [r.document_id, r]));
  const decisions = patientConfirmDecisions(db, releaseId);
  return listDocuments(db, releaseId).map((d) => {
    const r = byDoc.get(d.id);
    if (!r) return { ...pendingPatientCheck(d.id), officerApproval: 'not_needed' as const };
    const c = fromRow(r);
    return { ...c, officerApproval: officerApprovalOf(c, decisions.get(d.id)?.decision) };
  });
}

/**
 * Where a file's confirmation stands with the privacy officer: 'not_needed' unless the file shows another patient
 * on every identifier (showsAnotherPatient) and staff confirmed it; then the newest officer decision, or 'waiting'.
 */
function officerApprovalOf(c: DocumentPatientCheckT, decision: 'approved' | 'declined' | undefined): NonNullable<DocumentPatientCheckT['officerApproval']> {
  if (!showsAnotherPatient(c) || !c.confirmed) return 'not_needed';
  return decision ?? 'waiting';
}

/** Roles whose confirmation of a file that shows another patient is itself the officer's approval. */
export const PATIENT_CONFIRM_APPROVERS = ['privacy_officer', 'administrator'] as const;

/** The gate's finding while a file that shows another patient waits for a privacy officer (blocks sending). */
export const PATIENT_OFFICER_APPROVAL_REQUIRED = 'PATIENT_OFFICER_APPROVAL_REQUIRED';
/** The gate's finding after a privacy officer declined a file that shows another patient (blocks sending). */
export const PATIENT_CONFIRM_DECLINED = 'PATIENT_CONFIRM_DECLINED';

/**
 * Store the check of one record file (once: a file's bytes never change). Call inside a transaction.
 * `unreadable` is stored when PDF.js could not parse the file.
 */
export function storePatientCheck(db: Database, releaseId: string, documentId: string, result: PatientMatchResult | 'unreadable', pageCount: number, at: Date): void {
  const r: PatientMatchResult =
    result === 'unreadable'
      ? { outcome: 'no_text', nameFound: false, dobFound: false, mrnFound: false, otherMrns: 0, otherDobs: 0, otherNames: 0, conflictPages: [], pagesChecked: pageCount, pagesWithoutText: pageCount }
      : result;
  insertPatientCheckRowOnce(db, [
    documentId,
    releaseId,
    result === 'unreadable' ? 'unreadable' : r.outcome,
    r.nameFound ? 1 : 0,
    r.dobFound ? 1 : 0,
    r.mrnFound ? 1 : 0,
    r.otherMrns,
    r.otherDobs,
    r.otherNames,
    JSON.stringify(r.conflictPages),
    r.pagesChecked,
    r.pagesWithoutText,
    at.toISOString(),
  ]);
}

/**
 * Record staff's confirmation that a flagged file belongs in the release (who, when, why). Call inside an audited
 * transaction. @throws AppError NOT_FOUND | PATIENT_CHECK_PENDING (not checked yet) | PATIENT_CHECK_NOT_NEEDED
 * (the file matched; nothing to confirm)
 */
export function confirmPatientCheck(db: Database, releaseId: string, documentId: string, by: string, reason: string, at: Date): void {
  const check = listPatientChecks(db, releaseId).find((c) => c.documentId === documentId);
  if (!check) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
  if (check.outcome === 'pending') throw new AppError('PATIENT_CHECK_PENDING', 'This record file has not been compared with the patient yet.');
  if (check.outcome === 'match') throw new AppError('PATIENT_CHECK_NOT_NEEDED', 'This record file names the patient; there is nothing to confirm.');
  setPatientCheckConfirmation(db, documentId, by, at.toISOString(), reason);
}

function labelOf(db: Database, releaseId: string, documentId: string): string {
  return (listDocuments(db, releaseId).find((d) => d.id === documentId)?.label ?? 'a record file').replace(/\.pdf$/i, '');
}

/**
 * The release gate's findings about the patient in each current record file (PHI-free: labels, codes, counts):
 * - PATIENT_CHECK_PENDING (block): the file has not been compared with the patient yet (run documents.checkPatient);
 * - PATIENT_MISMATCH (block): the file labels another MRN or date of birth — another patient's record — and staff
 *   have not confirmed it with a reason (164.502(a), 164.530(c));
 * - PATIENT_NAME_DIFFERS (warn): a labelled patient name is not this patient's;
 * - PATIENT_NOT_FOUND (warn): neither the patient's name nor MRN is in the text;
 * - PATIENT_NOT_CHECKED (warn): no text layer (a scan) or unreadable: could not be checked — look at the preview.
 * - PATIENT_OFFICER_APPROVAL_REQUIRED (block): staff confirmed a file that shows another patient on every identifier
 *   and no privacy officer has approved it yet; PATIENT_CONFIRM_DECLINED (block): a privacy officer declined it.
 * Other confirmed files, and approved ones, give no finding (the confirmation is in the audit log).
 */
export function patientMatchFindings(db: Database, releaseId: string): Finding[] {
  const out: Finding[] = [];
  for (const c of listPatientChecks(db, releaseId)) {
    const cite = '45 CFR 164.502(a), 164.530(c)';
    if (c.officerApproval === 'waiting' || c.officerApproval === 'declined') {
      const label = labelOf(db, releaseId, c.documentId);
      out.push(
        c.officerApproval === 'waiting'
          ? finding(
              PATIENT_OFFICER_APPROVAL_REQUIRED,
              'block',
              cite,
              `A privacy officer must approve a file that shows another patient: ${label} names none of this patient's details. It cannot be sent until a privacy officer approves it.`,
              c.documentId,
            )
          : finding(PATIENT_CONFIRM_DECLINED, 'block', cite, `A privacy officer declined ${label}: it shows another patient. Remove it from this release.`, c.documentId),
      );
      continue;
    }
    if (c.confirmed || c.outcome === 'match') continue;
    const label = labelOf(db, releaseId, c.documentId);
    switch (c.outcome) {
      case 'pending':
        out.push(finding('PATIENT_CHECK_PENDING', 'block', cite, `ReleaseDesk has not yet compared ${label} with the patient. Open the Records step to check it.`, c.documentId));
        break;
      case 'mismatch': {
        const what = [c.otherMrns ? 'another medical record number' : '', c.otherDobs ? 'another date of birth' : ''].filter(Boolean).join(' and ');
        const pages = c.conflictPages.length ? ` (page ${c.conflictPages.join(', ')})` : '';
        out.push(
          finding(
            'PATIENT_MISMATCH',
            'block',
            cite,
            `${label} shows ${what}${pages}: it may be another patient's record. Remove it, or look at it and confirm with a reason that it belongs in this release.`,
            c.documentId,
          ),
        );
        break;
      }
      case 'name_differs':
        out.push(finding('PATIENT_NAME_DIFFERS', 'warn', cite, `${label} names a patient whose name is not this patient's. Look at the preview before sending.`, c.documentId));
        break;
      case 'not_found':
        out.push(finding('PATIENT_NOT_FOUND', 'warn', cite, `The patient's name or record number was not found in ${label}. Look at the preview before sending.`, c.documentId));
        break;
      case 'no_text':
      case 'unreadable':
        out.push(finding('PATIENT_NOT_CHECKED', 'warn', cite, `${label} has no readable text (a scan?), so it could not be checked. Look at the preview before sending.`, c.documentId));
        break;
    }
  }
  return out;
}

/** Compare one stored record file with the patient: extract text (PDF.js), match. Pure read; stores nothing. */
export async function checkDocumentPatient(db: Database, documentId: string, patient: PatientIdentifiers): Promise<PatientMatchResult | 'unreadable'> {
  const bytes = readDocument(db, documentId);
  try {
    return matchPatient(await extractPageTexts(bytes), patient);
  } catch (e) {
    if (e instanceof AppError && e.code === 'FILE_UNREADABLE') return 'unreadable';
    throw e;
  }
}

/**
 * The Records step's service: runs and stores the patient checks, records confirmations, renders previews.
 * Every method needs the unlocked vault (VAULT_LOCKED otherwise).
 */
export class PatientCheckService {
  constructor(private readonly session: Session) {}

  /**
   * Check every current record file of the release that has no stored check yet, store the results, and return all.
   * Audited `document.patient_check` (detail: counts per outcome — no identifiers). Files of a sent release are
   * not checked again (their checks are returned as stored).
   * @throws AppError NOT_FOUND | VAULT_LOCKED
   */
  async checkRelease(releaseId: string): Promise<{ checks: DocumentPatientCheckT[] }> {
    const db = this.session.require().db;
    const patient = releasePatient(db, releaseId);
    const todo = listPatientChecks(db, releaseId).filter((c) => c.outcome === 'pending');
    if (todo.length === 0) return { checks: listPatientChecks(db, releaseId) };
    const pages = new Map(listDocuments(db, releaseId).map((d) => [d.id, d.pageCount]));
    const results: Array<{ id: string; r: PatientMatchResult | 'unreadable' }> = [];
    for (const c of todo) results.push({ id: c.documentId, r: await checkDocumentPatient(db, c.documentId, patient) });
    const now = this.session.clock.now();
    return this.session.audited(
      'document.patient_check',
      { type: 'release', id: releaseId },
      (v) => {
        for (const { id, r } of results) storePatientCheck(v.db, releaseId, id, r, pages.get(id) ?? 0, now);
        return { checks: listPatientChecks(v.db, releaseId) };
      },
      () => {
        const count = (o: string) => results.filter(({ r }) => (r === 'unreadable' ? 'unreadable' : r.outcome) === o).length;
        return { documents: results.length, match: count('match'), mismatch: count('mismatch'), name_differs: count('name_differs'), not_found: count('not_found'), no_text: count('no_text') + count('unreadable') };
      },
    );
  }

  /**
   * Staff confirm that a flagged file belongs in this release, with a reason. Audited `document.patient_confirm`
   * (detail: the document id and its outcome; the reason stays in the vault).
   * @throws AppError NOT_FOUND | PATIENT_CHECK_PENDING | PATIENT_CHECK_NOT_NEEDED | RELEASE_ALREADY_SENT | RELEASE_SEND_IN_PROGRESS
   */
  confirm(releaseId: string, documentId: string, reason: string): { checks: DocumentPatientCheckT[] } {
    return this.session.audited(
      'document.patient_confirm',
      { type: 'release', id: releaseId },
      (v) => {
        requireEditable(v.db, releaseId);
        const me = this.session.requireUser();
        const now = this.session.clock.now();
        confirmPatientCheck(v.db, releaseId, documentId, this.session.actor(), reason, now);
        const c = listPatientChecks(v.db, releaseId).find((x) => x.documentId === documentId)!;
        // A privacy officer's (or administrator's) own confirmation is the officer's approval (164.530(c)).
        if (c.officerApproval !== 'not_needed' && (PATIENT_CONFIRM_APPROVERS as readonly string[]).includes(me.role))
          insertPatientConfirmDecision(v.db, { id: newId(), releaseId, documentId, decision: 'approved', by: me.id, at: now.toISOString() });
        return { checks: listPatientChecks(v.db, releaseId) };
      },
      (r) => {
        const c = r.checks.find((x) => x.documentId === documentId);
        return { documentId, outcome: c?.outcome ?? 'unknown', officerApproval: c?.officerApproval ?? 'not_needed' };
      },
    );
  }

  /**
   * A privacy officer (or administrator) approves or declines staff's confirmation of a file that shows another
   * patient on every identifier. Stored as a `release_approvals` row (never changed; the newest decision counts);
   * audited `document.patient_confirm_approve` / `document.patient_confirm_decline` (actor: the officer; detail: the
   * document id only — no reason text, no identifiers). A refusal is audited too.
   * Source: 45 CFR 164.502(a), 164.530(c) (safeguards against a wrong-patient disclosure), 164.308(a)(4).
   * @throws AppError NOT_FOUND | PATIENT_CONFIRM_NOT_WAITING (not a file that shows another patient, or staff have
   *   not asked for its confirmation yet) | APPROVAL_NOT_PERMITTED (not an officer) | RELEASE_ALREADY_SENT and other
   *   not-editable states | VAULT_LOCKED
   */
  decideConfirmation(releaseId: string, documentId: string, decision: 'approve' | 'decline'): { checks: DocumentPatientCheckT[] } {
    return this.session.audited(
      decision === 'approve' ? 'document.patient_confirm_approve' : 'document.patient_confirm_decline',
      { type: 'release', id: releaseId },
      (v) => {
        const me = this.session.requireUser();
        requireEditable(v.db, releaseId);
        if (!(PATIENT_CONFIRM_APPROVERS as readonly string[]).includes(me.role))
          throw new AppError('APPROVAL_NOT_PERMITTED', 'Only a privacy officer or an administrator can approve or decline this file.', { documentId });
        const c = listPatientChecks(v.db, releaseId).find((x) => x.documentId === documentId);
        if (!c) throw new AppError('NOT_FOUND', 'That document is not part of this release.');
        if (c.officerApproval === 'not_needed')
          throw new AppError('PATIENT_CONFIRM_NOT_WAITING', 'This file is not waiting for a privacy officer: only a confirmed file that shows another patient is.', { documentId });
        insertPatientConfirmDecision(v.db, { id: newId(), releaseId, documentId, decision: decision === 'approve' ? 'approved' : 'declined', by: me.id, at: this.session.clock.now().toISOString() });
        return { checks: listPatientChecks(v.db, releaseId) };
      },
      () => ({ documentId }),
    );
  }

  /**
   * Render one page of a current record file as a PNG data URL (in memory; never a file). Audited `document.preview`
   * (ids and page number).
   * @throws AppError NOT_FOUND | VALIDATION_FAILED (page out of range) | FILE_UNREADABLE
   */
  async previewPage(releaseId: string, documentId: string, page: number, width: number): Promise<{ page: number; pageCount: number; width: number; height: number; dataUrl: string }> {
    const db = this.session.require().db;
    if (!listDocuments(db, releaseId).some((d) => d.id === documentId)) {
      const e = new AppError('NOT_FOUND', 'That document is not part of this release.');
      this.session.recordFailure('document.preview', { type: 'document', id: documentId }, e);
      throw e;
    }
    let out;
    try {
      out = await renderPagePng(readDocument(db, documentId), page, width);
    } catch (e) {
      this.session.recordFailure('document.preview', { type: 'document', id: documentId }, e, { page });
      throw e;
    }
    this.session.audited('document.preview', { type: 'document', id: documentId }, () => null, () => ({ releaseId, page }));
    return { page, pageCount: out.pageCount, width: out.width, height: out.height, dataUrl: `data:image/png;base64,${out.png.toString('base64')}` };
  }
}
