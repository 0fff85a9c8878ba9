/** The Audit screen: the log for people (filters, pages), the integrity check, reports and the accounting (`audit.*`). */
import { defineStore, listenUntilLock } from '../../lib/stores';
import type { ChannelInput, ChannelOutput, TransmissionT } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';

export type AuditFilter = ChannelInput<'audit.query'>['filter'];
type Page = ChannelOutput<'audit.query'>;
type Verification = ChannelOutput<'audit.verifyChain'>;
type ReportExport = ChannelOutput<'audit.exportReport'>;

export const PAGE_SIZE = 50;

interface AuditState {
  filter: AuditFilter;
  page: number;
  result: Page | null;
  transmissions: TransmissionT[] | null;
  verify: Verification | null;
  verifying: boolean;
  exporting: string | null;
  lastExport: { what: string; result: ReportExport } | null;
  /** Rows of the report being laid out (from the 'reportProgress' event), null when none. */
  progress: { done: number; total: number } | null;
  error: ApiError | null;
  setFilter: (f: AuditFilter) => void;
  setPage: (p: number) => Promise<void>;
  load: () => Promise<void>;
  loadTransmissions: () => Promise<void>;
  runVerify: () => Promise<void>;
  checkReceipt: (receipt: string) => Promise<void>;
  /** Run an export channel; remembers the result for the confirmation. */
  exportWith: (what: string, run: () => Promise<ReportExport>) => Promise<void>;
  clearError: () => void;
  /** Exports the log under the current filter as the audit report (`audit.exportReport`, through exportWith). */
  exportReport: () => Promise<void>;
  /** Exports one patient's accounting of disclosures (`audit.exportAccounting`, 164.528, through exportWith). */
  exportAccounting: (input: ChannelInput<'audit.exportAccounting'>) => Promise<void>;
  /** Exports the copy for the patient (164.528(c)): the same accounting without the officer-only integrity receipt. */
  exportPatientCopy: (input: ChannelInput<'audit.exportAccounting'>) => Promise<void>;
  /** Exports the access report for a patient or staff member (`audit.exportAccessReport`, through exportWith). */
  exportAccessReport: (input: ChannelInput<'audit.exportAccessReport'>) => Promise<void>;
  /**
   * Calls whose answers stay with the panel that asked (each rejects with the call's ApiError): patients known to the
   * vault by name or MRN (`audit.patients`), one patient's accounting (`audit.accounting`), a disclosure made outside
   * ReleaseDesk (`audit.recordDisclosure`), an agency's suspension (`audit.recordSuspension`, 164.528(a)(2)) and the
   * access report (`audit.accessReport`, 164.312(b)).
   */
  patients: (query: string) => Promise<ChannelOutput<'audit.patients'>>;
  accounting: (input: ChannelInput<'audit.accounting'>) => Promise<ChannelOutput<'audit.accounting'>>;
  recordDisclosure: (input: ChannelInput<'audit.recordDisclosure'>) => Promise<ChannelOutput<'audit.recordDisclosure'>>;
  recordSuspension: (input: ChannelInput<'audit.recordSuspension'>) => Promise<ChannelOutput<'audit.recordSuspension'>>;
  accessReport: (input: ChannelInput<'audit.accessReport'>) => Promise<ChannelOutput<'audit.accessReport'>>;
}

export const useAuditStore = defineStore<AuditState>('audit', (set, get) => ({
  filter: {},
  page: 1,
  result: null,
  transmissions: null,
  verify: null,
  verifying: false,
  exporting: null,
  lastExport: null,
  progress: null,
  error: null,
  setFilter(filter) {
    set({ filter, page: 1 });
    void get().load();
  },
  async setPage(page) {
    set({ page });
    await get().load();
  },
  async load() {
    const { filter, page } = get();
    try {
      set({ result: await call('audit.query', { filter, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }), error: null });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
  async loadTransmissions() {
    try {
      set({ transmissions: await call('audit.transmissions', {}) });
    } catch (e) {
      set({ error: toApiError(e) });
    }
  },
  async runVerify() {
    set({ verifying: true, verify: null, error: null });
    try {
      set({ verify: await call('audit.verifyChain', {}) });
      await get().load();
    } catch (e) {
      set({ error: toApiError(e) });
    } finally {
      set({ verifying: false });
    }
  },
  async checkReceipt(receipt) {
    set({ verifying: true, verify: null, error: null });
    try {
      set({ verify: await call('audit.checkReceipt', { receipt }) });
      await get().load();
    } catch (e) {
      set({ error: toApiError(e) });
    } finally {
      set({ verifying: false });
    }
  },
  async exportWith(what, run) {
    set({ exporting: what, error: null, lastExport: null, progress: null });
    const off = listenUntilLock('reportProgress', (p) => set({ progress: { done: p.done, total: p.total } }));
    try {
      const result = await run();
      set({ lastExport: result.saved ? { what, result } : null });
      await get().load();
    } catch (e) {
      set({ error: toApiError(e) });
    } finally {
      off();
      set({ exporting: null, progress: null });
    }
  },
  clearError() {
    set({ error: null });
  },
  exportReport: () => get().exportWith('Audit report', () => call('audit.exportReport', { filter: get().filter })),
  exportAccounting: (input) => get().exportWith('Accounting of disclosures', () => call('audit.exportAccounting', input)),
  exportPatientCopy: (input) => get().exportWith('Accounting of disclosures (patient copy)', () => call('audit.exportAccounting', { ...input, copy: 'patient' })),
  exportAccessReport: (input) => get().exportWith('Access report', () => call('audit.exportAccessReport', input)),
  patients: (query) => call('audit.patients', { query }),
  accounting: (input) => call('audit.accounting', input),
  recordDisclosure: (input) => call('audit.recordDisclosure', input),
  recordSuspension: (input) => call('audit.recordSuspension', input),
  accessReport: (input) => call('audit.accessReport', input),
}));
