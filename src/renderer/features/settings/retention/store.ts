/**
 * Retention, legal holds, the purge and the backup (Settings, privacy officer): what `retention.get` says, the policy
 * being edited, and every call to main for them (`retention.*`, `backup.create`). Emptied at the lock (lib/stores.ts).
 */
import type { ChannelInput, ChannelOutput } from '../../../../shared/contract';
import { call, toApiError, type ApiError } from '../../../lib/call';
import { defineStore } from '../../../lib/stores';

export type RetentionViewT = ChannelOutput<'retention.get'>;
export type PurgeResultT = ChannelOutput<'retention.purge'>;
export type BackupResultT = ChannelOutput<'backup.create'>;
export type LegalHoldT = RetentionViewT['holds'][number];

/** The policy as typed (NumberInput values are number | ''). */
export interface PolicyForm {
  documentationYears: number | string;
  auditYears: number | string;
  keepRecordFiles: 'keep' | 'days';
  recordFileDays: number | string;
  backupReminderDays: number | string;
}

const toForm = (p: RetentionViewT['policy']): PolicyForm => ({
  documentationYears: p.documentationYears,
  auditYears: p.auditYears,
  keepRecordFiles: p.recordFileDays === null ? 'keep' : 'days',
  recordFileDays: p.recordFileDays ?? 90,
  backupReminderDays: p.backupReminderDays,
});

interface RetentionState {
  view: RetentionViewT | null;
  loadError: ApiError | null;
  /** The policy form; reset to the stored policy whenever main answers with the retention view. */
  form: PolicyForm | null;
  load: () => Promise<void>;
  editPolicy: (patch: Partial<PolicyForm>) => void;
  /** Each of these resolves once main answered and the view is updated. @throws ApiError (coded, PHI-free) */
  setPolicy: (input: ChannelInput<'retention.setPolicy'>) => Promise<void>;
  placeHold: (input: ChannelInput<'retention.placeHold'>) => Promise<void>;
  releaseHold: (holdId: string) => Promise<void>;
  /** Purges now (`retention.purge`), then re-reads the view; resolves with what was removed. */
  purge: () => Promise<PurgeResultT>;
  /** Backs up (`backup.create`); re-reads the view when a copy was saved. */
  backup: () => Promise<BackupResultT>;
}

export const useRetentionStore = defineStore<RetentionState>('retention', (set) => {
  const apply = (view: RetentionViewT) => set({ view, form: toForm(view.policy) });
  /** Runs calls to main; anything thrown becomes a coded ApiError. */
  const coded = async <T,>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw toApiError(e);
    }
  };
  return {
    view: null,
    loadError: null,
    form: null,
    async load() {
      try {
        apply(await call('retention.get', {}));
      } catch (e) {
        set({ loadError: toApiError(e) });
      }
    },
    editPolicy(patch) {
      set((s) => (s.form ? { form: { ...s.form, ...patch } } : {}));
    },
    setPolicy: (input) => coded(async () => apply(await call('retention.setPolicy', input))),
    placeHold: (input) => coded(async () => apply(await call('retention.placeHold', input))),
    releaseHold: (holdId) => coded(async () => apply(await call('retention.releaseHold', { holdId }))),
    purge: () =>
      coded(async () => {
        const r = await call('retention.purge', {});
        apply(await call('retention.get', {}));
        return r;
      }),
    backup: () =>
      coded(async () => {
        const r = await call('backup.create', {});
        if (r.saved) apply(await call('retention.get', {}));
        return r;
      }),
  };
});
