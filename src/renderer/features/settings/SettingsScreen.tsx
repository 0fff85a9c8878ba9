import { portForSecurity, SmtpSecurityControl } from '../../components/SmtpSecurityControl';
import { useMayCall } from '../../lib/roles';
import { useIdleLockStore } from '../../app/idle-lock';
import { MyAccount } from './MyAccount';
import { StaffAccounts } from './StaffAccounts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  CopyButton,
  Fieldset,
  Group,
  Loader,
  NumberInput,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';
import { focusFirstInvalid, useFocusHeading } from '../../lib/focus';
import { ImportPracticeKey } from './ImportPracticeKey';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PracticeDetailsForm } from './PracticeDetailsForm';
import { Fingerprint } from '../../components/Fingerprint';
import { SmtpTestButton } from './SmtpTest';
import { BounceMailboxSettings } from './BounceMailboxSettings';
import { SmimeCertificateSettings } from './SmimeCertificateSettings';
import { RetentionSettings } from './RetentionSettings';
import { IdleLockSettings } from './IdleLockSettings';

type Settings = ChannelOutput<'settings.get'>;

interface SmtpForm {
  host: string;
  port: number | string;
  security: 'starttls' | 'tls';
  username: string;
  /** Empty: keep the stored password. */
  password: string;
}

function smtpErrors(f: SmtpForm): Partial<Record<keyof SmtpForm, string>> {
  const e: Partial<Record<keyof SmtpForm, string>> = {};
  if (!f.host.trim()) e.host = 'Enter the email server name.';
  const port = Number(f.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) e.port = 'Enter a port between 1 and 65535.';
  if (!f.username.trim()) e.username = 'Enter the email username.';
  return e;
}

const MB = 1_000_000;

/**
 * Settings: your account (every role); the practice (read-only) and the practice OpenPGP key (fingerprint, armored
 * PUBLIC key to copy) for everyone. The rest only for the roles that may change it, by the shared role table
 * (src/shared/roles.ts via lib/roles.ts): staff accounts, practice details, the outgoing email server, the size limit,
 * the automatic lock time, saving or importing the practice key, the S/MIME practice certificate and the bounce
 * mailbox (administrator); retention, legal holds, the purge and backup (privacy officer and administrator).
 */
export function SettingsScreen() {
  const heading = useFocusHeading();
  const may = {
    staff: useMayCall('accounts.list'),
    practice: useMayCall('settings.updatePractice'),
    smtp: useMayCall('settings.updateSmtp'),
    size: useMayCall('settings.setDelivery'),
    idleLock: useMayCall('settings.setIdleLock'),
    saveKey: useMayCall('settings.exportPracticeKey'),
    importKey: useMayCall('settings.importPracticeKey'),
    smime: useMayCall('settings.createSmimeCertificate'),
    bounces: useMayCall('settings.updateBounceMailbox'),
    retention: useMayCall('retention.setPolicy'),
  };
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [smtp, setSmtp] = useState<SmtpForm | null>(null);
  const [smtpSubmitted, setSmtpSubmitted] = useState(false);
  const [smtpBusy, setSmtpBusy] = useState(false);
  const [smtpSaved, setSmtpSaved] = useState(false);
  const [smtpError, setSmtpError] = useState<ApiError | null>(null);
  const [limitMb, setLimitMb] = useState<number | string>('');
  const [limitSaved, setLimitSaved] = useState(false);
  const [limitError, setLimitError] = useState<ApiError | null>(null);
  const [keySaved, setKeySaved] = useState<boolean | null>(null);
  const [keyError, setKeyError] = useState<ApiError | null>(null);
  const smtpFormRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    call('settings.get', {})
      .then((s) => {
        setSettings(s);
        setSmtp({ ...s.smtp, password: '' });
        setLimitMb(s.delivery.messageLimitBytes / MB);
      })
      .catch((e: unknown) => setLoadError(toApiError(e)));
  }, []);

  const errors = smtp ? smtpErrors(smtp) : {};
  const show = (k: keyof SmtpForm) => (smtpSubmitted ? errors[k] : undefined);
  const smtpInput = () =>
    smtp
      ? {
          host: smtp.host.trim(),
          port: Number(smtp.port),
          security: smtp.security,
          username: smtp.username.trim(),
          ...(smtp.password ? { password: smtp.password } : {}),
        }
      : null;
  const readForTest = () => {
    setSmtpSubmitted(true);
    if (Object.keys(errors).length > 0) {
      window.setTimeout(() => focusFirstInvalid(smtpFormRef.current), 0);
      return null;
    }
    return smtpInput();
  };

  const saveSmtp = async (ev: FormEvent) => {
    ev.preventDefault();
    setSmtpSubmitted(true);
    setSmtpSaved(false);
    setSmtpError(null);
    if (Object.keys(errors).length > 0) {
      window.setTimeout(() => focusFirstInvalid(smtpFormRef.current), 0);
      return;
    }
    setSmtpBusy(true);
    try {
      const shown = await call('settings.updateSmtp', smtpInput()!);
      setSmtp({ ...shown, password: '' });
      setSmtpSaved(true);
    } catch (e) {
      setSmtpError(toApiError(e));
    } finally {
      setSmtpBusy(false);
    }
  };

  const limitBytes = Math.round(Number(limitMb) * MB);
  const limitInvalid = !Number.isFinite(limitBytes) || limitBytes < 30_000 || limitBytes > 100_000_000;
  const saveLimit = async (ev: FormEvent) => {
    ev.preventDefault();
    setLimitSaved(false);
    setLimitError(null);
    if (limitInvalid) {
      document.getElementById('settings-limit')?.focus();
      return;
    }
    try {
      const d = await call('settings.setDelivery', { messageLimitBytes: limitBytes });
      setLimitMb(d.messageLimitBytes / MB);
      setLimitSaved(true);
    } catch (e) {
      setLimitError(toApiError(e));
    }
  };

  const saveKey = async () => {
    setKeySaved(null);
    setKeyError(null);
    try {
      setKeySaved((await call('settings.exportPracticeKey', {})).saved);
    } catch (e) {
      setKeyError(toApiError(e));
    }
  };

  return (
    <Stack gap="lg">
      <Title order={1} ref={heading} tabIndex={-1}>
        Settings
      </Title>
      <MyAccount />
      {may.staff ? <StaffAccounts /> : null}
      <ErrorAlert error={loadError} title="Settings could not be loaded" />
      {!settings || !smtp ? (
        loadError ? null : (
          <Group>
            <Loader size="sm" aria-hidden />
            <Text>Loading settings…</Text>
          </Group>
        )
      ) : (
        <>
          <Fieldset legend="Practice">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput label="Practice name" value={settings.practice.name} readOnly />
              <TextInput label="Time zone" value={settings.practice.timeZone} readOnly />
              <TextInput label="Sender name" value={settings.practice.senderName} readOnly />
              <TextInput label="Sender email" value={settings.practice.senderEmail} readOnly />
            </SimpleGrid>
            <Text size="sm" mt="xs" c="dark.4">
              These were set when ReleaseDesk was set up.
            </Text>
          </Fieldset>
          {may.practice ? <PracticeDetailsForm practice={settings.practice} onSaved={(practice) => setSettings({ ...settings, practice })} /> : null}

          {may.smtp ? (
            <form onSubmit={(e) => void saveSmtp(e)} noValidate ref={smtpFormRef} aria-labelledby="settings-smtp-legend">
              <Fieldset legend={<span id="settings-smtp-legend">Outgoing email server (SMTP)</span>} disabled={smtpBusy}>
                <Stack gap="sm">
                  <Text size="sm">ReleaseDesk never sends without TLS encryption. “Test connection” signs in and disconnects without sending an email.</Text>
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                    <TextInput
                      id="settings-smtpHost"
                      label="Server name"
                      required
                      value={smtp.host}
                      onChange={(e) => setSmtp({ ...smtp, host: e.currentTarget.value })}
                      error={show('host')}
                      aria-invalid={show('host') ? true : undefined}
                    />
                    <NumberInput
                      id="settings-smtpPort"
                      label="Port"
                      required
                      min={1}
                      max={65535}
                      allowDecimal={false}
                      hideControls
                      value={smtp.port}
                      onChange={(v) => setSmtp({ ...smtp, port: v })}
                      error={show('port')}
                      aria-invalid={show('port') ? true : undefined}
                    />
                  </SimpleGrid>
                  <SmtpSecurityControl
                    idPrefix="settings"
                    value={smtp.security}
                    onChange={(security) => setSmtp({ ...smtp, security, port: portForSecurity(security, smtp.port) as SmtpForm['port'] })}
                  />
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                    <TextInput
                      id="settings-smtpUser"
                      label="Username"
                      required
                      autoComplete="username"
                      value={smtp.username}
                      onChange={(e) => setSmtp({ ...smtp, username: e.currentTarget.value })}
                      error={show('username')}
                      aria-invalid={show('username') ? true : undefined}
                    />
                    <PasswordInput
                      id="settings-smtpPassword"
                      label="Password"
                      description="Leave empty to keep the stored password."
                      autoComplete="current-password"
                      value={smtp.password}
                      onChange={(e) => setSmtp({ ...smtp, password: e.currentTarget.value })}
                    />
                  </SimpleGrid>
                  <SmtpTestButton read={readForTest} disabled={smtpBusy} />
                  <ErrorAlert error={smtpError} title="The email server settings were not saved" hideFixLink />
                  <div aria-live="polite">
                    {smtpSaved ? (
                      <Alert color="green" variant="light" role="status" title="Email server settings saved" />
                  ) : null}
                </div>
                <Group>
                  <Button type="submit" loading={smtpBusy}>
                    Save email server settings
                  </Button>
                </Group>
              </Stack>
            </Fieldset>
          </form>
          ) : null}

          {may.size ? (
            <form onSubmit={(e) => void saveLimit(e)} noValidate aria-labelledby="settings-size-legend">
              <Fieldset legend={<span id="settings-size-legend">Message size limit</span>}>
                <Stack gap="sm">
                  <NumberInput
                    id="settings-limit"
                    label="Largest attachment per email (MB)"
                    description="Larger releases are split into several emails. Many email providers refuse messages over 20–25 MB."
                    min={0.03}
                    max={100}
                    decimalScale={2}
                    value={limitMb}
                    onChange={setLimitMb}
                    error={limitInvalid ? 'Enter a size from 0.03 to 100 MB.' : undefined}
                    aria-invalid={limitInvalid ? true : undefined}
                  />
                  <ErrorAlert error={limitError} title="The size limit was not saved" />
                  <div aria-live="polite">{limitSaved ? <Alert color="green" variant="light" role="status" title="Size limit saved" /> : null}</div>
                  <Group>
                    <Button type="submit" variant="default">
                      Save size limit
                    </Button>
                  </Group>
                </Stack>
              </Fieldset>
            </form>
          ) : null}

          {may.idleLock ? <IdleLockSettings /> : <IdleLockNote />}

          <Fieldset legend="Practice OpenPGP key">
            <Stack gap="sm">
              <Text size="sm">
                Every release sent with OpenPGP is signed with this key, and the key travels inside each encrypted message.
                Give recipients the key file below, and read them the fingerprint by phone or in person so they can check it.
              </Text>
              <div>
                <Text fw={600} mb={4}>
                  Fingerprint
                </Text>
                <Fingerprint value={settings.practiceKey.fingerprint} label="Practice key fingerprint" />
              </div>
              <Textarea
                label="Public key (safe to share)"
                value={settings.practicePublicKeyArmored}
                readOnly
                autosize
                minRows={4}
                maxRows={10}
                styles={{ input: { fontFamily: 'ui-monospace, monospace', fontSize: 12 } }}
                data-testid="practice-public-key"
              />
              <Group>
                <CopyButton value={settings.practicePublicKeyArmored}>
                  {({ copied, copy }) => (
                    <Button variant="default" onClick={copy} aria-live="polite">
                      {copied ? 'Copied' : 'Copy public key'}
                    </Button>
                  )}
                </CopyButton>
                {may.saveKey ? (
                  <Button variant="default" onClick={() => void saveKey()}>
                    Save key file (practice-key.asc)…
                  </Button>
                ) : null}
              </Group>
              <div aria-live="polite">
                {keySaved === true ? (
                  <Alert color="green" variant="light" role="status" title="Key file saved as practice-key.asc" />
                ) : keySaved === false ? (
                  <Text size="sm">Not saved.</Text>
                ) : null}
              </div>
              <ErrorAlert error={keyError} title="The key file was not saved" />
              {may.importKey ? (
                <ImportPracticeKey
                  onImported={() =>
                    void call('settings.get', {})
                      .then(setSettings)
                      .catch((e: unknown) => setLoadError(toApiError(e)))
                  }
                />
              ) : null}
            </Stack>
          </Fieldset>

          {may.smime ? <SmimeCertificateSettings /> : null}

          {may.bounces ? <BounceMailboxSettings /> : null}

          {may.retention ? <RetentionSettings /> : null}
        </>
      )}
    </Stack>
  );
}

/** The automatic lock time for roles that cannot change it: what it is and who changes it. */
function IdleLockNote() {
  const minutes = useIdleLockStore((s) => s.idleMinutes);
  return (
    <Fieldset legend="Automatic lock">
      <Text size="sm">
        ReleaseDesk locks after {minutes} {minutes === 1 ? 'minute' : 'minutes'} without activity and clears patient information from the screen. Your
        administrator sets this time.
      </Text>
    </Fieldset>
  );
}
