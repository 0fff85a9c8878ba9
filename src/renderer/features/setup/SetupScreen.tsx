import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Container, Fieldset, Group, Loader, PasswordInput, Progress, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SmtpFields } from '../../components/SmtpFields';
import { focusFirstInvalid } from '../../lib/focus';
import { SmtpTestButton } from '../settings/SmtpTest';
import { PassphraseStrength } from './PassphraseStrength';
import { RestoreBackup } from './RestoreBackup';
import { initialSetupValues, toCreateVaultInput, validateSetup, type SetupValues } from './setup-form';
import { useSetupStore, type EmailCheck } from './store';
import { VaultReady } from './VaultReady';

function timeZones(current: string): string[] {
  const fn = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  const list = fn ? fn('timeZone') : [];
  return list.includes(current) ? list : [current, ...list];
}

/** First run: create the encrypted vault, the practice's OpenPGP key and the SMTP settings. */
export function SetupScreen() {
  const { strength, strengthFor, creating, practiceKey, error, checkPassphrase, createVault, checkSender } = useSetupStore();
  const form = useForm<SetupValues>({ initialValues: initialSetupValues() });
  const v = form.values;
  // Strength shown only for the passphrase it was computed for (never a stale answer for an older value).
  const shownStrength = strength && strengthFor === v.passphrase ? strength : null;
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  // recipients.checkEmail's answer for the sender address (typo suggestion), and the address staff kept as typed.
  const [senderCheck, setSenderCheck] = useState<{ email: string; result: EmailCheck } | null>(null);
  const [senderKept, setSenderKept] = useState<string | null>(null);
  /** Create was pressed before the strength check answered: create once it does (if the passphrase is strong enough). */
  const [createWhenChecked, setCreateWhenChecked] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(() => timeZones(v.practice.timeZone), []); // eslint-disable-line react-hooks/exhaustive-deps

  // Ask main for the strength once typing pauses (300 ms debounce).
  useEffect(() => {
    const t = window.setTimeout(() => void checkPassphrase(v.passphrase, [v.staffName, v.practice.name, v.practice.senderEmail]), 300);
    return () => window.clearTimeout(t);
  }, [v.passphrase]); // eslint-disable-line react-hooks/exhaustive-deps

  // The form holds the values; errors (shared schema + the form's own rules) follow every change and show for a
  // field once it was left (blur) or after the first submit.
  const errors = validateSetup(v, shownStrength ? shownStrength.acceptable : null);
  const show = (path: string) => (submitted || touched[path] ? errors[path] : undefined);
  const field = (path: string) => ({
    ...form.getInputProps(path),
    error: show(path),
    onBlur: () => setTouched((t) => ({ ...t, [path]: true })),
    // Mantine's PasswordInput does not set aria-invalid on its inner input by itself.
    'aria-invalid': show(path) ? true : undefined,
  });

  if (practiceKey) return <VaultReady practiceKey={practiceKey} />;

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length === 0 && !shownStrength) {
      // Pressed before the strength check answered (a fast typist, a password manager): ask now, go on when it answers.
      setCreateWhenChecked(true);
      void checkPassphrase(v.passphrase, [v.staffName, v.practice.name, v.practice.senderEmail]).then(() => {
        setCreateWhenChecked(false);
        const st = useSetupStore.getState();
        const now = st.strength && st.strengthFor === v.passphrase ? st.strength : null;
        if (now && Object.keys(validateSetup(v, now.acceptable)).length === 0) void checkSenderThenCreate();
        else window.setTimeout(() => focusFirstInvalid(formRef.current) || document.getElementById('setup-passphrase')?.focus(), 0);
      });
      return;
    }
    if (Object.keys(errors).length > 0) {
      // Move focus to the first field with an error so keyboard users land on it.
      window.setTimeout(() => focusFirstInvalid(formRef.current) || document.getElementById('setup-passphrase')?.focus(), 0);
      return;
    }
    void checkSenderThenCreate();
  };

  /** Check the sender address (typos like "gmial.com") with recipients.checkEmail before creating the vault. */
  const checkSenderThenCreate = async () => {
    const email = v.practice.senderEmail.trim();
    if (senderKept !== email) {
      const result = await checkSender(email);
      if (!result.valid || result.suggestion || result.warning) {
        setSenderCheck({ email, result });
        document.getElementById('setup-senderEmail')?.focus();
        return;
      }
    }
    setSenderCheck(null);
    void createVault(toCreateVaultInput(v));
  };

  const checked = senderCheck && senderCheck.email === v.practice.senderEmail.trim() ? senderCheck.result : null;
  const senderProblem = checked && !checked.valid ? (checked.problem ?? 'This email address is not valid.') : null;
  const senderSuggestion = checked && checked.valid ? checked : null;
  const smtpErrors = { host: show('smtp.host'), port: show('smtp.port'), username: show('smtp.username'), password: show('smtp.password') };

  return (
    <Container size="md" py="xl">
      <form onSubmit={onSubmit} noValidate aria-labelledby="setup-title" ref={formRef}>
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
              <PassphraseStrength passphrase={v.passphrase} strength={shownStrength} />
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
              <TextInput id="setup-practiceName" label="Practice name" required autoComplete="organization" {...field('practice.name')} />
              <Select id="setup-timeZone" label="Time zone" description="Used for due dates (calendar days)." required searchable data={zones}
                value={v.practice.timeZone} onChange={(z) => form.setFieldValue('practice.timeZone', z ?? '')} error={show('practice.timeZone')} allowDeselect={false} />
              <TextInput id="setup-practiceAddress" label="Postal address" description="One line: street, city, state, ZIP. Printed on forms and notices."
                required autoComplete="street-address" {...field('practice.address')} />
              <TextInput id="setup-practicePhone" label="Practice phone" required type="tel" autoComplete="tel" {...field('practice.phone')} />
              <TextInput id="setup-privacyName" label="Privacy officer" description="Named on notices as the contact for privacy questions and revocations."
                required {...field('practice.privacyOfficer.name')} />
              <TextInput id="setup-privacyPhone" label="Privacy officer phone (optional)" type="tel" {...field('practice.privacyOfficer.phone')} />
              <TextInput id="setup-privacyEmail" label="Privacy officer email (optional)" type="email" {...field('practice.privacyOfficer.email')} />
              <TextInput id="setup-senderName" label="Sender name" description="Shown to recipients, e.g. “Records, Lakeside Family Clinic”." required {...field('practice.senderName')} />
              <TextInput id="setup-senderEmail" label="Sender email" description="The address records are sent from." required type="email" autoComplete="email"
                {...field('practice.senderEmail')} {...(senderProblem ? { error: senderProblem, 'aria-invalid': true } : {})} />
            </SimpleGrid>
            {senderSuggestion && (senderSuggestion.suggestion || senderSuggestion.warning) ? (
              <Alert color="orange" variant="light" mt="sm" role="alert" title="Check the sender email" data-testid="sender-check">
                <Stack gap="xs">
                  {senderSuggestion.suggestion ? <Text size="sm">Did you mean {senderSuggestion.suggestion}?</Text> : null}
                  {senderSuggestion.warning ? <Text size="sm">{senderSuggestion.warning}</Text> : null}
                  <Group gap="sm">
                    {senderSuggestion.suggestion ? (
                      <Button size="xs" onClick={() => {
                        form.setFieldValue('practice.senderEmail', senderSuggestion.suggestion!);
                        setSenderKept(senderSuggestion.suggestion!);
                        setSenderCheck(null);
                      }}>
                        Use {senderSuggestion.suggestion}
                      </Button>
                    ) : null}
                    <Button size="xs" variant="default" onClick={() => {
                      setSenderKept(v.practice.senderEmail.trim());
                      setSenderCheck(null);
                    }}>
                      Keep {v.practice.senderEmail.trim()}
                    </Button>
                  </Group>
                </Stack>
              </Alert>
            ) : null}
          </Fieldset>

          <Fieldset legend="Outgoing email server (SMTP)" disabled={creating}>
            <Stack gap="sm">
              <Text size="sm">Ask whoever manages your practice’s email for these. ReleaseDesk never sends without TLS encryption.</Text>
              <SmtpFields idPrefix="setup" values={v.smtp} errors={smtpErrors} passwordRequired hostPlaceholder="smtp.example.com"
                onChange={(patch) => form.setFieldValue('smtp', { ...form.getValues().smtp, ...patch })}
                onBlur={(k) => setTouched((t) => ({ ...t, [`smtp.${k}`]: true }))} />
              <SmtpTestButton
                where="setup"
                disabled={creating}
                read={() => {
                  const bad = (['host', 'port', 'username', 'password'] as const).find((k) => errors[`smtp.${k}`]);
                  if (bad) {
                    setTouched((t) => ({ ...t, 'smtp.host': true, 'smtp.port': true, 'smtp.username': true, 'smtp.password': true }));
                    document.getElementById(`setup-${{ host: 'smtpHost', port: 'smtpPort', username: 'smtpUser', password: 'smtpPassword' }[bad]}`)?.focus();
                    return null;
                  }
                  return toCreateVaultInput(v).smtp;
                }}
              />
            </Stack>
          </Fieldset>

          <ErrorAlert error={error} title="The vault was not created" where="setup" />

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
            <Button type="submit" size="md" loading={creating || createWhenChecked}>
              Create vault
            </Button>
          </Group>
        </Stack>
      </form>
      {creating ? null : <RestoreBackup />}
    </Container>
  );
}
