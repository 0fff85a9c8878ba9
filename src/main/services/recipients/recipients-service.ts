/**
 * The `recipients.*` channels as one service: an address checked before it is used (syntax, CR/LF, look-alikes,
 * typos; recipients/email.ts), a pasted OpenPGP key described (openpgp/keys.ts), and the optional address
 * confirmation round trip (recipients/address-confirmation.ts).
 */
import type { AddressStatusT, KeyInfoT } from '../../../shared/contract';
import { inspectRecipientKey } from '../openpgp/keys';
import type { Session } from '../session';
import type { AddressConfirmationService } from './address-confirmation';
import { checkEmailAddress, type EmailCheckResult } from './email';

export interface RecipientsServiceDeps {
  session: Session;
  addressConfirmations: AddressConfirmationService;
}

/** See the module comment. */
export class RecipientsService {
  constructor(private readonly d: RecipientsServiceDeps) {}

  /** Check an email address as typed (no vault needed; nothing stored or audited). See {@link checkEmailAddress}. */
  checkEmail(email: string): EmailCheckResult {
    return checkEmailAddress(email);
  }

  /** Facts about a pasted recipient key at this moment (RFC 4880 §11.1). @throws AppError VAULT_LOCKED | KEY_* */
  async inspectKey(armoredKey: string): Promise<KeyInfoT> {
    this.d.session.require();
    return inspectRecipientKey(armoredKey, this.d.session.clock.now());
  }

  /** Whether the address is confirmed for this release, or a code is waiting (AddressConfirmationService.status, which lists the codes thrown). */
  addressStatus(releaseId: string, email: string): AddressStatusT {
    return this.d.addressConfirmations.status(releaseId, email);
  }

  /** Email the address a PHI-free confirmation code (audited; AddressConfirmationService.sendCode lists the codes thrown). */
  sendCode(releaseId: string, email: string): Promise<AddressStatusT> {
    return this.d.addressConfirmations.sendCode(releaseId, email);
  }

  /** The code read back: the address is confirmed (audited; AddressConfirmationService.confirmCode lists the codes thrown). */
  confirmCode(releaseId: string, email: string, code: string): AddressStatusT {
    return this.d.addressConfirmations.confirmCode(releaseId, email, code);
  }
}
