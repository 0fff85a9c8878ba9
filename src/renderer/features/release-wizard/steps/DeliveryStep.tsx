import { useEffect } from 'react';
import { Alert, Anchor, Badge, Button, Group, Radio, Stack, Text } from '@mantine/core';
import type { DeliveryMethodT } from '../../../../shared/contract';
import { STEP, usableRungs, useWizardStore } from '../store';
import { useAppStore } from '../../../lib/navigation';
import { ErrorAlert } from '../../../components/ErrorAlert';

/** What the recipient experiences with each method (plain language for staff; the ladder's labels come from main). */
export const RECIPIENT_EXPERIENCE: Record<DeliveryMethodT, string> = {
  'openpgp-pgp-mime':
    'The recipient gets an encrypted email and opens it with their own OpenPGP software. Nobody else can read it — not the email providers on the way.',
  smime:
    'The recipient gets an encrypted email that their mail program (Outlook, Apple Mail, Thunderbird) opens with their S/MIME certificate. Nobody else can read it — not the email providers on the way.',
  'password-pdf':
    'The recipient gets an email with a password-protected PDF (AES-256). You give them the passphrase by phone, text message or in person — never by email. ReleaseDesk shows it to you when you send, and keeps it until you confirm you gave it to the recipient.',
  'tls-only-email':
    'The recipient gets the records in an ordinary email. It is encrypted only on the way to your email server: their email provider, and anyone who can open their mailbox, can read it.',
  export:
    'ReleaseDesk saves a password-protected copy into a folder or onto a USB drive you choose, to hand over in person. You give the passphrase separately; it is shown to you once.',
  print: 'ReleaseDesk prepares a print-ready packet for you to print and hand over in person or send by mail.',
};


/** Where an unavailable rung is fixed. */
function fixHint(method: DeliveryMethodT): 'request' | 'recipient' | null {
  if (method === 'tls-only-email') return 'request';
  if (method === 'openpgp-pgp-mime' || method === 'smime') return 'recipient';
  return null;
}

/**
 * Step 4: how the records leave the practice — the ladder from `releases.deliveryOptions`, strongest first, as a
 * radio group; unavailable rungs say why. The default (strongest available email method) is preselected.
 * @source 45 CFR 164.312(e)(1) (transmission security); 164.524(c)(2)(ii) (unencrypted email at the individual's request)
 */
export function DeliveryStep() {
  const release = useWizardStore((s) => s.release);
  const delivery = useWizardStore((s) => s.delivery);
  const deliveryError = useWizardStore((s) => s.deliveryError);
  const method = useWizardStore((s) => s.method);
  const request = useWizardStore((s) => s.request);
  const { loadDelivery, chooseMethod, goTo } = useWizardStore.getState();
  const navigate = useAppStore((s) => s.navigate);
  const releaseId = release?.id;
  const recipientKey = release?.recipient?.key?.fingerprint ?? null;
  const certificate = release?.recipientCertificate ? `${release.recipientCertificate.fingerprint}:${release.recipientCertificate.confirmed?.at ?? ''}` : null;
  useEffect(() => {
    if (releaseId) void loadDelivery();
  }, [releaseId, recipientKey, certificate, loadDelivery]);
  if (!release) return null;
  if (!release.recipient) {
    return (
      <Stack gap="md">
        <Text>Choose the recipient first.</Text>
        <Group><Button onClick={() => goTo(STEP.recipient)}>Go to recipient</Button></Group>
      </Stack>
    );
  }
  const rungs = usableRungs(delivery);

  return (
    <Stack gap="md">
      <ErrorAlert error={deliveryError} title="The delivery methods could not be loaded" />
      {delivery === null && !deliveryError ? <Text>Loading the delivery methods…</Text> : null}
      {delivery ? (
        <Radio.Group value={method ?? ''} onChange={(v) => chooseMethod(v as DeliveryMethodT)} name="delivery-method"
          label="How should the records reach the recipient?"
          description="Strongest protection first. Methods that cannot be used for this recipient say why."
          labelProps={{ fw: 600, fz: 'md' }}>
          <Stack gap="xs" mt="sm">
            {rungs.map((r) => {
              const fix = r.available ? null : fixHint(r.method);
              return (
                <div key={r.method}>
                  <Radio.Card value={r.method} disabled={!r.available} radius="md" p="md"
                    data-method={r.method} data-available={r.available}
                    aria-label={r.label} aria-describedby={`rung-${r.method}-text`}
                    style={{ opacity: r.available ? 1 : 0.85, cursor: r.available ? 'pointer' : 'not-allowed', background: r.available ? undefined : 'var(--mantine-color-gray-0)' }}>
                    <Group wrap="nowrap" align="flex-start">
                      <Radio.Indicator disabled={!r.available} mt={3} />
                      <Stack gap={4} style={{ flex: 1 }}>
                        <Group gap="xs">
                          <Text fw={600}>{r.label}</Text>
                          {r.method === delivery.defaultMethod ? <Badge variant="light" color="green" tt="none">Recommended</Badge> : null}
                          {!r.available ? <Badge variant="light" color="gray" tt="none">Not available</Badge> : null}
                        </Group>
                        <div id={`rung-${r.method}-text`}>
                          <Text size="sm">{RECIPIENT_EXPERIENCE[r.method]}</Text>
                          {r.reason ? (
                            <Text size="sm" mt={4} c="orange.9" data-testid={`rung-reason-${r.method}`}>
                              <strong>Why not: </strong>{r.reason}
                            </Text>
                          ) : null}
                        </div>
                      </Stack>
                    </Group>
                  </Radio.Card>
                  {fix === 'request' && request ? (
                    <Anchor component="button" type="button" size="sm" ml="md" mt={4}
                      onClick={() => { navigate({ name: 'request', requestId: request.id }); }}>
                      Record the patient’s choice on request {request.reference}
                    </Anchor>
                  ) : null}
                  {fix === 'recipient' ? (
                    <Anchor component="button" type="button" size="sm" ml="md" mt={4}
                      onClick={() => { goTo(STEP.recipient); }}>
                      {r.method === 'smime' ? 'Import the recipient’s S/MIME certificate' : 'Add the recipient’s key'}
                    </Anchor>
                  ) : null}
                </div>
              );
            })}
          </Stack>
        </Radio.Group>
      ) : null}
      {delivery && rungs.length > 0 && !rungs.some((r) => r.available) ? (
        <Alert color="orange" variant="light" title="No delivery method is available">Fix one of the reasons above first.</Alert>
      ) : null}
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(STEP.recipient)}>Back</Button>
        <Group gap="md">
          <Text size="sm" c="dark.4">Next: review everything before sending.</Text>
          <Button onClick={() => goTo(STEP.review)} disabled={!method}>Next: review</Button>
        </Group>
      </Group>
    </Stack>
  );
}
