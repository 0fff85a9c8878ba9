/**
 * Practice-wide request references (issue #17). A reference is printed on letters to patients (acknowledgments,
 * extension and denial notices, release cover pages), so it must name one request across the practice and must never
 * change once issued. Decision:
 *
 * - **Joined and online**: the reference is allocated by the practice server (`Q-<year>-<5 digits>`, the practice's
 *   one yearly counter, taken under the counter row's lock together with its registration in `practice_references`,
 *   sync-records-repo.ts allocateServerReference): two workstations never issue the same one.
 * - **Joined but offline** (or the server fails while allocating): the workstation issues a reference that is unique
 *   by construction, never provisional: `Q-<year>-W<6 hex of this workstation's random id>-<4 digits>` (its own
 *   counter). It is registered on the server when the request is first pushed and is never replaced, so nothing
 *   printed ever changes. (Two workstations sharing the 24-bit tag is about one in three million for five
 *   workstations; the registration would refuse it and the pull shows the other request under a marked local name,
 *   audited — see sync-requests.ts.)
 * - **Not joined / no practice server**: the vault's own yearly numbering (requests/repo.ts), unchanged.
 *
 * The vault records which of the three issued each reference (`requests.reference_issued_by`, vault migration 019).
 * @source 45 CFR 164.312(c)(1) integrity (one reference, one request), 164.530(j) (what was sent is what is kept)
 */
import { isOfflineError, type PracticeLink } from './practice-link';
import { allocateServerReference } from './sync-records-repo';

/** How a new request's reference is issued: a server reference, or a prefix the vault numbers under. */
export type IssuedReference = { reference: string; issuedBy: 'server' } | { prefix: string; issuedBy: 'workstation' };

/** Issues references for new requests; null: the vault's own numbering (no practice server). */
export interface ReferenceIssuer {
  /**
   * @param requestId the new request's id (the server registers the reference under it)
   * @param year the UTC year of intake
   * @throws AppError a store error other than "the server cannot be reached" (those fall back to the offline form)
   */
  issue(requestId: string, year: number, now: Date): Promise<IssuedReference | null>;
  /** This workstation's own form (used when a server reference clashes with an older local one in this vault). */
  fallback(year: number): IssuedReference;
}

/** The offline prefix of a workstation: `Q-<year>-W<first 6 hex of its id, upper case>`. */
export function offlineReferencePrefix(year: number, workstationId: string): string {
  return `Q-${year}-W${workstationId.slice(0, 6).toUpperCase()}`;
}

/** The issuer of a workstation's practice link (see the module comment). */
export function practiceReferenceIssuer(link: PracticeLink): ReferenceIssuer {
  return {
    async issue(requestId, year, now) {
      const state = link.state();
      if (state === 'local' || state === 'not_joined') return null;
      const ws = link.workstation();
      if (state === 'online') {
        try {
          const reference = await link.use((engine) => allocateServerReference(engine, year, requestId, ws.id, now.toISOString()));
          return { reference, issuedBy: 'server' };
        } catch (e) {
          if (!isOfflineError(e)) throw e;
        }
      }
      return { prefix: offlineReferencePrefix(year, ws.id), issuedBy: 'workstation' };
    },
    fallback(year) {
      return { prefix: offlineReferencePrefix(year, link.workstation().id), issuedBy: 'workstation' };
    },
  };
}
