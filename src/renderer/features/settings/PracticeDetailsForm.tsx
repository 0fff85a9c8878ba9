import { useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { toApiError, type ApiError } from '../../lib/call';
import { useSettingsStore, type Practice } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The practice's postal address, phone and privacy officer (settings.updatePractice): printed on authorization
 * forms (where to send a written revocation, 164.508(c)(2)(i)) and on extension notices (whom to contact).
 */
export function PracticeDetailsForm({ practice }: { practice: Practice }) {
  const savePractice = useSettingsStore((s) => s.savePractice);
  const [f, setF] = useState({
    address: practice.address ?? '',
    phone: practice.phone ?? '',
    privacyName: practice.privacyOfficer?.name ?? '',
    privacyPhone: practice.privacyOfficer?.phone ?? '',
    privacyEmail: practice.privacyOfficer?.email ?? '',
  });
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors: Partial<Record<keyof typeof f, string>> = {};
  if (!f.address.trim()) errors.address = 'Enter the practice’s postal address.';
  if (!f.phone.trim()) errors.phone = 'Enter the practice’s phone number.';
  if (!f.privacyName.trim()) errors.privacyName = 'Enter the privacy officer’s name.';
  if (f.privacyEmail.trim() && !EMAIL_RE.test(f.privacyEmail.trim())) errors.privacyEmail = 'Enter a valid email address, or leave it empty.';
  const show = (k: keyof typeof f) => (submitted ? errors[k] : undefined);
  const bind = (k: keyof typeof f) => ({
    value: f[k],
    onChange: (e: { currentTarget: { value: string } }) => {
      const v = e.currentTarget.value;
      setF((x) => ({ ...x, [k]: v }));
      setSaved(false);
    },
    error: show(k),
  });

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    const first = (Object.keys(errors) as Array<keyof typeof f>)[0];
    if (first) {
      document.getElementById(`settings-practice-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await savePractice({
        address: f.address.trim(),
        phone: f.phone.trim(),
        privacyOfficer: {
          name: f.privacyName.trim(),
          ...(f.privacyPhone.trim() ? { phone: f.privacyPhone.trim() } : {}),
          ...(f.privacyEmail.trim() ? { email: f.privacyEmail.trim() } : {}),
        },
      });
      setSaved(true);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="settings-practice-details-legend">
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
            <TextInput id="settings-practice-privacyName" label="Privacy officer" required {...bind('privacyName')} />
            <TextInput id="settings-practice-privacyPhone" label="Privacy officer phone (optional)" type="tel" {...bind('privacyPhone')} />
            <TextInput id="settings-practice-privacyEmail" label="Privacy officer email (optional)" type="email" {...bind('privacyEmail')} />
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
