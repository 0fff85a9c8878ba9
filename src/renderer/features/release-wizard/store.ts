/**
 * The release wizard: patient → records → recipient → delivery → review → send.
 *
 * State kept: the release as main last returned it, the active step, what is in
 * flight, the last pick's rejections, the recipient checks, the delivery ladder
 * and the chosen method, send progress and the send failure. Everything else
 * (counts, pages, readiness, the transmission to show) is derived from the release.
 *
 * The one-time passphrase of a password-protected PDF (or export) lives in
 * `oneTime` only: memory, never persisted, never logged, never in the URL. It is
 * cleared by `dismissOneTime` (staff pressed Done), by `open` (another release)
 * and by `leave` (the wizard unmounts); a reload loses it with the rest of memory.
 */
import { defineStore } from '../../lib/stores';
import type { ReleaseDetailT } from '../../../shared/contract';
import { call, toApiError } from '../../lib/call';
import { checkActions } from './actions-checks';
import { deliveryActions } from './actions-delivery';
import { recipientActions } from './actions-recipient';
import { recordsActions } from './actions-records';
import { initialWizardState as initial, STEP, STEPS, stepFor, toApiErrorFromLast, type Busy, type WizardKit, type WizardState } from './wizard-state';

export {
  effectiveMethod,
  minimumNecessaryApplies,
  notReadyReason,
  STEP,
  STEPS,
  stepFor,
  usableRungs,
  type Busy,
  type DeliveryOptions,
  type EmailCheck,
  type EmailRoute,
  type ExportedFiles,
  type OneTimePassphrase,
  type Rejected,
  type WizardState,
} from './wizard-state';

export const useWizardStore = defineStore<WizardState>('release-wizard', (set, get) => {
  const reload = async (id: string) => {
    const release = await call('releases.get', { id });
    set({ release });
    await loadGate(release);
    return release;
  };
  /** The gate's current answer and the release's request (fetched once); each failure leaves its previous value. */
  const loadGate = async (release: ReleaseDetailT) => {
    const needRequest = release.requestId !== null && get().request?.id !== release.requestId;
    await Promise.all([
      call('releases.evaluate', { releaseId: release.id }).then(
        (evaluation) => get().release?.id === release.id && set({ evaluation }),
        (e: unknown) => set({ error: toApiError(e) }),
      ),
      needRequest && release.requestId
        ? call('requests.get', { id: release.requestId }).then(
            (request) => get().release?.id === release.id && set({ request }),
            (e: unknown) => set({ error: toApiError(e) }),
          )
        : Promise.resolve(),
    ]);
  };

  /**
   * Run one action against main: mark it busy and clear the last error; a failure becomes `error` (coded,
   * PHI-free) and the result is `failed`. Always leaves `busy` cleared.
   */
  const attempt = async <T,>(busy: Exclude<Busy, null>, action: () => Promise<T>, failed: T): Promise<T> => {
    set({ busy, error: null });
    try {
      return await action();
    } catch (e) {
      set({ error: toApiError(e) });
      return failed;
    } finally {
      set({ busy: null });
    }
  };

  const kit: WizardKit = { set, get, reload, loadGate, attempt };

  return {
    ...initial,
    ...recordsActions(kit),
    ...recipientActions(kit),
    ...deliveryActions(kit),
    ...checkActions(kit),

    async open(releaseId) {
      set({ ...initial });
      if (!releaseId) return;
      set({ busy: 'load' });
      try {
        const release = await call('releases.get', { id: releaseId });
        const first = stepFor(release);
        set({ release, step: first, busy: null, sendError: release.status === 'failed' && release.lastError ? toApiErrorFromLast(release.lastError) : null });
        await loadGate(release);
        // The gate's answer may show records still to fix (another patient's file, out of scope): open there unless staff moved on.
        const now = get();
        if (now.release?.id === release.id && now.step === first) set({ step: stepFor(release, now.evaluation) });
      } catch (e) {
        set({ busy: null, error: toApiError(e) });
      }
    },

    goTo(step) {
      set({ step: Math.max(0, Math.min(STEPS.length - 1, step)), error: null });
    },

    async createRelease(requestId) {
      const existing = get().release;
      if (existing) {
        set({ step: STEP.records });
        return;
      }
      set({ busy: 'create', error: null });
      try {
        const release = await call('releases.create', { requestId });
        set({ release, step: STEP.records, busy: null });
        await loadGate(release);
      } catch (e) {
        set({ busy: null, error: toApiError(e) });
      }
    },

    async refresh() {
      const release = get().release;
      if (!release) return;
      try {
        await reload(release.id);
      } catch (e) {
        set({ error: toApiError(e) });
      }
    },

    async evaluate() {
      const release = get().release;
      if (release) await loadGate(release);
    },

    leave() {
      set({ oneTime: null });
    },
  };
});
