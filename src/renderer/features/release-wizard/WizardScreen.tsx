import { useEffect, useRef } from 'react';
import { Button, Group, Stack, Stepper, Text, Title } from '@mantine/core';
import { STEP, useWizardStore } from './store';
import { useAppStore } from '../../lib/navigation';
import { StatusBadge } from '../../components/StatusBadge';
import { PatientStep } from './steps/PatientStep';
import { RecordsStep } from './steps/RecordsStep';
import { RecipientStep } from './steps/RecipientStep';
import { DeliveryStep } from './steps/DeliveryStep';
import { ReviewStep } from './steps/ReviewStep';
import { SendStep } from './steps/SendStep';
import { useFocusHeading } from '../../lib/focus';
import type { ReleaseSummaryT } from '../../../shared/contract';

const STEP_LABELS = ['Patient', 'Records', 'Recipient', 'Delivery', 'Review', 'Send'] as const;

/** The line under the title: what the staff member can still do with a release in this status. */
function wizardSubtitle(status: ReleaseSummaryT['status']): string {
  switch (status) {
    case 'draft':
      return 'Six short steps. You can go back at any time before sending.';
    case 'queued':
    case 'sending':
      return 'This release is in the outbox. ReleaseDesk sends it and keeps trying if the mail server does not answer.';
    case 'sent':
      return 'This release was sent. Its record stays in the accounting of disclosures.';
    case 'partly_sent':
      return 'Part of this release was sent. The Send step shows what is left.';
    case 'unconfirmed':
      return 'The mail server did not confirm this release. The Send step explains how to decide.';
    case 'failed':
    case 'bounced':
      return 'This release did not reach the recipient. The Send step offers other ways to deliver it.';
    case 'cancelled':
      return 'This release was cancelled and was not sent.';
  }
}

/** The release wizard: Patient → Records → Recipient → Delivery → Review → Send. */
export function WizardScreen({ releaseId }: { releaseId: string | null }) {
  const release = useWizardStore((s) => s.release);
  const step = useWizardStore((s) => s.step);
  const busy = useWizardStore((s) => s.busy);
  const open = useWizardStore((s) => s.open);
  const goTo = useWizardStore((s) => s.goTo);
  const navigate = useAppStore((s) => s.navigate);

  useEffect(() => {
    void open(releaseId);
  }, [open, releaseId]);
  // Focus: the screen's heading when the wizard opens; the step's heading after each step change (Next, Back, a step click).
  const heading = useFocusHeading();
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const lastStep = useRef(step);
  useEffect(() => {
    if (lastStep.current !== step) stepHeading.current?.focus();
    lastStep.current = step;
  }, [step]);
  // Leaving the wizard forgets the one-time passphrase for good.
  useEffect(() => () => useWizardStore.getState().leave(), []);

  // Which steps can be clicked: none before the release exists, none while sending, only "Send" once (partly) sent.
  const sent = release?.status === 'sent' || release?.status === 'partly_sent';
  const reachable = (i: number) => {
    if (!release || busy === 'send') return false;
    if (sent) return i === STEP.send || i === STEP.patient;
    if (i <= STEP.records) return true;
    if (i === STEP.recipient) return release.documents.length > 0;
    return release.recipient !== null;
  };

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} ref={heading} tabIndex={-1}>
            {release ? `Release ${release.reference}` : 'New release'}
          </Title>
          <Text c="dark.4">{wizardSubtitle(release?.status ?? 'draft')}</Text>
        </div>
        <Group>
          {release ? <StatusBadge status={busy === 'send' && release.status === 'draft' ? 'sending' : release.status} /> : null}
          <Button variant="default" onClick={() => navigate({ name: 'releases' })} disabled={busy === 'send'}>
            Back to releases
          </Button>
        </Group>
      </Group>
      <Title order={2} size="h4" ref={stepHeading} tabIndex={-1} data-testid="wizard-step-heading">
        Step {step + 1} of {STEP_LABELS.length}: {STEP_LABELS[step] ?? ''}
      </Title>
      {busy === 'load' ? (
        <Text>Loading…</Text>
      ) : (
        <Stepper active={step} onStepClick={(i) => reachable(i) && goTo(i)} size="sm" aria-label="Release steps">
          <Stepper.Step aria-current={step === 0 ? 'step' : undefined} label="Patient" description="Whose records" allowStepSelect={reachable(0)}>
            <PatientStep />
          </Stepper.Step>
          <Stepper.Step aria-current={step === 1 ? 'step' : undefined} label="Records" description="Files to release" allowStepSelect={reachable(1)}>
            <RecordsStep />
          </Stepper.Step>
          <Stepper.Step aria-current={step === 2 ? 'step' : undefined} label="Recipient" description="Who, and their key" allowStepSelect={reachable(2)}>
            <RecipientStep key={release?.recipient ? `${release.recipient.email}|${release.recipient.key?.fingerprint ?? 'nokey'}` : 'none'} />
          </Stepper.Step>
          <Stepper.Step aria-current={step === 3 ? 'step' : undefined} label="Delivery" description="How it gets there" allowStepSelect={reachable(3)}>
            <DeliveryStep />
          </Stepper.Step>
          <Stepper.Step aria-current={step === 4 ? 'step' : undefined} label="Review" description="Check everything" allowStepSelect={reachable(4)}>
            <ReviewStep />
          </Stepper.Step>
          <Stepper.Step aria-current={step === 5 ? 'step' : undefined} label="Send" description="Protect and deliver" allowStepSelect={reachable(5)}>
            <SendStep />
          </Stepper.Step>
        </Stepper>
      )}
    </Stack>
  );
}
