/**
 * Authorizations (45 CFR 164.508), Part 2 consents (42 CFR 2.31) and a personal representative's authority
 * (164.502(g)): every call to main the authorization screens make. The drafts being typed stay in the forms; what
 * main answers is handed back to them. Each action is the channel of the same name; each rejects with the call's
 * ApiError (coded, PHI-free). Actions that open a file chooser in the preview (`attachSignedForm`,
 * `recordRepresentativeAuthority` with a copy attached) invoke `window.api` synchronously, so call them directly
 * inside the click handler.
 */
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { call } from '../../lib/call';
import { defineStore } from '../../lib/stores';

type Action<C extends Parameters<typeof call>[0]> = (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

interface AuthorizationsState {
  save: Action<'authorizations.save'>;
  /** The blank or prefilled authorization form for the request (a PDF document of the request). */
  makeForm: Action<'authorizations.form'>;
  /** Saves a document of the request to a file staff choose. */
  exportDocument: Action<'documents.export'>;
  attachSignedForm: Action<'authorizations.attachSignedForm'>;
  revoke: Action<'authorizations.revoke'>;
  saveConsent: Action<'part2Consents.save'>;
  revokeConsent: Action<'part2Consents.revoke'>;
  recordRepresentativeAuthority: Action<'requests.recordRepresentativeAuthority'>;
}

export const useAuthorizationsStore = defineStore<AuthorizationsState>('authorizations', () => ({
  save: (input) => call('authorizations.save', input),
  makeForm: (input) => call('authorizations.form', input),
  exportDocument: (input) => call('documents.export', input),
  attachSignedForm: (input) => call('authorizations.attachSignedForm', input),
  revoke: (input) => call('authorizations.revoke', input),
  saveConsent: (input) => call('part2Consents.save', input),
  revokeConsent: (input) => call('part2Consents.revoke', input),
  recordRepresentativeAuthority: (input) => call('requests.recordRepresentativeAuthority', input),
}));
