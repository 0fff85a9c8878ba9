/**
 * Settings → Bounce mailbox: the mailbox that receives returned emails (IMAP over TLS). The password is stored in
 * the vault and never shown again; "Test mailbox connection" signs in and out; "Check for bounces now" reads it at once
 * (ReleaseDesk also checks every few minutes while it is unlocked).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, PasswordInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { toApiError, type ApiError } from '../../lib/call';
import { useSettingsStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

type Checked = ChannelOutput<'bounces.checkNow'>;

export function BounceMailboxSettings() {
  const api = useSettingsStore.getState(); // the store's calls (actions never change)
  const [host, setHost] = useState('');
  const [port, setPort] = useState<number | string>(993);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [stored, setStored] = useState(false);
  const [busy, setBusy] = useState<null | 'save' | 'test' | 'check'>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [checked, setChecked] = useState<Checked | null>(null);

  useEffect(() => {
    void api.getBounceMailbox()
      .then((s) => {
        if (!s) return;
        setHost(s.host);
        setPort(s.port);
        setUsername(s.username);
        setStored(true);
      })
      .catch((e: unknown) => setError(toApiError(e)));
  }, [api]);

  const input = () => ({ host: host.trim(), port: Number(port), username: username.trim(), ...(password ? { password } : {}) });

  async function run(kind: 'save' | 'test' | 'check', fn: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    setNote(null);
    try {
      await fn();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  }

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run('save', async () => {
      await api.updateBounceMailbox(input());
      setPassword('');
      setStored(true);
      setNote('Bounce mailbox saved. ReleaseDesk checks it every few minutes while it is open and unlocked.');
    });
  };

  return (
    <form onSubmit={save} noValidate aria-labelledby="settings-bounce-legend">
      <Fieldset legend={<span id="settings-bounce-legend">Bounce mailbox (returned emails)</span>} disabled={busy !== null}>
        <Stack gap="sm">
          <Text size="sm">
            The mailbox that receives returned (“undeliverable”) emails. ReleaseDesk reads it over an encrypted connection (IMAP over TLS, usually port 993),
            marks the release whose email came back, and never keeps the returned email’s text.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput id="bounce-host" label="Mailbox server" value={host} onChange={(e) => setHost(e.currentTarget.value)} required autoComplete="off" />
            <NumberInput id="bounce-port" label="Mailbox port" value={port} onChange={setPort} min={1} max={65535} required />
            <TextInput id="bounce-user" label="Mailbox user name" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoComplete="off" />
            <PasswordInput
              id="bounce-password"
              label="Mailbox password"
              description={stored ? 'Stored in the vault. Leave empty to keep it.' : undefined}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="new-password"
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={busy === 'save'}>Save bounce mailbox</Button>
            <Button
              variant="default"
              loading={busy === 'test'}
              onClick={() =>
                void run('test', async () => {
                  const r = await api.testBounceMailbox(input());
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
                void run('check', async () => {
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
