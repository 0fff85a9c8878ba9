/**
 * Review step → "What happens next", for the method chosen: email goes through this workstation's outbox, or — once
 * the workstation joined the practice server — through the practice's shared outbox, sent once by whichever
 * workstation is online; a folder export and a print packet never touch an outbox or the email server.
 */
import { useEffect } from 'react';
import { Paper, Text, Title } from '@mantine/core';
import type { DeliveryMethodT } from '../../../../shared/contract';
import { useWizardStore, type EmailRoute } from '../store';

const RECORDED = 'and records the disclosure in the audit log';

/** The "What happens next" sentences for `method` (null: not chosen yet) on a workstation whose email goes by `route`. */
export function whatHappensNext(method: DeliveryMethodT | null, route: EmailRoute): string {
  if (method === 'export')
    return `When you go ahead, ReleaseDesk prepares the password-protected packet, saves it into the folder or drive you choose ${RECORDED} — nothing is emailed. The passphrase is shown to you once; give it to the recipient separately from the drive.`;
  if (method === 'print')
    return `When you go ahead, ReleaseDesk prepares the print packet for you to print ${RECORDED} — nothing is emailed. Hand the pages over in person or mail them.`;
  if (method === null) return 'Choose how the records are delivered (Delivery step); this section then says what happens.';
  if (route === 'local')
    return `When you go ahead, ReleaseDesk prepares and protects the records, keeps the exact messages in this workstation’s outbox, sends them through your email server ${RECORDED}. If the email server cannot be reached, the release waits in the Outbox and goes out by itself later — never twice.`;
  const shared = `When you go ahead, ReleaseDesk prepares and protects the records ${RECORDED}. This workstation is joined to the practice server, so the release goes to the practice’s shared outbox, and whichever workstation of the practice is online sends it through the email server — once, never twice. The result appears on this release by itself.`;
  return route === 'practice_offline'
    ? `${shared} The practice server cannot be reached right now: the release is kept, encrypted, on this computer until it is back.`
    : shared;
}

/** See the module comment; asks the store for the email route (`practiceServer.status`) once shown. */
export function ReviewNext({ method }: { method: DeliveryMethodT | null }) {
  const route = useWizardStore((s) => s.emailRoute);
  const loadEmailRoute = useWizardStore((s) => s.loadEmailRoute);
  useEffect(() => {
    void loadEmailRoute();
  }, [loadEmailRoute]);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-next">
      <Title order={2} size="h5" id="review-next" mb={6}>What happens next</Title>
      <Text size="sm" data-testid="review-next">{whatHappensNext(method, route)}</Text>
    </Paper>
  );
}
