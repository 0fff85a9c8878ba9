import type { DocumentPatientCheckT } from './contract';

/** The findings of a comparison with the patient before any page is read: nothing found, nothing else seen (fresh each call). */
export function nothingFoundYet() {
  return { nameFound: false, dobFound: false, mrnFound: false, otherMrns: 0, otherDobs: 0, otherNames: 0, conflictPages: [] as number[] };
}

/** A record file not yet compared with the release's patient: nothing found, nothing checked (used by main and the screen). */
export function pendingPatientCheck(documentId: string): DocumentPatientCheckT {
  return {
    documentId,
    outcome: 'pending',
    ...nothingFoundYet(),
    pagesChecked: 0,
    pagesWithoutText: 0,
    checkedAt: null,
    confirmed: null,
  };
}

/**
 * Whether a checked record file shows ANOTHER patient on every identifier: the text labels another MRN or date of
 * birth (outcome 'mismatch') and none of this patient's identifiers (name, date of birth, MRN) is anywhere in it.
 * Confirming such a file needs a privacy officer's approval (45 CFR 164.502(a), 164.530(c)); a partial mismatch
 * (one of the patient's identifiers found) does not. Pure; PHI-free input (flags only).
 */
export function showsAnotherPatient(c: Pick<DocumentPatientCheckT, 'outcome' | 'nameFound' | 'dobFound' | 'mrnFound'>): boolean {
  return c.outcome === 'mismatch' && !c.nameFound && !c.dobFound && !c.mrnFound;
}
