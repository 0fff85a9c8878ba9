import { useEffect, useRef } from 'react';
import { Button, Stack, Stepper, Text } from '@mantine/core';
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
import { ScreenHeader } from '../../components/ScreenHeader';
import { WIZARD_STEPS, WizardStepHeader } from './WizardStepHeader';


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
    case 'waiting_for_server':
      return 'The practice server cannot be reached right now. This release is kept on this computer and is sent as soon as the server is back.';
    case 'with_practice_server':
      return 'This release is in the practice outbox. A workstation of the practice sends it; the result appears here.';
  }
}

/** What each step shows (index = STEP value). */
function stepContent(i: number, recipientKey: string) {
  switch (i) {
    case STEP.patient:
      return <PatientStep />;
    case STEP.records:
      return <RecordsStep />;
    case STEP.recipient:
      return <RecipientStep key={recipientKey} />;
    case STEP.delivery:
      return <DeliveryStep />;
    case STEP.review:
      return <ReviewStep />;
    default:
      return <SendStep />;
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

  // A new recipient or key remounts the Recipient step (its form starts from the saved recipient).
  const recipientKey = release?.recipient ? `${release.recipient.email}|${release.recipient.key?.fingerprint ?? 'nokey'}` : 'none';

  return (
    <Stack gap="lg">
      <ScreenHeader
        title={release ? `Release ${release.reference}` : 'New release'}
        headingRef={heading}
        subtitle={wizardSubtitle(release?.status ?? 'draft')}
        actions={<>
          {release ? <StatusBadge status={busy === 'send' && release.status === 'draft' ? 'sending' : release.status} /> : null}
          <Button variant="default" onClick={() => navigate({ name: 'releases' })} disabled={busy === 'send'}>
            Back to releases
          </Button>
        </>}
      />
      <WizardStepHeader step={step} headingRef={stepHeading} />
      {busy === 'load' ? (
        <Text>Loading…</Text>
      ) : (
        <Stepper active={step} onStepClick={(i) => reachable(i) && goTo(i)} size="sm" aria-label="Release steps">
          {WIZARD_STEPS.map(({ label, description }, i) => (
            <Stepper.Step key={label} aria-current={step === i ? 'step' : undefined} label={label} description={description} allowStepSelect={reachable(i)}>
              {stepContent(i, recipientKey)}
            </Stepper.Step>
          ))}
        </Stepper>
      )}
    </Stack>
  );
}
