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

/** Audit controls (45 CFR 164.312(b)) for people: what was done and by whom, the disclosures, and whether the log is intact. */
export function AuditScreen() {
  const { verify, verifying, error, runVerify, checkReceipt, lastExport, exporting, progress } = useAuditStore();
  const [receipt, setReceipt] = useState('');
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
          <Tabs.Tab value="transmissions">Transmissions</Tabs.Tab>
          <Tabs.Tab value="events">Events</Tabs.Tab>
          <Tabs.Tab value="accounting">Accounting of disclosures</Tabs.Tab>
          <Tabs.Tab value="access">Access report</Tabs.Tab>
          <Tabs.Tab value="receipt">Check a receipt</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <EventsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="accounting" pt="md">
          <AccountingPanel />
        </Tabs.Panel>
        <Tabs.Panel value="access" pt="md">
          <AccessPanel />
        </Tabs.Panel>
        <Tabs.Panel value="transmissions" pt="md">
          <TransmissionsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="receipt" pt="md">
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
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
