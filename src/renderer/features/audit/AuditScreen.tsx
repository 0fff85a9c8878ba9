import { useEffect, useState } from 'react';
import { Alert, Button, Code, Group, List, Progress, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { useAuditStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';
import { EventsPanel } from './EventsPanel';
import { AccountingPanel } from './AccountingPanel';
import { AccessPanel } from './AccessPanel';
import { TransmissionsPanel } from './TransmissionsPanel';
import { formatBytes } from '../../lib/format';
import { ScreenHeader } from '../../components/ScreenHeader';

/**
 * "Check a receipt": a checkpoint line printed on an exported report, checked against the log (`audit.checkReceipt`);
 * a log rewritten since the report no longer matches. The answer is shown above the tabs.
 */
function ReceiptPanel() {
  const checkReceipt = useAuditStore((s) => s.checkReceipt);
  const verifying = useAuditStore((s) => s.verifying);
  const [receipt, setReceipt] = useState('');
  return (
    <Stack gap="sm" maw={760}>
      <Text size="sm">
        Every exported report prints a checkpoint line (“Checkpoint N: event S, hash …”). Paste one here to check that the
        log still contains exactly that event — a log rewritten since then no longer matches.
      </Text>
      <TextInput label="Checkpoint line from a report" value={receipt} onChange={(e) => setReceipt(e.currentTarget.value)} />
      <Group>
        <Button onClick={() => void checkReceipt(receipt)} loading={verifying} disabled={receipt.trim().length < 10}>
          Check against the log
        </Button>
      </Group>
    </Stack>
  );
}

/** The screen's tabs, in the order shown (Transmissions first): each tab's value, its label and the panel it opens. */
const AUDIT_TABS = [
  { value: 'transmissions', label: 'Transmissions', panel: <TransmissionsPanel /> },
  { value: 'events', label: 'Events', panel: <EventsPanel /> },
  { value: 'accounting', label: 'Accounting of disclosures', panel: <AccountingPanel /> },
  { value: 'access', label: 'Access report', panel: <AccessPanel /> },
  { value: 'receipt', label: 'Check a receipt', panel: <ReceiptPanel /> },
];

/** Audit controls (45 CFR 164.312(b)) for people: what was done and by whom, the disclosures, and whether the log is intact. */
export function AuditScreen() {
  const { verify, verifying, error, runVerify, lastExport, exporting, progress } = useAuditStore();
  useEffect(() => {
    void useAuditStore.getState().load();
  }, []);

  return (
    <Stack gap="lg">
      <ScreenHeader
        title="Audit log"
        subtitle="Every action and every disclosure, in a log that shows if anyone changed or cut it."
        actions={<Button variant="outline" onClick={() => void runVerify()} loading={verifying}>Verify log integrity</Button>}
      />
      <div aria-live="polite">
        {verify ? (
          verify.intact ? (
            <Alert color="green" variant="light" title="The log is intact" role="status">
              All {verify.checked} events were checked against the hash chain and {verify.checkpointsChecked} checkpoint
              {verify.checkpointsChecked === 1 ? '' : 's'}; none was changed, removed or cut off.
              {verify.latestCheckpoint ? (
                <Text size="sm" mt={4}>
                  Latest checkpoint: {verify.latestCheckpoint.counter} (event {verify.latestCheckpoint.seq}).
                </Text>
              ) : null}
            </Alert>
          ) : (
            <Alert color="red" variant="light" title="The log was altered" role="alert">
              <List size="sm">
                {verify.problems.map((p, i) => (
                  <List.Item key={i}>{p.message}</List.Item>
                ))}
              </List>
              <Text size="sm" mt={6}>
                <strong>What to do next:</strong> do not delete or restore anything; tell your privacy officer today and keep
                your earlier exported reports — their checkpoints show what the log looked like then.
              </Text>
            </Alert>
          )
        ) : null}
        {exporting ? (
          <Stack gap={4} mt="sm" data-testid="report-progress">
            <Text size="sm">
              Preparing the {exporting.toLowerCase()}
              {progress ? ` — ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} rows laid out` : '…'} Then it is signed and saved in the folder you chose.
            </Text>
            <Progress value={progress && progress.total ? (100 * progress.done) / progress.total : 5} animated aria-label={`Preparing the ${exporting.toLowerCase()}`} />
          </Stack>
        ) : null}
        {lastExport ? (
          <Alert color="green" variant="light" title={`${lastExport.what} saved`} role="status" mt="sm">
            <Text size="sm">
              {lastExport.result.rows} {lastExport.result.rows === 1 ? 'row' : 'rows'}, {lastExport.result.pages}{' '}
              {lastExport.result.pages === 1 ? 'page' : 'pages'}. Files: {lastExport.result.files.map((f) => `${f.name} (${formatBytes(f.bytes)})`).join(', ')}.
            </Text>
            {lastExport.result.folder ? (
              <Text size="sm" mt={4} data-testid="report-saved-folder">
                Saved in the folder <Code style={{ wordBreak: 'break-all' }}>{lastExport.result.folder}</Code>.
              </Text>
            ) : null}
            <Text size="sm" mt={4}>
              PDF SHA-256: <Code style={{ wordBreak: 'break-all' }}>{lastExport.result.pdfSha256}</Code>
            </Text>
            {lastExport.result.receipt ? (
              <Text size="sm" mt={4}>
                Receipt (also printed on the report; keep it away from this computer): <Code style={{ wordBreak: 'break-all' }}>{lastExport.result.receipt}</Code>
              </Text>
            ) : null}
          </Alert>
        ) : null}
      </div>
      <ErrorAlert error={error} />
      <Tabs defaultValue="transmissions" keepMounted={false}>
        <Tabs.List>
          {AUDIT_TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>{t.label}</Tabs.Tab>
          ))}
        </Tabs.List>
        {AUDIT_TABS.map((t) => (
          <Tabs.Panel key={t.value} value={t.value} pt="md">{t.panel}</Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
