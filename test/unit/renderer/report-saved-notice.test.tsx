// @vitest-environment jsdom
/**
 * The "… saved" notice of the Audit log screen says where the report was saved: the folder main returns
 * (`folder` of audit.exportReport / audit.exportAccounting). Real screen and store, fake bridge.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, screen } from '@testing-library/react';
import { AuditScreen } from '../../../src/renderer/features/audit/AuditScreen';
import { resetAllStores } from '../../../src/renderer/lib/stores';
import { useAuditStore } from '../../../src/renderer/features/audit/store';
import type { ReportExportT } from '../../../src/shared/contract';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  resetAllStores();
});

const saved = (folder: string, name: string): ReportExportT => ({
  saved: true,
  files: [{ name: `${name}.pdf`, bytes: 20480, sha256: 'ab'.repeat(32) }, { name: `${name}.csv`, bytes: 512, sha256: 'cd'.repeat(32) }],
  pages: 2,
  rows: 12,
  pdfSha256: 'ab'.repeat(32),
  receipt: null,
  folder,
});

describe('Audit log: where a report was saved', () => {
  it('the audit report and the accounting notices name the folder they were saved in', async () => {
    installFakeApi({
      'audit.transmissions': () => ok([]),
      'audit.exportReport': () => ok(saved('/home/frontdesk/Reports/audit-report-Ab12Cd', 'audit-report-2026-12-07')),
      'audit.exportAccounting': () => ok(saved('/home/frontdesk/Reports/accounting-Ef34Gh', 'accounting-2026-12-07')),
    });
    renderUi(<AuditScreen />);
    await act(() => useAuditStore.getState().exportReport());
    expect(screen.getByText('Audit report saved')).toBeTruthy();
    expect(screen.getByTestId('report-saved-folder').textContent).toBe('Saved in the folder /home/frontdesk/Reports/audit-report-Ab12Cd.');
    await act(() => useAuditStore.getState().exportAccounting({ mrn: 'MRN-TEST-1', asOf: '2026-12-07' }));
    expect(screen.getByText('Accounting of disclosures saved')).toBeTruthy();
    expect(screen.getByTestId('report-saved-folder').textContent).toBe('Saved in the folder /home/frontdesk/Reports/accounting-Ef34Gh.');
  });
});
