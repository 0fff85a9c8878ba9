import type { DocumentPatientCheckT } from './contract';

/** A record file not yet compared with the release's patient: nothing found, nothing checked (used by main and the screen). */
export function pendingPatientCheck(documentId: string): DocumentPatientCheckT {
  return {
    documentId,
    outcome: 'pending',
    nameFound: false,
    dobFound: false,
    mrnFound: false,
    otherMrns: 0,
    otherDobs: 0,
    otherNames: 0,
    conflictPages: [],
    pagesChecked: 0,
    pagesWithoutText: 0,
    checkedAt: null,
    confirmed: null,
  };
}
