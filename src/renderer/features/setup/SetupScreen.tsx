import { portForSecurity, SmtpSecurityControl } from '../../components/SmtpSecurityControl';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Container,
  Fieldset,
  Group,
  Loader,
  NumberInput,
  PasswordInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useSetupStore } from './store';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Fingerprint } from '../../components/Fingerprint';
import { SmtpTestButton } from '../settings/SmtpTest';
import { RestoreBackup } from './RestoreBackup';
import { call } from '../../lib/call';
import type { ChannelOutput } from '../../../shared/contract';

const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
const STRENGTH_COLORS = ['red', 'red', 'orange', 'teal', 'green'] as const;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function defaultTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York';
  } catch {
    return 'America/New_York';
  }
}

function timeZones(current: string): string[] {
  const fn = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  const list = fn ? fn('timeZone') : [];
  return list.includes(current) ? list : [current, ...list];
}

interface Form {
  passphrase: string;
  confirm: string;
  staffName: string;
  practiceName: string;
  senderName: string;
  senderEmail: string;
  timeZone: string;
  practiceAddress: string;
  practicePhone: string;
  privacyName: string;
  privacyPhone: string;
  privacyEmail: string;
  smtpHost: string;
  smtpPort: number | string;
  security: 'starttls' | 'tls';
  smtpUser: string;
  smtpPassword: string;
}

type Errors = Partial<Record<keyof Form, string>>;

function validate(f: Form, passphraseAcceptable: boolean | null): Errors {
  const e: Errors = {};
  if (!f.passphrase) e.passphrase = 'Choose a passphrase.';
  else if (passphraseAcceptable === false) e.passphrase = 'This passphrase is too easy to guess. Add more words.';
  if (f.confirm !== f.passphrase) e.confirm = 'The two passphrases do not match.';
  if (!f.staffName.trim()) e.staffName = 'Enter your name.';
  if (!f.practiceName.trim()) e.practiceName = 'Enter the practice name.';
  if (!f.senderName.trim()) e.senderName = 'Enter the sender name.';
  if (!EMAIL_RE.test(f.senderEmail.trim())) e.senderEmail = 'Enter a valid email address, like records@example.com.';
  if (!f.timeZone) e.timeZone = 'Choose the practice’s time zone.';
  // Printed on authorization forms (where to send a revocation, 164.508(c)(2)(i)) and notices.
  if (!f.practiceAddress.trim()) e.practiceAddress = 'Enter the practice’s postal address; forms tell patients to write to it.';
  if (!f.practicePhone.trim()) e.practicePhone = 'Enter the practice’s phone number.';
  if (!f.privacyName.trim()) e.privacyName = 'Enter who handles privacy questions (the privacy officer).';
  if (f.privacyEmail.trim() && !EMAIL_RE.test(f.privacyEmail.trim())) e.privacyEmail = 'Enter a valid email address, or leave it empty.';
  if (!f.smtpHost.trim()) e.smtpHost = 'Enter the email server name.';
  const port = Number(f.smtpPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) e.smtpPort = 'Enter a port between 1 and 65535.';
  if (!f.smtpUser.trim()) e.smtpUser = 'Enter the email username.';
  if (!f.smtpPassword) e.smtpPassword = 'Enter the email password.';
  return e;
}

/** First run: create the encrypted vault, the practice's OpenPGP key and the SMTP settings. */
export function SetupScreen() {
  const { strength, strengthFor, creating, practiceKey, error, checkPassphrase, createVault } = useSetupStore();
  const refresh = useAppStore((s) => s.refresh);
  const navigate = useAppStore((s) => s.navigate);
  const [form, setForm] = useState<Form>(() => ({
    passphrase: '',
    confirm: '',
    staffName: '',
    practiceName: '',
    senderName: '',
    senderEmail: '',
    timeZone: defaultTimeZone(),
    practiceAddress: '',
    practicePhone: '',
    privacyName: '',
    privacyPhone: '',
    privacyEmail: '',
    smtpHost: '',
    smtpPort: 587,
    security: 'starttls',
    smtpUser: '',
    smtpPassword: '',
  }));
  const [touched, setTouched] = useState<Partial<Record<keyof Form, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  // recipients.checkEmail's answer for the sender address (typo suggestion), and the address staff kept as typed.
  const [senderCheck, setSenderCheck] = useState<{ email: string; result: ChannelOutput<'recipients.checkEmail'> } | null>(null);
  const [senderKept, setSenderKept] = useState<string | null>(null);
  const zones = useMemo(() => timeZones(form.timeZone), []); // eslint-disable-line react-hooks/exhaustive-deps

  // Ask main for the strength once typing pauses (300 ms debounce).
  useEffect(() => {
    const t = window.setTimeout(() => void checkPassphrase(form.passphrase, [form.staffName, form.practiceName, form.senderEmail]), 300);
    return () => window.clearTimeout(t);
  }, [form.passphrase]); // eslint-disable-line react-hooks/exhaustive-deps

  const currentStrength = strength && strengthFor === form.passphrase ? strength : null;
  const errors = validate(form, currentStrength ? currentStrength.acceptable : null);
  const show = (k: keyof Form) => (submitted || touched[k] ? errors[k] : undefined);
  const field = <K extends keyof Form>(k: K) => ({
    value: form[k] as string,
    onChange: (ev: { currentTarget: { value: string } }) => {
      const value = ev.currentTarget.value;
      setForm((f) => ({ ...f, [k]: value }));
    },
    onBlur: () => setTouched((t) => ({ ...t, [k]: true })),
    error: show(k),
    // Mantine's PasswordInput does not set aria-invalid on its inner input by itself.
    'aria-invalid': show(k) ? true : undefined,
  });

  if (practiceKey) {
    return (
      <Container size="sm" py="xl">
        <Stack gap="lg">
          <Title order={1}>Your vault is ready</Title>
          <Text>
            ReleaseDesk created the encrypted vault and the practice’s OpenPGP key. Records you release are signed with this
            key, so recipients can check they really come from your practice.
          </Text>
          <div>
            <Text fw={600} mb={4} id="practice-fpr-label">
              Practice key fingerprint
            </Text>
            <Fingerprint value={practiceKey.fingerprint} label="Practice key fingerprint" />
            <Text size="sm" c="dimmed" mt={6}>
              Recipients may ask you to read this out to them. You can see it again, and save the key file for recipients, under Settings.
            </Text>
          </div>
          <Text>
            <strong>Next:</strong> record the first request for records, then start its release.
          </Text>
          <Group>
            <Button
              size="md"
              onClick={() => {
                navigate({ name: 'requests' });
                void refresh();
              }}
            >
              Continue to requests
            </Button>
          </Group>
        </Stack>
      </Container>
    );
  }

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0 || !currentStrength) {
      // Move focus to the first field with an error so keyboard users land on it.
      const first = (Object.keys(errors)[0] ?? 'passphrase') as keyof Form;
      document.getElementById(`setup-${first}`)?.focus();
      return;
    }
    void checkSenderThenCreate();
  };

  /** Check the sender address (typos like "gmial.com") with recipients.checkEmail before creating the vault. */
  const checkSenderThenCreate = async () => {
    const email = form.senderEmail.trim();
    if (senderKept !== email) {
      let result: ChannelOutput<'recipients.checkEmail'>;
      try {
        result = await call('recipients.checkEmail', { email });
      } catch {
        result = { valid: true, suggestion: null, problem: null, warning: null };
      }
      if (!result.valid || result.suggestion || result.warning) {
        setSenderCheck({ email, result });
        document.getElementById('setup-senderEmail')?.focus();
        return;
      }
    }
    setSenderCheck(null);
    void createVault({
      passphrase: form.passphrase,
      staffName: form.staffName.trim(),
      practice: {
        name: form.practiceName.trim(),
        senderName: form.senderName.trim(),
        senderEmail: form.senderEmail.trim(),
        timeZone: form.timeZone,
        address: form.practiceAddress.trim(),
        phone: form.practicePhone.trim(),
        privacyOfficer: {
          name: form.privacyName.trim(),
          ...(form.privacyPhone.trim() ? { phone: form.privacyPhone.trim() } : {}),
          ...(form.privacyEmail.trim() ? { email: form.privacyEmail.trim() } : {}),
        },
      },
      smtp: {
        host: form.smtpHost.trim(),
        port: Number(form.smtpPort),
        security: form.security,
        username: form.smtpUser.trim(),
        password: form.smtpPassword,
      },
    });
  };

  const senderProblem =
    senderCheck && senderCheck.email === form.senderEmail.trim()
      ? senderCheck.result.valid
        ? null
        : (senderCheck.result.problem ?? 'This email address is not valid.')
      : null;
  const senderSuggestion = senderCheck && senderCheck.email === form.senderEmail.trim() && senderCheck.result.valid ? senderCheck.result : null;

  const score = currentStrength?.score ?? 0;
  return (
    <Container size="md" py="xl">
      <form onSubmit={onSubmit} noValidate aria-labelledby="setup-title">
        <Stack gap="lg">
          <div>
            <Title order={1} id="setup-title">
              Set up ReleaseDesk
            </Title>
            <Text mt="xs">
              This takes about two minutes. Everything you enter stays on this computer, in an encrypted vault that only
              opens with your passphrase.
            </Text>
          </div>

          <Fieldset legend="Vault passphrase" disabled={creating}>
            <Stack gap="sm">
              <Text size="sm">
                Use four or more unrelated words. If the passphrase is lost, the vault cannot be opened — write it down and
                keep it somewhere safe.
              </Text>
              <PasswordInput id="setup-passphrase" label="Passphrase" required autoComplete="new-password" {...field('passphrase')} />
              <div aria-live="polite" id="setup-strength">
                {form.passphrase ? (
                  currentStrength ? (
                    <Stack gap={4}>
                      <Progress
                        value={(score + 1) * 20}
                        color={STRENGTH_COLORS[score]}
                        aria-label="Passphrase strength"
                        size="md"
                      />
                      <Text size="sm" fw={600} c={currentStrength.acceptable ? 'teal.9' : 'red.9'}>
                        Strength: {STRENGTH_LABELS[score]}
                        {currentStrength.acceptable ? ' — good enough' : ' — too easy to guess'}
                      </Text>
                      {currentStrength.warning ? <Text size="sm">{currentStrength.warning}</Text> : null}
                      {currentStrength.suggestions.map((s) => (
                        <Text size="sm" key={s} c="dark.4">
                          {s}
                        </Text>
                      ))}
                    </Stack>
                  ) : (
                    <Text size="sm" c="dark.4">
                      Checking strength…
                    </Text>
                  )
                ) : null}
              </div>
              <PasswordInput id="setup-confirm" label="Confirm passphrase" required autoComplete="new-password" {...field('confirm')} />
            </Stack>
          </Fieldset>

          <Fieldset legend="You" disabled={creating}>
            <TextInput
              id="setup-staffName"
              label="Your name"
              description="You become the first administrator and sign in with this name. The audit log names you for everything you do."
              required
              autoComplete="name"
              {...field('staffName')}
            />
          </Fieldset>

          <Fieldset legend="Practice" disabled={creating}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput id="setup-practiceName" label="Practice name" required autoComplete="organization" {...field('practiceName')} />
              <Select
                id="setup-timeZone"
                label="Time zone"
                description="Used for due dates (calendar days)."
                required
                searchable
                data={zones}
                value={form.timeZone}
                onChange={(v) => setForm((f) => ({ ...f, timeZone: v ?? '' }))}
                error={show('timeZone')}
                allowDeselect={false}
              />
              <TextInput id="setup-practiceAddress" label="Postal address" description="One line: street, city, state, ZIP. Printed on forms and notices."
                required autoComplete="street-address" {...field('practiceAddress')} />
              <TextInput id="setup-practicePhone" label="Practice phone" required type="tel" autoComplete="tel" {...field('practicePhone')} />
              <TextInput id="setup-privacyName" label="Privacy officer" description="Named on notices as the contact for privacy questions and revocations."
                required {...field('privacyName')} />
              <TextInput id="setup-privacyPhone" label="Privacy officer phone (optional)" type="tel" {...field('privacyPhone')} />
              <TextInput id="setup-privacyEmail" label="Privacy officer email (optional)" type="email" {...field('privacyEmail')} />
              <TextInput
                id="setup-senderName"
                label="Sender name"
                description="Shown to recipients, e.g. “Records, Lakeside Family Clinic”."
                required
                {...field('senderName')}
              />
              <TextInput
                id="setup-senderEmail"
                label="Sender email"
                description="The address records are sent from."
                required
                type="email"
                autoComplete="email"
                {...field('senderEmail')}
                {...(senderProblem ? { error: senderProblem, 'aria-invalid': true } : {})}
              />
            </SimpleGrid>
            {senderSuggestion && (senderSuggestion.suggestion || senderSuggestion.warning) ? (
              <Alert color="orange" variant="light" mt="sm" role="alert" title="Check the sender email" data-testid="sender-check">
                <Stack gap="xs">
                  {senderSuggestion.suggestion ? <Text size="sm">Did you mean {senderSuggestion.suggestion}?</Text> : null}
                  {senderSuggestion.warning ? <Text size="sm">{senderSuggestion.warning}</Text> : null}
                  <Group gap="sm">
                    {senderSuggestion.suggestion ? (
                      <Button
                        size="xs"
                        onClick={() => {
                          setForm((f) => ({ ...f, senderEmail: senderSuggestion.suggestion! }));
                          setSenderKept(senderSuggestion.suggestion!);
                          setSenderCheck(null);
                        }}
                      >
                        Use {senderSuggestion.suggestion}
                      </Button>
                    ) : null}
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => {
                        setSenderKept(form.senderEmail.trim());
                        setSenderCheck(null);
                      }}
                    >
                      Keep {form.senderEmail.trim()}
                    </Button>
                  </Group>
                </Stack>
              </Alert>
            ) : null}
          </Fieldset>

          <Fieldset legend="Outgoing email server (SMTP)" disabled={creating}>
            <Stack gap="sm">
              <Text size="sm">Ask whoever manages your practice’s email for these. ReleaseDesk never sends without TLS encryption.</Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <TextInput id="setup-smtpHost" label="Server name" placeholder="smtp.example.com" required {...field('smtpHost')} />
                <NumberInput
                  id="setup-smtpPort"
                  label="Port"
                  required
                  min={1}
                  max={65535}
                  allowDecimal={false}
                  hideControls
                  value={form.smtpPort}
                  onChange={(v) => setForm((f) => ({ ...f, smtpPort: v }))}
                  onBlur={() => setTouched((t) => ({ ...t, smtpPort: true }))}
                  error={show('smtpPort')}
                />
              </SimpleGrid>
              <SmtpSecurityControl
                idPrefix="setup"
                value={form.security}
                onChange={(security) => setForm((f) => ({ ...f, security, smtpPort: portForSecurity(security, f.smtpPort) as Form['smtpPort'] }))}
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <TextInput id="setup-smtpUser" label="Username" required autoComplete="username" {...field('smtpUser')} />
                <PasswordInput id="setup-smtpPassword" label="Password" required autoComplete="current-password" {...field('smtpPassword')} />
              </SimpleGrid>
              <SmtpTestButton
                disabled={creating}
                read={() => {
                  const bad = (['smtpHost', 'smtpPort', 'smtpUser', 'smtpPassword'] as const).find((k) => errors[k]);
                  if (bad) {
                    setTouched((t) => ({ ...t, smtpHost: true, smtpPort: true, smtpUser: true, smtpPassword: true }));
                    document.getElementById(`setup-${bad}`)?.focus();
                    return null;
                  }
                  return {
                    host: form.smtpHost.trim(),
                    port: Number(form.smtpPort),
                    security: form.security,
                    username: form.smtpUser.trim(),
                    password: form.smtpPassword,
                  };
                }}
              />
            </Stack>
          </Fieldset>

          <ErrorAlert error={error} title="The vault was not created" />

          {creating ? (
            <Alert color="blue" variant="light" role="status" title="Creating the vault…">
              <Group gap="sm">
                <Loader size="sm" aria-hidden />
                <Text size="sm">Encrypting the vault and generating the practice’s OpenPGP key. This takes a few seconds.</Text>
              </Group>
              <Progress value={100} animated striped mt="sm" aria-label="Creating the vault" />
            </Alert>
          ) : null}

          <Group justify="space-between" align="center">
            <Text size="sm" c="dark.4">
              Next: ReleaseDesk shows the practice key fingerprint, then the requests list.
            </Text>
            <Button type="submit" size="md" loading={creating}>
              Create vault
            </Button>
          </Group>
        </Stack>
      </form>
      {creating ? null : <RestoreBackup />}
    </Container>
  );
}
