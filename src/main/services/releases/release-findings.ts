import type { DocumentCategory, Finding } from '../../../shared/compliance';
import type { DocumentSummaryT, KeyInfoT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { blockedCode } from '../accounts/blocked';
import { finding } from '../compliance';
import { inspectRecipientKey } from '../openpgp/keys';
import { sameAddress } from '../recipients/email';

/** Every category a record file carries: its filed category, then the further ones of a combined file. */
export function categoriesOf(d: { category: DocumentCategory; alsoCategories?: readonly DocumentCategory[] | undefined }): DocumentCategory[] {
  return [d.category, ...(d.alsoCategories ?? []).filter((c) => c !== d.category)];
}

/**
 * BLOCK findings for record files whose category and date of service staff have not set (import stores
 * placeholders): scope (164.502(b), 164.514(d)) and sensitive-category rules depend on both.
 */
export function unclassifiedFindings(docs: readonly DocumentSummaryT[]): Finding[] {
  return docs
    .filter((d) => !d.classified)
    .map((d) => finding('DOCUMENT_UNCLASSIFIED', 'block', '45 CFR 164.514(d)', `Set the category and date of service of ${d.label.replace(/\.pdf$/i, '')}.`, d.id));
}

/**
 * Findings about the release's recipient against the request (PHI-free messages; the screen shows the addresses):
 * - RECIPIENT_NOT_IN_REQUEST (block): the address is none of the request's recipients' destinations — the request
 *   says where to send (164.524(c)(3)(ii), 164.508(c)(1)(iii)) — unless staff confirmed this exact address;
 * - KEY_USER_ID_MISMATCH (warn): the recipient's OpenPGP key has no user ID with this address (RFC 4880 §5.11).
 */
export function recipientFindings(
  rec: { email: string; addressConfirmed: unknown; keyUserIds: string[] | null } | null,
  requestRecipients: ReadonlyArray<{ destination: string }>,
): Finding[] {
  if (!rec) return [];
  const out: Finding[] = [];
  if (!rec.addressConfirmed && !requestRecipients.some((r) => sameAddress(r.destination, rec.email)))
    out.push(
      finding(
        'RECIPIENT_NOT_IN_REQUEST',
        'block',
        '45 CFR 164.524(c)(3)(ii), 164.508(c)(1)(iii)',
        "The recipient's email address is not the destination the request names. Correct it, or confirm the exact address with the recipient and record that confirmation in the Recipient step.",
      ),
    );
  if (rec.keyUserIds && !rec.keyUserIds.some((u) => uidEmails(u).some((e) => sameAddress(e, rec.email))))
    out.push(
      finding(
        'KEY_USER_ID_MISMATCH',
        'warn',
        'RFC 4880 §5.11',
        "The recipient's OpenPGP key does not name this email address in any of its user IDs. Check with the recipient that the key is theirs.",
      ),
    );
  return out;
}

/** Email addresses in an OpenPGP user ID ("Name <a@b>" or a bare address). */
function uidEmails(uid: string): string[] {
  const angle = [...uid.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!);
  if (angle.length) return angle;
  return /^\S+@\S+$/.test(uid.trim()) ? [uid.trim()] : [];
}

/** Facts about an armored key now, or null when it cannot be used (expired, revoked, unreadable). */
export async function keyFactsOrNull(armored: string, now: Date): Promise<KeyInfoT | null> {
  try {
    return await inspectRecipientKey(armored, now);
  } catch {
    return null;
  }
}


/**
 * Refuse a release the compliance gate does not let out: no record file, or any BLOCK finding (all of them named,
 * numbered, in the message; their codes and count in the detail).
 * @throws AppError RELEASE_NOT_READY (no documents) | APPROVAL_REQUIRED (only the two-person approval missing) | RELEASE_BLOCKED
 */
export function requireGatePassed(gate: { docs: readonly unknown[]; decision: { findings: readonly Finding[] } }): void {
  if (gate.docs.length === 0) throw new AppError('RELEASE_NOT_READY', 'Add at least one record file before sending.');
  const blocking = gate.decision.findings.filter((f) => f.severity === 'block');
  if (blocking.length > 0)
    throw new AppError(blockedCode(blocking), `This release cannot be sent yet: ${blocking.map((f, i) => `(${i + 1}) ${f.message}`).join(' ')}`, {
      findings: [...new Set(blocking.map((f) => f.code))].join(','),
      blocking: blocking.length,
    });
}
