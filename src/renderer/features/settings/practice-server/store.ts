/**
 * Settings → Practice server (issue #17): this workstation's practice-server status as `practiceServer.status` returns
 * it (never the password: only whether one is stored) and every call to main for it (`practiceServer.*`). The form
 * keeps only what is being typed. Emptied at the lock (lib/stores.ts).
 */
import type { ChannelInput, ChannelOutput } from '../../../../shared/contract';
import { call, toApiError, type ApiError } from '../../../lib/call';
import { defineStore } from '../../../lib/stores';

export type PracticeServerStatusView = ChannelOutput<'practiceServer.status'>;
export type PracticeServerCheckView = ChannelOutput<'practiceServer.test'>;
export type PracticeConflictView = ChannelOutput<'practiceServer.conflicts'>[number];
export type PracticeSyncView = ChannelOutput<'practiceServer.sync'>;

interface PracticeServerState {
  status: PracticeServerStatusView | null;
  loadError: ApiError | null;
  /** (Re)reads `practiceServer.status`. */
  load: () => Promise<void>;
  /** `practiceServer.test`: connects and disconnects, saves nothing. @throws ApiError (coded, PHI-free) */
  test: (input: ChannelInput<'practiceServer.test'>) => Promise<PracticeServerCheckView>;
  /** `practiceServer.configure`: tests, then saves only when the test passed; the status follows. @throws ApiError */
  configure: (input: ChannelInput<'practiceServer.configure'>) => Promise<PracticeServerStatusView>;
  /** `practiceServer.disconnect`: the stored password is erased. @throws ApiError */
  disconnect: () => Promise<PracticeServerStatusView>;
  /** The conflicts awaiting a decision (`practiceServer.conflicts`); null until read. */
  conflicts: PracticeConflictView[] | null;
  /** (Re)reads the conflicts. @throws ApiError */
  loadConflicts: () => Promise<void>;
  /** `practiceServer.join`: the status follows. @throws ApiError */
  join: (input: ChannelInput<'practiceServer.join'>) => Promise<PracticeServerStatusView>;
  /** `practiceServer.sync`, then the status and the conflicts are read again. @throws ApiError */
  sync: () => Promise<PracticeSyncView>;
  /** `practiceServer.resolveConflict`; the status follows. @throws ApiError */
  resolve: (input: ChannelInput<'practiceServer.resolveConflict'>) => Promise<void>;
}

/** Runs a call to main; anything thrown becomes a coded ApiError. */
async function coded<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toApiError(e);
  }
}

export const usePracticeServerStore = defineStore<PracticeServerState>('practiceServer', (set) => ({
  status: null,
  loadError: null,
  conflicts: null,
  async load() {
    try {
      set({ status: await call('practiceServer.status', {}), loadError: null });
    } catch (e) {
      set({ loadError: toApiError(e) });
    }
  },
  test: (input) => coded(call('practiceServer.test', input)),
  async configure(input) {
    const status = await coded(call('practiceServer.configure', input));
    set({ status });
    return status;
  },
  async disconnect() {
    const status = await coded(call('practiceServer.disconnect', {}));
    set({ status });
    return status;
  },
  async loadConflicts() {
    set({ conflicts: await coded(call('practiceServer.conflicts', {})) });
  },
  async join(input) {
    const status = await coded(call('practiceServer.join', input));
    set({ status });
    return status;
  },
  async sync() {
    try {
      return await coded(call('practiceServer.sync', {}));
    } finally {
      // the link may have turned offline (or back online), and new conflicts may await a decision
      const [status, conflicts] = await Promise.allSettled([call('practiceServer.status', {}), call('practiceServer.conflicts', {})]);
      if (status.status === 'fulfilled') set({ status: status.value });
      if (conflicts.status === 'fulfilled') set({ conflicts: conflicts.value });
    }
  },
  async resolve(input) {
    const conflicts = await coded(call('practiceServer.resolveConflict', input));
    set({ conflicts });
    set({ status: await coded(call('practiceServer.status', {})) });
  },
}));
