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
