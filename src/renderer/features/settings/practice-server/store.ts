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
}));
