/** The audit screen: events, transmissions, and the hash-chain check (`audit.*`). */
import { create } from 'zustand';
import type { AuditEventT, ChannelOutput, TransmissionT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

interface AuditState {
  events: AuditEventT[] | null;
  transmissions: TransmissionT[] | null;
  verify: ChannelOutput<'audit.verify'> | null;
  verifying: boolean;
  error: ApiError | null;
  load: () => Promise<void>;
  runVerify: () => Promise<void>;
}

export const useAuditStore = create<AuditState>((set) => ({
  events: null,
  transmissions: null,
  verify: null,
  verifying: false,
  error: null,
  async load() {
    try {
      const [events, transmissions] = await Promise.all([call('audit.events', { limit: 200 }), call('audit.transmissions', {})]);
      set({ events, transmissions, error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
  async runVerify() {
    set({ verifying: true, verify: null, error: null });
    try {
      set({ verify: await call('audit.verify', {}) });
    } catch (e) {
      set({ error: toApiError(e) });
    } finally {
      set({ verifying: false });
    }
  },
}));
