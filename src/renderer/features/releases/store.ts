/** The home list of releases (`releases.list`). */
import { create } from 'zustand';
import type { ReleaseSummaryT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

interface ReleasesState {
  releases: ReleaseSummaryT[] | null;
  error: ApiError | null;
  load: () => Promise<void>;
}

export const useReleasesStore = create<ReleasesState>((set) => ({
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
