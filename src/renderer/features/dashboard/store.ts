/**
 * The compliance dashboard (`dashboard.get`): what needs attention today, the audit chain and the safeguards.
 * PHI-free (references, counts and dates). Loaded when the screen is shown and every 30 seconds while it is; emptied
 * at every lock like every store (defineStore).
 */
import type { ChannelOutput } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';
import { defineStore } from '../../lib/stores';

export type DashboardT = ChannelOutput<'dashboard.get'>;

interface DashboardState {
  data: DashboardT | null;
  error: ApiError | null;
  /** Re-reads the dashboard; keeps the last good data when a read fails. */
  load: () => Promise<void>;
}

export const useDashboardStore = defineStore<DashboardState>('dashboard', (set) => ({
  data: null,
  error: null,
  async load() {
    try {
      set({ data: await call('dashboard.get', {}), error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
}));
