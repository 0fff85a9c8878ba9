import { useState } from 'react';
import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';

import { STEP, useWizardStore } from '../store';
import { useAppStore } from '../../../lib/navigation';
import { explain } from '../../../lib/explain';
import { formatDateTime, plural } from '../../../lib/format';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { ConfirmWithdraw } from '../../outbox/ConfirmWithdraw';
import { METHOD_NAME } from '../../../lib/delivery-labels';

import { DeliveryProgress, OneTimePassphrasePanel, PartsTable } from './SendResult';
import { SendFailure, SentResult } from './SendOutcome';

/**
 * Step 6: delivering (`releases.send` / `releases.export` / `releases.printable`) with a progress bar, then the
 * one-time passphrase (password PDF, export), the result, a partly sent release's parts with "Send the remaining
 * parts", or the failure and what to do next.
 */
export function SendStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const progress = useWizardStore((s) => s.progress);
  const sendError = useWizardStore((s) => s.sendError);
  const oneTime = useWizardStore((s) => s.oneTime);
  const actionError = useWizardStore((s) => s.error);
  const [confirmOut, setConfirmOut] = useState(false);
  const notice = useWizardStore((s) => s.notice);
  const { send, goTo, dismissOneTime, showPassphrase, resolveUnconfirmed, withdraw, failureNotice, chooseMethod } = useWizardStore.getState();
  const navigate = useAppStore((s) => s.navigate);
  if (!release) return null;

  if (busy === 'send') return <DeliveryProgress progress={progress} />;

  const emailTransmissions = release.transmissions.filter((t) => t.method !== 'export' && t.method !== 'print' && t.closedReason === null);
  const transmission = (release.status === 'sent' ? release.transmissions.find((t) => t.closedReason === null) : emailTransmissions[0]) ?? release.transmissions.at(-1) ?? null;
  const passphrasePanel = oneTime ? <OneTimePassphrasePanel value={oneTime} onDone={dismissOneTime} /> : null;
  const showAgain =
    !oneTime && transmission?.method === 'password-pdf' ? (
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={() => void showPassphrase()}>Show the passphrase again</Button>
        <Text size="xs" c="dark.4">Kept, encrypted, until you confirm you gave it to the recipient.</Text>
      </Group>
    ) : null;
  const actionAlert = actionError ? <ErrorAlert error={actionError} /> : null;
  const nothingLeft = !transmission || transmission.parts.every((p) => p.status === 'pending' || p.status === 'failed');

  if ((release.status === 'waiting_for_server' || release.status === 'with_practice_server') && transmission) {
    const waiting = release.status === 'waiting_for_server';
    return (
      <Stack gap="md">
        <Alert
          color="blue"
          variant="light"
          role="status"
          data-testid="release-practice"
          title={waiting ? 'Waiting for the practice server — not sent yet' : 'In the practice outbox — not delivered yet'}
        >
          <Text size="sm">
            {waiting
              ? 'The practice server cannot be reached right now. The release is kept, encrypted, on this computer, and ReleaseDesk hands it to the practice outbox by itself as soon as the server is back. You can leave this screen.'
              : 'A workstation of the practice sends it from the practice outbox. The result appears here by itself. You can leave this screen.'}
          </Text>
        </Alert>
        {passphrasePanel}
        {showAgain}
        {actionAlert}
        {waiting ? (
          <Group>
            <Button onClick={() => void send()}>Try now</Button>
          </Group>
        ) : null}
      </Stack>
    );
  }

  if ((release.status === 'queued' || release.status === 'sending') && transmission) {
    const last = release.lastError ? explain(release.lastError.code, release.lastError.message) : null;
    const when = release.queue.nextAttemptAt ? `at ${formatDateTime(release.queue.nextAttemptAt)}` : 'in a moment';
    return (
      <Stack gap="md">
        <Alert color="blue" variant="light" title="In the outbox — not delivered yet" role="status" data-testid="release-queued">
          <Text size="sm">
            {release.status === 'sending'
              ? 'ReleaseDesk is sending it right now.'
              : release.queue.paused
                ? 'Automatic sending is paused for this release. Press “Try now” or resume it in the outbox.'
                : `ReleaseDesk sends it by itself ${when}, and keeps trying while it is open and unlocked. You can leave this screen.`}
          </Text>
          {last ? (
            <Text size="sm" mt={6} data-code={release.lastError?.code}>
              <strong>Last try:</strong> {last.title} <strong>What to do:</strong> {last.next}
            </Text>
          ) : null}
        </Alert>
        {passphrasePanel}
        {showAgain}
        {actionAlert}
        {transmission.partsTotal > 1 ? <PartsTable t={transmission} /> : null}
        <Group>
          <Button onClick={() => void send()}>Try now</Button>
          <Button variant="default" onClick={() => navigate({ name: 'outbox' })}>Open the outbox</Button>
          {nothingLeft ? <Button variant="subtle" onClick={() => setConfirmOut(true)}>Take out of the outbox to change it</Button> : null}
        </Group>
        <ConfirmWithdraw
          how={confirmOut ? 'withdraw' : null}
          reference={release.reference}
          passwordPdf={transmission.method === 'password-pdf'}
          onClose={() => setConfirmOut(false)}
          onConfirm={() => {
            setConfirmOut(false);
            void withdraw('withdraw');
          }}
        />
      </Stack>
    );
  }

  if (release.status === 'unconfirmed' && transmission) {
    const ex = explain('SMTP_NO_REPLY');
    return (
      <Stack gap="md">
        <Alert color="orange" variant="light" title="May have been delivered — please check" role="alert" data-testid="release-unconfirmed">
          <Text size="sm">{release.lastError?.message ?? ex.title}</Text>
          <Text size="sm" mt={6}><strong>What to do next:</strong> {ex.next}</Text>
        </Alert>
        {passphrasePanel}
        {showAgain}
        {actionAlert}
        <PartsTable t={transmission} />
        <Group>
          <Button onClick={() => void resolveUnconfirmed('recipient_confirmed')}>The recipient has it</Button>
          <Button variant="outline" onClick={() => void resolveUnconfirmed('resend')}>Send the same message again</Button>
        </Group>
        <Text size="sm" c="dark.4">Your choice is recorded in the audit log with your name and the time.</Text>
      </Stack>
    );
  }

  if (release.status === 'bounced') {
    return (
      <Stack gap="md">
        <Alert color="red" variant="light" title="Returned as undeliverable" role="alert" data-testid="release-bounced" data-code={release.lastError?.code}>
          <Text size="sm">{release.lastError?.message ?? 'The recipient’s mail server returned the email: it was not delivered.'}</Text>
          <Text size="sm" mt={6}>
            <strong>What to do next:</strong> let the patient know with the letter below, confirm a working email address with them (change it in the
            Recipient step), then send the records again — for example as a password-protected PDF. The request’s deadline keeps running.
          </Text>
        </Alert>
        {passphrasePanel}
        {actionAlert}
        {sendError ? <ErrorAlert error={sendError} /> : null}
        {notice ? (
          <Alert color="green" variant="light" title="Letter for the patient ready" role="status" data-testid="failure-notice">
            {notice.saved ? 'The letter was saved' : 'The letter was made but not saved'} ({notice.language === 'es' ? 'in Spanish' : 'in English'}, the
            language recorded at intake). It contains no health information; print it and mail it or hand it over.
          </Alert>
        ) : null}
        <Group>
          <Button variant="default" onClick={() => void failureNotice()}>Make a letter for the patient</Button>
          <Button
            onClick={() => {
              chooseMethod('password-pdf');
              void send();
            }}
          >
            Send again as a password-protected PDF
          </Button>
          <Button variant="subtle" onClick={() => goTo(STEP.recipient)}>Change the email address</Button>
        </Group>
      </Stack>
    );
  }

  if (release.status === 'cancelled') {
    return (
      <Stack gap="md">
        <Alert color="gray" variant="light" title="Cancelled" role="status">
          This release was cancelled; nothing more will be sent. What was sent before is kept in the audit log. Start a new
          release from the request if the records must still go out.
        </Alert>
        <Group><Button onClick={() => navigate({ name: 'releases' })}>Back to releases</Button></Group>
      </Stack>
    );
  }

  if (release.status === 'partly_sent' && transmission) {
    return (
      <Stack gap="md">
        <Alert color="yellow" variant="light" title="Partly sent" role="status">
          {plural(transmission.partsSent, 'message')} of {transmission.partsTotal} reached your email server; the rest did not.
          Send the remaining parts the same way ({METHOD_NAME[transmission.method]}). The recipient uses the same passphrase for every part
          {transmission.method === 'password-pdf' ? '; there is no new one' : ''}.
        </Alert>
        {passphrasePanel}
        {showAgain}
        {actionAlert}
        <PartsTable t={transmission} />
        {sendError ? (
          <Alert color="red" variant="light" title="Not sent" role="alert" data-code={sendError.code}>
            <Text size="sm">{sendError.message}</Text>
            <Text size="sm" mt={6}><strong>What to do next:</strong> {explain(sendError.code, sendError.message).next}</Text>
          </Alert>
        ) : null}
        <Group>
          <Button onClick={() => void send()}>Send the remaining parts</Button>
          <Button variant="subtle" onClick={() => navigate({ name: 'releases' })}>Back to releases</Button>
        </Group>
      </Stack>
    );
  }

  if (release.status === 'sent' && transmission) {
    return <SentResult transmission={transmission} passphrase={passphrasePanel} showAgain={showAgain} actionAlert={actionAlert} />;
  }

  if (sendError) return <SendFailure sendError={sendError} />;

  return (
    <Stack gap="md">
      <Text>Review the release first, then send it from the review step.</Text>
      <Group>
        <Button onClick={() => goTo(STEP.review)}>Go to review</Button>
        <Anchor component="button" type="button" onClick={() => goTo(STEP.delivery)}>Change the delivery method</Anchor>
      </Group>
    </Stack>
  );
}
