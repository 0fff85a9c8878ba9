import { useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { channels, type ChannelInput } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SMTP_MESSAGES, SmtpFields, type SmtpValues } from '../../components/SmtpFields';
import { useAction, useFormCheck, zodValidate } from '../../lib/form';
import { SmtpTestButton } from './SmtpTest';
import { useSettingsStore, type Settings } from './store';

/** The `settings.updateSmtp` (and `settings.testSmtp`) input from the form: an empty password keeps the stored one. */
function toSmtpInput(v: SmtpValues): ChannelInput<'settings.updateSmtp'> {
  return {
    host: v.host.trim(),
    port: Number(v.port),
    security: v.security,
    username: v.username.trim(),
    ...(v.password ? { password: v.password } : {}),
  };
}

/** Checked by the schema main parses (`settings.updateSmtp` input), worded for staff. */
const validateSmtp = zodValidate<SmtpValues>(channels['settings.updateSmtp'].input, toSmtpInput, SMTP_MESSAGES);

/** Settings → the outgoing email server: edit, "Test connection" (signs in, sends nothing), save. */
export function SmtpSettings({ smtp }: { smtp: Settings['smtp'] }) {
  const saveSmtp = useSettingsStore((s) => s.saveSmtp);
  const form = useForm<SmtpValues>({ initialValues: { ...smtp, password: '' }, validate: validateSmtp });
  const { formRef, check } = useFormCheck(form);
  const { busy: running, error, setError, run } = useAction();
  const busy = running !== null;
  const [saved, setSaved] = useState(false);

  /** Validates; null (and focus on the first invalid field) when something is missing. */
  const read = (): ChannelInput<'settings.updateSmtp'> | null => (check() ? toSmtpInput(form.getValues()) : null);

  const save = (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    setError(null);
    const input = read();
    if (!input) return;
    void run(async () => {
      const shown = await saveSmtp(input);
      form.setValues({ ...shown, password: '' });
      setSaved(true);
    });
  };

  return (
    <form onSubmit={save} noValidate ref={formRef} aria-labelledby="settings-smtp-legend">
      <Fieldset legend={<span id="settings-smtp-legend">Outgoing email server (SMTP)</span>} disabled={busy}>
        <Stack gap="sm">
          <Text size="sm">ReleaseDesk never sends without TLS encryption. “Test connection” signs in and disconnects without sending an email.</Text>
          <SmtpFields idPrefix="settings" values={form.values} errors={form.errors} onChange={(patch) => form.setValues(patch)}
            passwordRequired={false} passwordDescription="Leave empty to keep the stored password." />
          <SmtpTestButton read={read} disabled={busy} />
          <ErrorAlert error={error} title="The email server settings were not saved" hideFixLink where="settings" />
          <div aria-live="polite">
            {saved ? <Alert color="green" variant="light" role="status" title="Email server settings saved" /> : null}
          </div>
          <Group>
            <Button type="submit" loading={busy}>
              Save email server settings
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </form>
  );
}
