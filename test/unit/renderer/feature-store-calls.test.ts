// @vitest-environment jsdom
/**
 * The calls that moved from components into their feature stores behave as the components did: the amended request
 * replaces the open one, an email check main cannot answer is advisory (null, never thrown), the approval's answer
 * replaces the gate's, and a refusal reaches the caller as the coded ApiError.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useRequestsStore } from '../../../src/renderer/features/requests/store';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { useAuditStore } from '../../../src/renderer/features/audit/store';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { ApiError } from '../../../src/shared/errors';
import type { RequestDetailT, ReleaseDetailT } from '../../../src/shared/contract';
import { installFakeApi } from './harness';

beforeEach(() => resetAllStores());

describe('feature stores make the calls their screens used to make', () => {
  it('requests.amend: the amended request replaces the open one in the store', async () => {
    const open = { id: 'req_000001', status: 'open', request: { reason: 'before' } } as unknown as RequestDetailT;
    const amended = { ...open, request: { reason: 'after' } } as unknown as RequestDetailT;
    const fake = installFakeApi({ 'requests.amend': () => ({ ok: true, value: amended }) });
    useRequestsStore.setState({ detail: open });
    const input = { requestId: 'req_000001', reason: 'Requester narrowed the dates', scope: { categories: ['lab_results' as const] } };
    await expect(useRequestsStore.getState().amend(input)).resolves.toBe(amended);
    expect(useRequestsStore.getState().detail).toBe(amended);
    expect(fake.callsTo('requests.amend')).toEqual([input]);
  });

  it('requests.amend refused: the coded error reaches the form and the open request stays', async () => {
    const open = { id: 'req_000001' } as unknown as RequestDetailT;
    installFakeApi({ 'requests.amend': () => ({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'The request is closed.' } }) });
    useRequestsStore.setState({ detail: open });
    const refused = await useRequestsStore.getState().amend({ requestId: 'req_000001', reason: 'x', scope: { categories: [] } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('VALIDATION_FAILED');
    expect(useRequestsStore.getState().detail).toBe(open);
  });

  it('recipients.checkEmail at intake is advisory: trimmed, and null when main cannot answer', async () => {
    const fake = installFakeApi({ 'recipients.checkEmail': () => ({ ok: false, error: { code: 'INTERNAL', message: 'down' } }) });
    await expect(useRequestsStore.getState().checkEmail('  qwfp@example.test ')).resolves.toBeNull();
    expect(fake.callsTo('recipients.checkEmail')).toEqual([{ email: 'qwfp@example.test' }]);
  });

  it('releases.approve: the gate’s new answer replaces the evaluation of the open release', async () => {
    const evaluation = { allowed: true, findings: [], notices: [], documents: [] } as never;
    const fake = installFakeApi({ 'releases.approve': () => ({ ok: true, value: evaluation }) });
    useWizardStore.setState({ release: { id: 'rel_000001' } as unknown as ReleaseDetailT });
    await useWizardStore.getState().approve();
    expect(fake.callsTo('releases.approve')).toEqual([{ releaseId: 'rel_000001' }]);
    expect(useWizardStore.getState().evaluation).toBe(evaluation);
  });

  it('audit.exportReport exports the log under the filter in force, through exportWith', async () => {
    const result = { saved: true, rows: 3, pages: 1, files: [], pdfSha256: 'ab', receipt: null };
    const fake = installFakeApi({ 'audit.exportReport': () => ({ ok: true, value: result }), 'audit.query': () => ({ ok: true, value: { events: [], total: 0, actors: [] } }) });
    useAuditStore.setState({ filter: { actor: 'Jordan Frontdesk' } });
    await useAuditStore.getState().exportReport();
    expect(fake.callsTo('audit.exportReport')).toEqual([{ filter: { actor: 'Jordan Frontdesk' } }]);
    expect(useAuditStore.getState().lastExport).toEqual({ what: 'Audit report', result });
  });
});
