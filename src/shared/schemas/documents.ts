/**
 * Record files in a release: summaries, import outcomes, the patient check.
 *
 * Data schemas (zod) only: the channels that carry them are in src/shared/channels/. JSON-safe (ISO date strings).
 */
import { z } from 'zod';
import { DocumentCategory } from '../compliance';
import { Count, Id, IsoDate, IsoDateTime } from './common';

export const DocumentSummary = z.object({
  id: Id,
  /** Neutral label used in the message ("record-1.pdf"): never the original file name. */
  label: z.string(),
  /** The original file name, shown to staff only; never used in mail or logs. */
  originalName: z.string(),
  sizeBytes: Count,
  pageCount: Count,
  sha256: z.string(),
  importedAt: IsoDateTime,
  /** Category the document is filed under (a placeholder 'other' until classified; set with documents.classify). */
  category: DocumentCategory,
  /** Date of service / of the record, `YYYY-MM-DD` (a placeholder, the day of import, until classified). */
  documentDate: IsoDate,
  /** Staff set category and date of service (documents.classify); the gate blocks unclassified documents. */
  classified: z.boolean(),
  /**
   * Further categories a combined record file also contains (besides `category`); the gate checks every one
   * (scope, sensitive-category rules, authorization). Empty (or absent, from older producers) for a file of one category.
   */
  alsoCategories: z.array(DocumentCategory).max(12).optional(),
});

/**
 * Whether a record file names the release's patient (documents.checkPatient): PHI-free flags and counts, never the
 * identifiers found. 'pending' until the check has run for this file.
 */
export const DocumentPatientCheck = z.object({
  documentId: Id,
  outcome: z.enum(['pending', 'match', 'mismatch', 'name_differs', 'not_found', 'no_text', 'unreadable']),
  nameFound: z.boolean(),
  dobFound: z.boolean(),
  mrnFound: z.boolean(),
  /** Labelled MRNs / dates of birth / patient names in the text that are not this patient's (occurrences). */
  otherMrns: Count,
  otherDobs: Count,
  otherNames: Count,
  /** 1-based pages where another patient's identifier is labelled. */
  conflictPages: z.array(z.number().int().min(1)),
  pagesChecked: Count,
  pagesWithoutText: Count,
  checkedAt: IsoDateTime.nullable(),
  /** Staff looked and confirmed the file belongs in this release anyway: who, when, why. */
  confirmed: z.object({ by: z.string(), at: IsoDateTime, reason: z.string() }).nullable(),
  /**
   * A file that shows another patient on every identifier (shared/patient-check.ts showsAnotherPatient) needs a
   * privacy officer's approval of its confirmation: 'waiting' (staff confirmed, no officer has decided), 'approved',
   * 'declined' (stays blocked), or 'not_needed' (any other file, or not confirmed yet). Absent = 'not_needed'.
   */
  officerApproval: z.enum(['not_needed', 'waiting', 'approved', 'declined']).optional(),
});
export type DocumentPatientCheckT = z.infer<typeof DocumentPatientCheck>;
/** A record file that was not imported, with its own reason; `passwordRequestId` when it waits for its PDF password. */
export const ImportRejection = z.object({ fileName: z.string(), code: z.string(), message: z.string(), passwordRequestId: Id.optional() });
export const ImportOutcome = z.object({ imported: z.array(DocumentSummary), rejected: z.array(ImportRejection) });
export type DocumentSummaryT = z.output<typeof DocumentSummary>;

export type ImportOutcomeT = z.output<typeof ImportOutcome>;
