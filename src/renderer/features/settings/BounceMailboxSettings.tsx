/**
 * Settings → Bounce mailbox: the mailbox that receives returned emails (IMAP over TLS). The password is stored in
 * the vault and never shown again; "Test mailbox connection" signs in and out; "Check for bounces now" reads it at once
 * (ReleaseDesk also checks every few minutes while it is unlocked).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, PasswordInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { channels, type ChannelInput, type ChannelOutput } from '../../../shared/contract';
import { toApiError } from '../../lib/call';
import { useAction, useFormCheck, zodValidate } from '../../lib/form';
import { useSettingsStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

type Checked = ChannelOutput<'bounces.checkNow'>;

/** The mailbox fields; the password is '' when the stored one is kept. */
interface BounceValues {
  host: string;
  port: number | string;
  username: string;
  password: string;
}

/** The `settings.updateBounceMailbox` (and `settings.testBounceMailbox`) input: an empty password keeps the stored one. */
function toBounceInput(v: BounceValues): ChannelInput<'settings.updateBounceMailbox'> {
  return { host: v.host.trim(), port: Number(v.port), username: v.username.trim(), ...(v.password ? { password: v.password } : {}) };
}

/** Checked by the schema main parses (`settings.updateBounceMailbox` input), worded for staff. */
const validateBounce = zodValidate<BounceValues>(channels['settings.updateBounceMailbox'].input, toBounceInput, {
  host: 'Enter the mailbox server name.',
  port: 'Enter a port between 1 and 65535.',
  username: 'Enter the mailbox user name.',
  password: 'Enter the mailbox password.',
});

export function BounceMailboxSettings() {
  const api = useSettingsStore.getState(); // the store's calls (actions never change)
  const form = useForm<BounceValues>({ mode: 'controlled', initialValues: { host: '', port: 993, username: '', password: '' }, validate: validateBounce });
  const { formRef, check } = useFormCheck(form);
  const { busy, error, setError, run } = useAction<'save' | 'test' | 'check'>();
  const [stored, setStored] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [checked, setChecked] = useState<Checked | null>(null);

  useEffect(() => {
    void api.getBounceMailbox()
      .then((s) => {
        if (!s) return;
        form.setValues({ host: s.host, port: s.port, username: s.username });
        setStored(true);
      })
      .catch((e: unknown) => setError(toApiError(e)));
  }, [api]); // eslint-disable-line react-hooks/exhaustive-deps -- read once; the form object is stable

  /** Runs `kind` after the note of the previous action is cleared. */
  const act = (kind: 'save' | 'test' | 'check', fn: () => Promise<void>) => {
    setNote(null);
    void run(fn, kind);
  };
  /** Save and test send the fields, so they are checked first (nothing is sent with an error). */
  const withFields = (kind: 'save' | 'test', fn: (input: ChannelInput<'settings.updateBounceMailbox'>) => Promise<void>) => {
    if (check()) act(kind, () => fn(toBounceInput(form.getValues())));
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    withFields('save', async (input) => {
      await api.updateBounceMailbox(input);
      form.setFieldValue('password', '');
      setStored(true);
      setNote('Bounce mailbox saved. ReleaseDesk checks it every few minutes while it is open and unlocked.');
    });
  };

  return (
    <form ref={formRef} onSubmit={save} noValidate aria-labelledby="settings-bounce-legend">
      <Fieldset legend={<span id="settings-bounce-legend">Bounce mailbox (returned emails)</span>} disabled={busy !== null}>
        <Stack gap="sm">
          <Text size="sm">
            The mailbox that receives returned (“undeliverable”) emails. ReleaseDesk reads it over an encrypted connection (IMAP over TLS, usually port 993),
            marks the release whose email came back, and never keeps the returned email’s text.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput id="bounce-host" label="Mailbox server" {...form.getInputProps('host')} required autoComplete="off" />
            <NumberInput id="bounce-port" label="Mailbox port" {...form.getInputProps('port')} min={1} max={65535} required />
            <TextInput id="bounce-user" label="Mailbox user name" {...form.getInputProps('username')} required autoComplete="off" />
            <PasswordInput
              id="bounce-password"
              label="Mailbox password"
              description={stored ? 'Stored in the vault. Leave empty to keep it.' : undefined}
              {...form.getInputProps('password')}
              autoComplete="new-password"
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={busy === 'save'}>Save bounce mailbox</Button>
            <Button
              variant="default"
              loading={busy === 'test'}
              onClick={() =>
                withFields('test', async (input) => {
                  const r = await api.testBounceMailbox(input);
                  setNote(`Connection works: signed in over ${r.tlsProtocol} and out again. Nothing was read.`);
                })
              }
            >
              Test mailbox connection
            </Button>
            <Button
              variant="default"
              loading={busy === 'check'}
              disabled={!stored}
              onClick={() =>
                act('check', async () => {
                  setChecked(await api.checkBouncesNow());
                })
              }
            >
              Check for bounces now
            </Button>
          </Group>
          <div aria-live="polite">
            {note ? <Alert color="green" variant="light" role="status" title={note} /> : null}
            {checked ? (
              <Alert color={checked.bounced > 0 ? 'orange' : 'green'} variant="light" role="status" title="Bounce mailbox checked" data-testid="bounce-check">
                {checked.read === 0
                  ? 'No new returned emails.'
                  : `${checked.read} new message${checked.read === 1 ? '' : 's'} read: ${checked.bounced} returned release${checked.bounced === 1 ? '' : 's'}` +
                    `${checked.delayed ? `, ${checked.delayed} delayed` : ''}${checked.ignored ? `, ${checked.ignored} not about a delivery` : ''}.` +
                    (checked.bounced > 0 ? ' Open the Outbox to see what to do.' : '')}
              </Alert>
            ) : null}
          </div>
          <ErrorAlert error={error} title="The bounce mailbox did not work" />
        </Stack>
      </Fieldset>
    </form>
  );
}
