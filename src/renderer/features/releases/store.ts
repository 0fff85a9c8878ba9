/** The home list of releases (`releases.list`). */
import { defineStore } from '../../lib/stores';
import type { ReleaseSummaryT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

interface ReleasesState {
  releases: ReleaseSummaryT[] | null;
  error: ApiError | null;
  load: () => Promise<void>;
}

export const useReleasesStore = defineStore<ReleasesState>('releases', (set) => ({
  releases: null,
  error: null,
  async load() {
    try {
      set({ releases: await call('releases.list', {}), error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
}));
