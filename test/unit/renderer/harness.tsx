/**
 * Shared jsdom harness for renderer component tests: the browser APIs Mantine
 * needs (matchMedia, ResizeObserver, scrollIntoView), a fake `window.api`
 * (the one place a fake is right: these tests unit-test UI logic, main is
 * tested elsewhere) and a Mantine-wrapped render.
 */
import { vi } from 'vitest';
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import type { ChannelInput, ChannelName, ChannelOutput, ReleaseDetailT, RequestDetailT, RequestSummaryT, RpcResult } from '../../../src/shared/contract';
import { ApiError, type ErrorCode } from '../../../src/shared/errors';

export function installDomStubs(): void {
  if (!window.matchMedia) {
    Object.defineProperty(window, 'matchMedia', {
      writable: true,
      value: (query: string) => ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => {},
        removeListener: () => {},
        addEventListener: () => {},
        removeEventListener: () => {},
        dispatchEvent: () => false,
      }),
    });
  }
  if (!('ResizeObserver' in window)) {
    class RO {
      observe() {}
      unobserve() {}
      disconnect() {}
    }
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = RO;
    (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = RO;
  }
  Element.prototype.scrollIntoView ??= () => {};
  // Mantine's autosize Textarea listens for font loading; jsdom has no FontFaceSet.
  if (!(document as unknown as { fonts?: unknown }).fonts) {
    Object.defineProperty(document, 'fonts', { configurable: true, value: { addEventListener: () => {}, removeEventListener: () => {}, ready: Promise.resolve() } });
  }
}

type Handler<C extends ChannelName> = (input: ChannelInput<C>) => RpcResult<ChannelOutput<C>> | Promise<RpcResult<ChannelOutput<C>>>;
export type FakeHandlers = { [C in ChannelName]?: Handler<C> };

/** Reads every screen may make on its own and that tests rarely care about (answered empty unless a test fakes them). */
const QUIET: FakeHandlers = {
  'settings.getBounceMailbox': () => ({ ok: true, value: null }),
  'settings.smimeCertificate': () => ({ ok: true, value: null }),
  'settings.smimeCrls': () => ({ ok: true, value: [] }),
  'releases.outbox': () => ({ ok: true, value: [] }),
  'retention.get': () => ({
    ok: true,
    value: {
      policy: { documentationYears: 6, recordFileDays: null, auditYears: 6, backupReminderDays: 7 },
      policySet: false,
      canChange: true,
      holds: [],
      lastPurge: null,
      lastBackupAt: null,
      backupDue: true,
    },
  }),
  'dashboard.get': () => ({
    ok: true,
    value: { asOf: '2026-03-10', items: [], chain: { intact: true, lastSeq: 1, latestCheckpointAt: null }, posture: [], lastBackupAt: null },
  }),
  'settings.getIdleLock': () => ({ ok: true, value: { idleMinutes: 5 } }),
  'accounts.practiceStaff': () => ({ ok: true, value: { joined: false, asOf: null, accounts: [] } }),
  'practiceServer.status': () => ({
    ok: true,
    value: { state: 'not_set', server: null, passwordSet: false, caFingerprint: null, verified: null, link: { state: 'local', workstationLabel: null, lastSyncAt: null, conflicts: 0 } },
  }),
  // Settings → Staff accounts (administrators): the accounts and the practice's security settings.
  'accounts.list': () => ({ ok: true, value: [] }),
  'settings.getSecurity': () => ({ ok: true, value: { requireMfa: false, twoPersonRule: false } }),
  // Settings shows the signed-in account (staff accounts, issue #11).
  'accounts.me': () => ({
    ok: true,
    value: {
      user: { id: 'usr_000001', name: 'Jordan Frontdesk', role: 'administrator', active: true, mfaEnrolled: false, createdAt: '2026-03-01T15:00:00.000Z', passphraseChangedAt: null, deactivatedAt: null },
      recoveryCodesLeft: 0,
      requireMfa: false,
    },
  }),
};

/** Installs a fake `window.api` (handlers answer envelopes, as main does; refusals are thrown as ApiError); unhandled channels answer INTERNAL (but {@link QUIET} reads). Returns the spy per channel. */
export function installFakeApi(given: FakeHandlers) {
  const handlers: FakeHandlers = { ...QUIET, ...given };
  const calls: { channel: string; input: unknown }[] = [];
  const api = new Proxy(
    {},
    {
      get: (_t, channel: string) =>
        vi.fn(async (input: unknown) => {
          calls.push({ channel, input });
          const h = (handlers as Record<string, ((i: unknown) => unknown) | undefined>)[channel];
          // Like window.api (src/shared/api-client.ts): the envelope unwrapped, a refusal thrown as ApiError.
          const r = (h ? await h(input) : { ok: false, error: { code: 'INTERNAL', message: `no fake for ${channel}` } }) as RpcResult<unknown>;
          if (!r.ok) throw new ApiError(r.error.code, r.error.message);
          return r.value;
        }),
    },
  );
  (window as unknown as { api: unknown }).api = api;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  (window as unknown as { apiEvents: unknown }).apiEvents = {
    on: (name: string, cb: (p: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(cb);
      return () => set.delete(cb);
    },
  };
  return {
    calls,
    callsTo: (channel: ChannelName) => calls.filter((c) => c.channel === channel).map((c) => c.input),
    emit: (name: string, payload: unknown) => listeners.get(name)?.forEach((cb) => cb(payload)),
  };
}

/** `app.info` of an unlocked app signed in with `role` (the renderer shows screens and actions by it). */
export function unlockedInfo(role: 'administrator' | 'privacy_officer' | 'front_desk', over: Record<string, unknown> = {}) {
  return {
    mode: 'preview' as const,
    version: 't',
    vault: 'unlocked' as const,
    practiceName: 'Maplewood Family Practice',
    staffName: 'Jordan Frontdesk',
    user: { id: 'usr_000001', name: 'Jordan Frontdesk', role },
    mfaEnrollmentDue: false,
    ...over,
  };
}

export const ok = <T,>(value: T) => ({ ok: true as const, value });
export const fail = (code: string, message: string) => ({ ok: false as const, error: { code: code as ErrorCode, message } }) as RpcResult<never>;

export function renderUi(ui: ReactElement) {
  return render(<MantineProvider>{ui}</MantineProvider>);
}

export const FPR = '0123456789ABCDEF0123456789ABCDEF01234567';
export const FPR_GROUPED = '0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567';

/** A synthetic right-of-access request as the requests list shows it: received, due in 20 days. */
export function makeRequestSummary(over: Partial<RequestSummaryT> = {}): RequestSummaryT {
  return {
    id: 'req_000001',
    reference: 'Q-2026-00001',
    patientName: 'Zyxwv Testpatient',
    basis: 'right_of_access',
    status: 'received',
    receivedAt: '2026-03-01T15:00:00.000Z',
    dueDate: '2026-03-31',
    daysLeft: 20,
    dueThisWeek: false,
    overdue: false,
    extended: false,
    ...over,
  };
}

/** A synthetic release in the given state. */
export function makeRelease(over: Partial<ReleaseDetailT> = {}): ReleaseDetailT {
  return {
    id: 'rel_000001',
    reference: 'R-0001',
    status: 'draft',
    createdAt: '2026-03-03T14:05:00.000Z',
    patientName: 'Zyxwv Testpatient',
    recipientName: null,
    documentCount: 0,
    patient: { name: 'Zyxwv Testpatient', dateOfBirth: '1970-01-02', mrn: 'MRN-TEST-1' },
    documents: [],
    recipient: null,
    transmissions: [],
    lastError: null,
    deliveryMethod: null,
    requestId: null,
    requestReference: null,
    queue: { nextAttemptAt: null, attempts: 0, paused: false },
    ...over,
  };
}

/** A synthetic right-of-access request (ready, visit notes, one recipient), its recorded request changed by `over`. */
export function makeRequest(over: Partial<RequestDetailT['request']> = {}): RequestDetailT {
  return {
    id: 'req_000001', reference: 'Q-2026-00001', patientName: 'Zyxwv Testpatient', basis: 'right_of_access', status: 'ready', receivedAt: '2026-03-01T15:00:00.000Z',
    dueDate: null, daysLeft: null, dueThisWeek: false, overdue: false, extended: false,
    patient: { name: 'Zyxwv Testpatient', dateOfBirth: '1970-01-02', mrn: 'MRN-TEST-1' },
    request: {
      id: 'req_000001', basis: 'right_of_access', receivedAt: '2026-03-01T15:00:00.000Z', requester: { role: 'patient', name: 'Zyxwv Testpatient' },
      recipients: [{ name: 'Zyxwv Testpatient', destination: 'zyxwv.testpatient@gmail.com' }], scope: { categories: ['visit_notes'] },
      form: { format: 'pdf', electronic: true }, status: 'ready', extensions: [],
      ...over,
    },
    authorization: null, part2Consents: [], verifications: [], acknowledgments: [], documents: [], releases: [], closingReason: null,
  };
}

export const DOC = {
  id: 'doc_000001',
  label: 'record-1.pdf',
  originalName: 'synthetic-record.pdf',
  sizeBytes: 4321,
  pageCount: 3,
  sha256: 'ab'.repeat(32),
  importedAt: '2026-03-03T14:06:00.000Z',
  classified: true,
};

export const KEY = {
  fingerprint: FPR,
  userIds: ['Qwfp Recipient <qwfp@example.test>'],
  algorithm: 'EdDSA/ECDH (curve25519)',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
};
