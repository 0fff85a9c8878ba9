/**
 * The `app.*` channels and the app shell's own needs: what the shell shows before anything else, and the audit
 * of input the contract refused at the IPC boundary.
 */
import type { AppInfoT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { AccountService } from '../accounts/account-service';
import type { Session } from '../session';
import { getSetting } from '../settings/settings';

export interface AppServiceDeps {
  session: Session;
  accounts: AccountService;
  mode: 'electron' | 'preview';
  version: string;
}

/** See the module comment. */
export class AppService {
  constructor(private readonly d: AppServiceDeps) {}

  /** What the app shell needs before anything else: mode, version, vault state, names (names only while unlocked). */
  info(): AppInfoT {
    const { session, accounts } = this.d;
    const unlocked = session.state === 'unlocked';
    return {
      mode: this.d.mode,
      version: this.d.version,
      vault: session.state,
      practiceName: unlocked ? (getSetting(session.require().db, 'practice')?.name ?? null) : null,
      staffName: unlocked ? session.actor() : null,
      user: unlocked ? session.currentUser() : null,
      mfaEnrollmentDue: unlocked ? accounts.mfaEnrollmentDue() : false,
    };
  }

  /**
   * Audit input refused at the IPC boundary (contract validation), when the vault is open.
   * Detail: the channel and the field paths only — never the values. An arrow property: the shell passes it on unbound.
   */
  readonly auditInvalidInput = (channel: string, fields: string[]): void => {
    const session = this.d.session;
    if (session.state !== 'unlocked') return;
    session.recordFailure('rpc.input_refused', { type: 'channel', id: channel }, new AppError('VALIDATION_FAILED', 'Invalid input.'), {
      fields: fields.join(',').slice(0, 500),
    });
  };
}
