import { useState } from 'react';
import { useForm, type FormErrors } from '@mantine/form';
import { channels, type ChannelInput } from '../../../shared/contract';
import { mergeErrors, useCheckedSubmit, zodValidate } from '../../lib/form';
import { Alert, Button, Fieldset, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useSettingsStore, type Practice } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface DetailsValues {
  address: string;
  phone: string;
  privacyOfficer: { name: string; phone: string; email: string };
}

/** The `settings.updatePractice` input: text trimmed, the optional phone and email left out when empty. */
function toDetailsInput(v: DetailsValues): ChannelInput<'settings.updatePractice'> {
  const po = v.privacyOfficer;
  return {
    address: v.address.trim(),
    phone: v.phone.trim(),
    privacyOfficer: { name: po.name.trim(), ...(po.phone.trim() ? { phone: po.phone.trim() } : {}), ...(po.email.trim() ? { email: po.email.trim() } : {}) },
  };
}

/** The schema main parses (PracticeDetailsInput), worded for staff; plus an email address's shape. */
const checkDetails = zodValidate<DetailsValues>(channels['settings.updatePractice'].input, toDetailsInput, {
  address: 'Enter the practice’s postal address.',
  phone: 'Enter the practice’s phone number.',
  'privacyOfficer.name': 'Enter the privacy officer’s name.',
  'privacyOfficer.phone': 'Enter the privacy officer’s phone number, or leave it empty.',
  'privacyOfficer.email': 'Enter a valid email address, or leave it empty.',
});
function validateDetails(v: DetailsValues): FormErrors {
  const email = v.privacyOfficer.email.trim();
  return mergeErrors(checkDetails(v), email && !EMAIL_RE.test(email) ? { 'privacyOfficer.email': 'Enter a valid email address, or leave it empty.' } : {});
}

/**
 * The practice's postal address, phone and privacy officer (settings.updatePractice): printed on authorization
 * forms (where to send a written revocation, 164.508(c)(2)(i)) and on extension notices (whom to contact).
 */
export function PracticeDetailsForm({ practice }: { practice: Practice }) {
  const savePractice = useSettingsStore((s) => s.savePractice);
  const form = useForm<DetailsValues>({
    initialValues: {
      address: practice.address ?? '',
      phone: practice.phone ?? '',
      privacyOfficer: { name: practice.privacyOfficer?.name ?? '', phone: practice.privacyOfficer?.phone ?? '', email: practice.privacyOfficer?.email ?? '' },
    },
    validate: validateDetails,
    onValuesChange: () => setSaved(false),
  });
  const [saved, setSaved] = useState(false);
  const { formRef, busy, error, submit } = useCheckedSubmit(form);
  const bind = (path: string) => form.getInputProps(path);

  const save = submit(async () => {
    await savePractice(toDetailsInput(form.getValues()));
    setSaved(true);
  });

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="settings-practice-details-legend" ref={formRef}>
      <Fieldset legend={<span id="settings-practice-details-legend">Address and privacy officer</span>} disabled={busy}>
        <Stack gap="sm">
          <Text size="sm">Printed on authorization forms (where a patient sends a written revocation) and on notices (whom to contact).</Text>
          {!practice.address || !practice.privacyOfficer ? (
            <Alert color="orange" variant="light" role="status" title="Not complete yet">
              Forms and notices print “ask us for our mailing address” and “our privacy officer” until you fill these in.
            </Alert>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput id="settings-practice-address" label="Postal address" description="One line: street, city, state, ZIP." required {...bind('address')} />
            <TextInput id="settings-practice-phone" label="Practice phone" type="tel" required {...bind('phone')} />
            <TextInput id="settings-practice-privacyName" label="Privacy officer" required {...bind('privacyOfficer.name')} />
            <TextInput id="settings-practice-privacyPhone" label="Privacy officer phone (optional)" type="tel" {...bind('privacyOfficer.phone')} />
            <TextInput id="settings-practice-privacyEmail" label="Privacy officer email (optional)" type="email" {...bind('privacyOfficer.email')} />
          </SimpleGrid>
          <ErrorAlert error={error} title="The practice details were not saved" />
          <Group justify="flex-end" gap="md">
            {saved ? (
              <Text size="sm" role="status">
                Saved. New forms and notices use these details.
              </Text>
            ) : null}
            <Button type="submit" loading={busy}>
              Save address and privacy officer
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </form>
  );
}
