import type { DeliveryMethodT, TransmissionT } from '../../../shared/contract';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { newId } from '../support/ids';
import type { GateResult } from './release-service';
import { releaseState, type StoredRecipient } from './repo';

/**
 * The transmission record of an export or print (a disclosure made without email): who, when, the documents and
 * their digests, the legal basis and authorization from the gate; no message, SMTP or key facts (164.528(b)(2)).
 * @param partsTotal files written (export) or 1 (print)
 * @throws AppError VAULT_LOCKED | NOT_FOUND
 */
export function baseTransmission(
  session: Session,
  releaseId: string,
  method: DeliveryMethodT,
  recipient: StoredRecipient,
  gate: GateResult,
  packetSha256: string,
  partsTotal: number,
): TransmissionT {
  const db = session.require().db;
  const practice = requireSetting(db, 'practice');
  const { reference } = releaseState(db, releaseId);
  return {
    id: newId(),
    releaseId,
    releaseReference: reference,
    at: session.clock.now().toISOString(),
    sender: practice.senderEmail,
    recipientName: recipient.name,
    recipientEmail: recipient.email,
    method,
    documents: gate.docs.map((d) => ({ label: d.label, sha256: d.sha256, pageCount: d.pageCount })),
    messageId: '',
    smtpResponse: '',
    tlsProtocol: '',
    tlsCipher: '',
    recipientKeyFingerprint: '',
    requestId: gate.request!.id,
    legalBasis: gate.request!.request.basis,
    authorizationId: gate.authorizationId,
    acknowledgmentId: gate.acknowledgmentId,
    partsTotal,
    partsSent: 0,
    packetSha256,
    parts: [],
    closedReason: null,
  };
}


/** The purpose line of the cover when no authorization states one (45 CFR 164.508(c)(1)(iv): "at the request of the individual" suffices). */
export function purposeOfBasis(basis: string): string {
  switch (basis) {
    case 'right_of_access':
      return 'At the request of the individual (right of access, 45 CFR 164.524)';
    case 'patient_directed':
      return "At the individual's direction to a third party (45 CFR 164.524(c)(3)(ii))";
    case 'tpo':
      return 'Treatment, payment or health care operations';
    case 'required_by_law':
      return 'As required by law';
    case 'hhs':
      return 'To the Secretary of HHS';
    default:
      return 'As authorized by the individual';
  }
}
