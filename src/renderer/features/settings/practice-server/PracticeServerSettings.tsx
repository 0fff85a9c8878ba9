/**
 * Settings → Practice server (issue #17): what a shared PostgreSQL server is for, this workstation's status (every
 * role), and for administrators the connection form (server, port, database, user, password, the CA certificate
 * from the practice's IT provider) with "Test practice server connection" (saves nothing) and "Save and connect" (tests first, saves
 * only when the test passes), and "Disconnect". The form is checked by the schema main parses
 * (`practiceServer.configure` input). The password is typed here and never shown again: the status says "set".
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, PasswordInput, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm, type FormErrors } from '@mantine/form';
import { caPemProblem, channels, type ChannelInput } from '../../../../shared/contract';
import { DialogModal } from '../../../components/DialogModal';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatDateTime } from '../../../lib/format';
import { mergeErrors, useAction, useFormCheck, zodValidate } from '../../../lib/form';
import { useMayCall } from '../../../lib/roles';
import { PracticeLinkPanel } from './PracticeLinkPanel';
import { usePracticeServerStore, type PracticeServerCheckView, type PracticeServerStatusView } from './store';

interface ServerValues {
  host: string;
  port: number | string;
  database: string;
  user: string;
  password: string;
  caPem: string;
}

/** The `practiceServer.configure` / `.test` input from the form: text trimmed, an empty password left out (keep the stored one). */
function toServerInput(v: ServerValues): ChannelInput<'practiceServer.configure'> {
  return {
    host: v.host.trim(),
    port: typeof v.port === 'number' ? v.port : Number(v.port.trim() || NaN),
    database: v.database.trim(),
    user: v.user.trim(),
    ...(v.password ? { password: v.password } : {}),
    caPem: v.caPem.trim() ? `${v.caPem.trim()}\n` : '',
  };
}

const checkServer = zodValidate<ServerValues>(channels['practiceServer.configure'].input, toServerInput, {
  host: 'Enter the server’s name (like db.yourpractice.example) or its IP address, without “https://” or a port.',
  port: 'Enter the port, a whole number from 1 to 65535 (PostgreSQL usually uses 5432).',
  database: 'Enter the database name your IT provider gave you (at most 63 characters).',
  user: 'Enter the user name your IT provider gave you (at most 63 characters).',
  password: 'Enter the password (at most 1024 characters).',
  caPem: 'Paste the CA certificate: the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (never a private key).',
});

/** The CA field's message for each coded problem of the pasted text (caPemProblem): not PEM at all is not "not a CA". */
const CA_PEM_PROBLEM: Record<NonNullable<ReturnType<typeof caPemProblem>>, string> = {
  empty: 'Paste the CA certificate: the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
  not_pem: 'This is not a certificate in PEM form (it should begin with -----BEGIN CERTIFICATE-----). Paste the CA certificate your IT provider gave you.',
  private_key: 'This text holds a private key. Paste only the CA certificate (never a private key).',
};

/** The form's rules: the contract's, with the CA field's message saying what is wrong with the pasted text. */
function checkServerForm(v: ServerValues): FormErrors {
  const errors = checkServer(v);
  const problem = caPemProblem(v.caPem);
  return errors.caPem && problem ? { ...errors, caPem: CA_PEM_PROBLEM[problem] } : errors;
}

const tls = (v: string) => v.replace('TLSv', 'TLS ');

/** What the stored status says, in one or two plain sentences. */
function StatusText({ status }: { status: PracticeServerStatusView }) {
  if (status.state === 'not_set' || !status.server) {
    return <Text size="sm" data-testid="practice-server-status"><strong>Status:</strong> not set up. This workstation keeps everything in its own encrypted vault.</Text>;
  }
  const where = `${status.server.host}, port ${status.server.port}, database “${status.server.database}”, user “${status.server.user}”`;
  if (status.state === 'disconnected') {
    return (
      <Text size="sm" data-testid="practice-server-status">
        <strong>Status:</strong> disconnected from {where}. The password was erased; enter it again to reconnect.
      </Text>
    );
  }
  return (
    <Text size="sm" data-testid="practice-server-status">
      <strong>Status:</strong> connected to {where}. Password: {status.passwordSet ? 'set' : 'not set'}.
      {status.verified ? ` Checked ${formatDateTime(status.verified.at)}: encrypted with ${tls(status.verified.tlsVersion)}, PostgreSQL ${status.verified.serverVersion.split(' ')[0]}.` : ''}
    </Text>
  );
}

/** See the module comment. */
export function PracticeServerSettings() {
  const mayConfigure = useMayCall('practiceServer.configure');
  const status = usePracticeServerStore((s) => s.status);
  const loadError = usePracticeServerStore((s) => s.loadError);
  const load = usePracticeServerStore((s) => s.load);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Fieldset legend="Practice server (several workstations)">
      <Stack gap="sm">
        <Text size="sm">
          A practice with several workstations can share one PostgreSQL database server, so every front desk works from one request queue and one audit
          trail. Patient details are encrypted on this computer before they are sent to the server; the server keeps only encrypted data and the dates
          and states it needs to work. A single workstation does not need one.
        </Text>
        <Text size="sm" c="dark.4">
          Connecting checks the server (encrypted connection, certificate, sign-in) and keeps the settings. Once an administrator has joined this
          workstation to the practice, its requests and audit trail are shared with the server; this computer keeps working when the server cannot be reached.
        </Text>
        <ErrorAlert error={loadError} title="The practice server status could not be read" hideFixLink />
        {status ? <StatusText status={status} /> : null}
        {status?.state === 'active' ? <PracticeLinkPanel status={status} /> : null}
        {mayConfigure && status ? <ServerForm status={status} /> : null}
        {!mayConfigure ? <Text size="sm">An administrator sets this up.</Text> : null}
      </Stack>
    </Fieldset>
  );
}

/**
 * After "Save and connect": what the saved settings mean now, from the link's actual state — not joined yet (the join
 * form is in "This workstation and the practice", above this form), or joined (shared every 30 seconds).
 */
export function SavedBanner({ link }: { link: PracticeServerStatusView['link'] }) {
  const joined = link.state === 'online' || link.state === 'offline';
  return (
    <Alert color="green" variant="light" role="status" data-testid="practice-server-saved"
      title={joined ? 'This workstation is connected and joined to the practice' : 'This workstation is connected to the practice server'}>
      {joined
        ? `The settings are saved in this computer’s encrypted vault. ${link.workstationLabel ? `As “${link.workstationLabel}”, it` : 'It'} shares its requests and audit trail with the practice server every 30 seconds, and email releases go through the practice’s shared outbox. Connect and join the other workstations the same way.`
        : 'The settings are saved in this computer’s encrypted vault. Next, join this workstation to the practice under “This workstation and the practice” above (an administrator’s passphrase and a name for this workstation). Until then nothing is shared. Then connect and join the other workstations the same way.'}
    </Alert>
  );
}

/** The administrator's form: test, save and connect, disconnect. */
function ServerForm({ status }: { status: PracticeServerStatusView }) {
  const api = usePracticeServerStore.getState(); // the store's calls (actions never change)
  const passwordSet = status.passwordSet;
  const passwordSetNow = useRef(passwordSet); // read by validate (the form keeps its first options)
  useEffect(() => {
    passwordSetNow.current = passwordSet;
  }, [passwordSet]);
  const { busy, error, errorTitle, setError, run: act } = useAction<'test' | 'save' | 'disconnect'>();
  const form = useForm<ServerValues>({
    initialValues: {
      host: status.server?.host ?? '',
      port: status.server?.port ?? 5432,
      database: status.server?.database ?? '',
      user: status.server?.user ?? '',
      password: '',
      caPem: status.server?.caPem ?? '',
    },
    validate: (v): FormErrors => mergeErrors(checkServerForm(v), !v.password && !passwordSetNow.current ? { password: 'Enter the password your IT provider gave you.' } : {}),
    onValuesChange: () => {
      // A result (or refusal) was for the values before this change: it no longer speaks for the form.
      setChecked(null);
      setSaved(false);
      setError(null);
    },
  });
  const { formRef, check } = useFormCheck(form);
  const [checked, setChecked] = useState<PracticeServerCheckView | null>(null);
  const [saved, setSaved] = useState(false);
  const [disconnected, setDisconnected] = useState(false);
  const [confirming, setConfirming] = useState(false);

  /** Validates; null (and focus on the first invalid field, no earlier result left beside it) when something is missing. */
  const read = (): ChannelInput<'practiceServer.configure'> | null => {
    if (check()) return toServerInput(form.getValues());
    setChecked(null);
    setError(null);
    return null;
  };

  /** Run one of the form's actions (`title`: what did not happen, if it fails). */
  const run = (kind: 'test' | 'save' | 'disconnect', title: string, fn: () => Promise<void>) => {
    setChecked(null);
    setSaved(false);
    setDisconnected(false);
    return act(fn, kind, title);
  };

  const testNow = () => {
    const input = read();
    if (!input) return;
    void run('test', 'The connection test failed. Nothing was saved.', async () => setChecked(await api.test(input)));
  };

  const save = (ev: FormEvent) => {
    ev.preventDefault();
    const input = read();
    if (!input) return;
    void run('save', 'Not connected. Nothing was saved.', async () => {
      const next = await api.configure(input);
      form.setFieldValue('password', '');
      form.resetDirty();
      setSaved(next.state === 'active');
    });
  };

  const disconnect = () => {
    setConfirming(false);
    void run('disconnect', 'The workstation was not disconnected.', async () => {
      await api.disconnect();
      setDisconnected(true);
    });
  };

  return (
    <form onSubmit={save} noValidate ref={formRef} aria-label="Practice server connection">
      <fieldset disabled={busy !== null} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput id="practice-server-host" label="Database server (name or IP address)" {...form.getInputProps('host')} required autoComplete="off" spellCheck={false} />
            <NumberInput id="practice-server-port" label="Database port" {...form.getInputProps('port')} min={1} max={65535} clampBehavior="none" allowDecimal={false} allowNegative={false} required />
            <TextInput id="practice-server-database" label="Database name" {...form.getInputProps('database')} required autoComplete="off" spellCheck={false} />
            <TextInput id="practice-server-user" label="Database user name" {...form.getInputProps('user')} required autoComplete="off" spellCheck={false} />
            <PasswordInput
              id="practice-server-password"
              label="Database password"
              description={passwordSet ? 'Set. Stored only in this computer’s encrypted vault; leave empty to keep it.' : 'Stored only in this computer’s encrypted vault, never shown again.'}
              {...form.getInputProps('password')}
              required={!passwordSet}
              autoComplete="new-password"
            />
          </SimpleGrid>
          <Textarea
            id="practice-server-ca"
            label="CA certificate (from your IT provider)"
            description="The certificate that signed the server’s certificate, as text (PEM): from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----. ReleaseDesk connects only when the server proves it with this certificate."
            {...form.getInputProps('caPem')}
            required
            autosize
            minRows={4}
            maxRows={10}
            spellCheck={false}
            autoComplete="off"
            styles={{ input: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 } }}
          />
          <Group>
            <Button variant="default" onClick={testNow} loading={busy === 'test'}>
              Test practice server connection
            </Button>
            <Button type="submit" loading={busy === 'save'}>
              Save and connect
            </Button>
            {status.state === 'active' ? (
              <Button variant="subtle" color="red" onClick={() => setConfirming(true)} loading={busy === 'disconnect'}>
                Disconnect
              </Button>
            ) : null}
          </Group>
          <div aria-live="polite">
            {checked ? (
              <Alert color="green" variant="light" role="status" title="Connection works" data-testid="practice-server-test-ok">
                Encrypted with {tls(checked.tlsVersion)} ({checked.tlsCipher}), and the server proved its identity with your CA certificate. PostgreSQL{' '}
                {checked.serverVersion.split(' ')[0]}. Nothing was saved yet: choose “Save and connect” to use this server.
              </Alert>
            ) : null}
            {saved ? <SavedBanner link={status.link} /> : null}
            {disconnected ? (
              <Alert color="blue" variant="light" role="status" title="Disconnected" data-testid="practice-server-disconnected">
                This workstation no longer uses the practice server, and its password was erased.
              </Alert>
            ) : null}
          </div>
          <ErrorAlert error={error} title={errorTitle ?? undefined} hideFixLink />
        </Stack>
      </fieldset>
      <DialogModal opened={confirming} onClose={() => setConfirming(false)} title="Disconnect from the practice server?">
        <Stack gap="sm">
          <Text size="sm">This workstation stops using the practice server and its stored password is erased. The server’s data is not changed.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep connected
            </Button>
            <Button color="red" onClick={disconnect}>
              Disconnect
            </Button>
          </Group>
        </Stack>
      </DialogModal>
    </form>
  );
}
