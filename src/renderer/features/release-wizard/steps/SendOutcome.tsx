import { Alert, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { TransmissionT } from '../../../../shared/contract';
import type { ApiError } from '../../../lib/call';
import { explain, isRetryableSendFailure } from '../../../lib/explain';
import { plural } from '../../../lib/format';
import { workstationLabel } from '../../../lib/workstation';
import { useAppStore } from '../../../lib/navigation';
import { canOpenPrintable, openPrintable } from '../../../platform/printable';
import { FindingsList } from '../../authorizations/FindingsList';
import { effectiveMethod, STEP, useWizardStore } from '../store';
import { TransmissionDetails } from './SendResult';

/**
 * A delivered release: sent by email (how, in words), saved as an export packet (the folder and files), or ready to
 * print; then the transmission's details and what comes next. `passphrase`, `showAgain` and `actionAlert` are the
 * Send step's one-time passphrase panel, its "show the passphrase again" and the last action's refusal.
 */
export function SentResult({ transmission, passphrase, showAgain, actionAlert }: { transmission: TransmissionT; passphrase: ReactNode; showAgain: ReactNode; actionAlert: ReactNode }) {
  const oneTime = useWizardStore((s) => s.oneTime);
  const exported = useWizardStore((s) => s.exported);
  const exportFolder = useWizardStore((s) => s.exportFolder);
  const printable = useWizardStore((s) => s.printable);
  const navigate = useAppStore((s) => s.navigate);
  const passphrasePanel = passphrase;
  const how = transmission.method;
  return (
    <Stack gap="md">
      {how === 'export' ? (
        <Alert color="green" variant="light" title="Saved" role="status">
          The password-protected packet was saved to {exportFolder ? <Text span ff="monospace" size="sm" data-testid="export-folder">{exportFolder}</Text> : 'the folder you chose'}. The disclosure is in the audit log.
        </Alert>
      ) : how === 'print' ? (
        <Alert color="green" variant="light" title="Print packet ready" role="status">
          The print-ready packet was prepared and the disclosure recorded in the audit log. Print it and hand it over in person or mail it.
        </Alert>
      ) : (
        <Alert color="green" variant="light" title="Sent" role="status">
          {how === 'tls-only-email'
            ? 'The records were handed to your email server over a TLS connection, unencrypted as the patient chose.'
            : how === 'password-pdf'
              ? 'The password-protected PDF was handed to your email server over a TLS connection, without its passphrase.'
              : 'The records were encrypted, signed and handed to your email server over a TLS connection.'}{' '}
          The transmission is in the audit log.
          {transmission.sentByWorkstation ? (
            <Text size="sm" mt={6} data-testid="sent-by-workstation">
              Sent from the practice outbox by the workstation “{workstationLabel(transmission.sentByWorkstation)}”.
            </Text>
          ) : null}
        </Alert>
      )}
      {passphrasePanel}
      {how === 'password-pdf' ? showAgain : null}
      {actionAlert}
      {how === 'export' && exported ? (
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="export-files">
          <Title order={2} size="h5" id="export-files" mb="xs">Files saved</Title>
          <List size="sm" data-testid="export-files" aria-labelledby="export-files">
            {exported.map((f) => (
              <List.Item key={f.name}><Text span ff="monospace" size="sm">{f.name}</Text> — {f.bytes.toLocaleString('en-US')} bytes</List.Item>
            ))}
          </List>
        </Paper>
      ) : null}
      {how === 'print' && printable ? (
        <Group>
          <Button onClick={() => openPrintable(printable.printableId)} disabled={!canOpenPrintable()}>
            Open the print packet ({plural(printable.pageCount, 'page')})
          </Button>
          {!canOpenPrintable() ? <Text size="sm">Printing from the desktop app comes in a later version.</Text> : null}
        </Group>
      ) : null}
      <TransmissionDetails t={transmission} />
      {!oneTime ? (
        <>
          <Text size="sm">Next: nothing else is needed for this release. You can start another one.</Text>
          <Group>
            <Button onClick={() => navigate({ name: 'releases' })}>Back to releases</Button>
            <Button variant="outline" onClick={() => navigate({ name: 'audit' })}>Open audit log</Button>
          </Group>
        </>
      ) : null}
    </Stack>
  );
}

/**
 * A send that failed: what happened and what to do next (lib/explain.ts), the findings that block it when the gate
 * refused, and the ways on: back to review, another delivery method, try again (only when retrying can help).
 */
export function SendFailure({ sendError }: { sendError: ApiError }) {
  const evaluation = useWizardStore((s) => s.evaluation);
  const method = useWizardStore((s) => effectiveMethod(s));
  const { send, goTo } = useWizardStore.getState();
  const navigate = useAppStore((s) => s.navigate);
  const ex = explain(sendError.code, sendError.message);
  const retry = isRetryableSendFailure(sendError.code);
  return (
    <Stack gap="md">
      <Alert color="red" variant="light" title="Not sent" role="alert" data-code={sendError.code}>
        <Text size="sm">{ex.title}</Text>
        {sendError.message !== ex.title ? <Text size="sm" mt={4}>{sendError.message}</Text> : null}
        <Text size="sm" mt={6}><strong>What to do next:</strong> {ex.next}</Text>
        <Text size="xs" mt={6} c="dark.3">Error code: {sendError.code}</Text>
      </Alert>
      {sendError.code === 'RELEASE_BLOCKED' && evaluation ? (
        <FindingsList findings={evaluation.findings.filter((f) => f.severity === 'block')} label="Findings that block this release"
          emptyText="The check now finds nothing blocking: go back to review and send again." />
      ) : null}
      {sendError.code === 'INTERNAL' ? (
        <Text size="sm">
          ReleaseDesk could not confirm what happened. Open the Outbox: a release that was prepared waits there and is never sent
          twice; nothing left this computer unencrypted.
        </Text>
      ) : (
        <Text size="sm">
          The release is still here, unsent, with its documents and recipient. Nothing was lost and nothing left this computer
          unencrypted.
        </Text>
      )}
      <Group>
        <Button variant="default" onClick={() => goTo(STEP.review)}>Back to review</Button>
        <Button variant="outline" onClick={() => goTo(STEP.delivery)}>{method === null ? 'Choose a delivery method' : 'Choose another delivery method'}</Button>
        {retry ? <Button onClick={() => void send()}>Try again</Button> : null}
        <Button variant="subtle" onClick={() => navigate({ name: 'releases' })}>Back to releases</Button>
      </Group>
    </Stack>
  );
}
