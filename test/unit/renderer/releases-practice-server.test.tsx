// @vitest-environment jsdom
/**
 * The Releases screen with a practice server (issue #17): a release waiting for the practice server says so in plain
 * words and what happens next; a release sent through the practice outbox names the workstation that sent it; a
 * release sent from this workstation says nothing more. Axe finds no violation (contrast is checked in Chromium).
 */
import axe from 'axe-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import { ReleasesScreen } from '../../../src/renderer/features/releases/ReleasesScreen';
import { useReleasesStore } from '../../../src/renderer/features/releases/store';
import type { ReleaseSummaryT } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useReleasesStore.setState({ releases: null, error: null });
});

const summary = (over: Partial<ReleaseSummaryT>): ReleaseSummaryT => ({
  id: 'rel_000001',
  reference: 'R-2026-00001',
  status: 'sent',
  createdAt: '2026-12-07T09:00:00.000Z',
  patientName: 'Zyxwv Testpatient',
  recipientName: 'Abcde Lawfirm Intake',
  documentCount: 1,
  requestId: null,
  requestReference: null,
  ...over,
});

describe('the Releases screen with a practice server', () => {
  it('says when a release waits for the practice server and which workstation sent one; axe-clean', async () => {
    installFakeApi({
      'releases.list': () =>
        ok([
          summary({ id: 'rel_000001', reference: 'R-2026-00001', status: 'waiting_for_server' }),
          summary({ id: 'rel_000002', reference: 'R-2026-00002', status: 'with_practice_server' }),
          summary({ id: 'rel_000003', reference: 'R-2026-00003', status: 'sent', sentByWorkstation: 'Front desk B [b2b2b2b2]' }),
          summary({ id: 'rel_000004', reference: 'R-2026-00004', status: 'sent' }),
        ]),
    });
    const { container } = renderUi(<ReleasesScreen />);
    expect(await screen.findByText('Waiting for the practice server')).toBeTruthy();
    expect(screen.getByText('Kept on this computer; sent when the practice server is back.')).toBeTruthy();
    expect(screen.getByText('In the practice outbox — sending')).toBeTruthy();
    const by = screen.getAllByTestId('sent-by-workstation');
    expect(by.map((e) => e.textContent)).toEqual(['Sent by the workstation “Front desk B [b2b2b2b2]”']);
    const r = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(r.violations.map((v) => v.id)).toEqual([]);
  });
});
