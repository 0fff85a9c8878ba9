/**
 * Requests for records (issue #3): the list with its clocks and the request
 * open on the detail screen. Every action returns the request as main now sees
 * it; the store keeps that and the last failure of each action.
 */
import { defineStore } from '../../lib/stores';
import type { ChannelInput, ChannelOutput, RequestDetailT, RequestDocumentT, RequestSummaryT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

export type RequestAction = 'load' | 'status' | 'verify' | 'extend' | 'deny' | 'withdraw' | 'choice' | 'export' | 'release' | null;

interface RequestsState {
  list: RequestSummaryT[] | null;
  listError: ApiError | null;
  detail: RequestDetailT | null;
  busy: RequestAction;
  /** Failure of the last action, with which action failed (shown next to it). */
  error: { action: Exclude<RequestAction, null>; error: ApiError } | null;
  /** The extension notice made by the last successful extension (offered for export). */
  notice: RequestDocumentT | null;
  exported: boolean | null;

  loadList: () => Promise<void>;
  open: (id: string) => Promise<void>;
  /** Replaces the open request (after an authorization save, which returns only the authorization). */
  refresh: () => Promise<void>;
  setStatus: (status: 'verifying' | 'ready') => Promise<void>;
  recordVerification: (v: Omit<ChannelInput<'requests.recordVerification'>, 'requestId'>) => Promise<boolean>;
  extend: (reason: string, newDueDate: string) => Promise<boolean>;
  deny: (reason: string) => Promise<boolean>;
  withdraw: (note: string) => Promise<boolean>;
  recordUnencryptedEmailChoice: (c: Omit<ChannelInput<'requests.recordUnencryptedEmailChoice'>, 'requestId'>) => Promise<boolean>;
  exportDocument: (documentId: string) => Promise<void>;
  /** The individual withdrew an unencrypted-email choice (`requests.withdrawUnencryptedEmailChoice`). @throws ApiError */
  withdrawUnencryptedEmailChoice: (acknowledgmentId: string) => Promise<void>;
  /** Starts a release for the open request (`releases.create`); resolves with its id. */
  startRelease: () => Promise<string | null>;
  /** Records a new request (`requests.create`); resolves with it (the intake form then opens it). @throws ApiError */
  create: (input: ChannelInput<'requests.create'>) => Promise<RequestDetailT>;
  /** Amends an open request's scope or named categories with a reason (`requests.amend`); the answer replaces the open request. @throws ApiError */
  amend: (input: ChannelInput<'requests.amend'>) => Promise<RequestDetailT>;
  /** Makes the written denial of a denied access request (`requests.denialNotice`, 164.524(d)(2)) and offers it to save. @throws ApiError */
  denialNotice: (input: ChannelInput<'requests.denialNotice'>) => Promise<ChannelOutput<'requests.denialNotice'>>;
  /**
   * Checks an email destination in main (`recipients.checkEmail`: syntax, invisible characters, typo suggestion,
   * look-alike). Advisory: null when main cannot answer. Never throws.
   */
  checkEmail: (email: string) => Promise<ChannelOutput<'recipients.checkEmail'> | null>;
}

export const useRequestsStore = defineStore<RequestsState>('requests', (set, get) => {
  /** Runs `fn` for the open request as `action`, keeping busy/error; true on success. */
  const act = async (action: Exclude<RequestAction, null>, fn: (requestId: string) => Promise<RequestDetailT | void>): Promise<boolean> => {
    const d = get().detail;
    if (!d) return false;
    set({ busy: action, error: null });
    try {
      const updated = await fn(d.id);
      if (updated) set({ detail: updated });
      return true;
    } catch (e) {
      set({ error: { action, error: toApiError(e) } });
      return false;
    } finally {
      set({ busy: null });
    }
  };

  return {
    list: null,
    listError: null,
    detail: null,
    busy: null,
    error: null,
    notice: null,
    exported: null,

    async loadList() {
      try {
        set({ list: await call('requests.list', {}), listError: null });
      } catch (e) {
        set({ listError: toApiError(e) });
      }
    },

    async open(id) {
      set({ detail: null, busy: 'load', error: null, notice: null, exported: null });
      try {
        set({ detail: await call('requests.get', { id }) });
      } catch (e) {
        set({ error: { action: 'load', error: toApiError(e) } });
      } finally {
        set({ busy: null });
      }
    },

    async refresh() {
      const d = get().detail;
      if (!d) return;
      try {
        set({ detail: await call('requests.get', { id: d.id }) });
      } catch (e) {
        set({ error: { action: 'load', error: toApiError(e) } });
      }
    },

    setStatus: (status) => act('status', (requestId) => call('requests.setStatus', { requestId, status })).then(() => undefined),
    recordVerification: (v) => act('verify', (requestId) => call('requests.recordVerification', { requestId, ...v })),
    extend: (reason, newDueDate) =>
      act('extend', async (requestId) => {
        const { request, notice } = await call('requests.extend', { requestId, reason, newDueDate });
        set({ notice, exported: null });
        return request;
      }),
    deny: (reason) => act('deny', (requestId) => call('requests.deny', { requestId, reason })),
    withdraw: (note) => act('withdraw', (requestId) => call('requests.withdraw', { requestId, note })),
    recordUnencryptedEmailChoice: (c) => act('choice', (requestId) => call('requests.recordUnencryptedEmailChoice', { requestId, ...c })),
    exportDocument: (documentId) =>
      act('export', async () => {
        const { saved } = await call('documents.export', { documentId });
        set({ exported: saved });
      }).then(() => undefined),
    async withdrawUnencryptedEmailChoice(acknowledgmentId) {
      const d = get().detail;
      if (!d) return;
      try {
        set({ detail: await call('requests.withdrawUnencryptedEmailChoice', { requestId: d.id, acknowledgmentId }) });
      } catch (e) {
        throw toApiError(e);
      }
    },
    async startRelease() {
      let id: string | null = null;
      await act('release', async (requestId) => {
        id = (await call('releases.create', { requestId })).id;
      });
      return id;
    },
    create: (input) => call('requests.create', input),
    async amend(input) {
      const updated = await call('requests.amend', input);
      if (get().detail?.id === updated.id) set({ detail: updated });
      return updated;
    },
    denialNotice: (input) => call('requests.denialNotice', input),
    async checkEmail(email) {
      try {
        return await call('recipients.checkEmail', { email: email.trim() });
      } catch {
        return null;
      }
    },
  };
});

/** Sort key of the requests table. */
export type SortKey = 'due' | 'received';
export type SortDir = 'ascending' | 'descending';

/**
 * Requests sorted by due date (requests without a clock last in either direction)
 * or by received instant.
 */
export function sortRequests(list: readonly RequestSummaryT[], key: SortKey, dir: SortDir): RequestSummaryT[] {
  const sign = dir === 'ascending' ? 1 : -1;
  return [...list].sort((a, b) => {
    if (key === 'due') {
      if (a.dueDate === null && b.dueDate === null) return a.receivedAt.localeCompare(b.receivedAt);
      if (a.dueDate === null) return 1;
      if (b.dueDate === null) return -1;
      return sign * a.dueDate.localeCompare(b.dueDate) || a.receivedAt.localeCompare(b.receivedAt);
    }
    return sign * a.receivedAt.localeCompare(b.receivedAt);
  });
}
