import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Group, List, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { STEP, useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { EmailCheckAlerts } from '../../../components/EmailCheckAlerts';
import { CertificatePanel } from './CertificatePanel';
import { formatDateTime } from '../../../lib/format';
import { AddressConfirmation } from '../AddressConfirmation';
import { sameTyped } from '../../requests/DestinationCheck';
import { KeySummary } from './KeySummary';
import { FIELD_IDS, recipientErrors, recipientValues, toRecipient, typedNew, type RecipientFacts, type RecipientValues } from './recipient-form';

/**
 * Step 3: who receives the records and, when they have one, their OpenPGP public key
 * (`recipients.*`, `releases.setRecipient`) — or, once saved without a key, their S/MIME certificate (CertificatePanel). Without a key the fingerprint confirmation is not asked; the
 * Delivery step then offers the password-protected PDF and the other non-OpenPGP methods.
 *
 * Misdirected-email safeguard: the form starts from the request's first recipient (name, and destination when it
 * is an email address); a typo suggestion, a look-alike warning or an address the request does not name needs the
 * "I confirmed this exact address" checkbox (sent as `addressConfirmed`; the service refuses ADDRESS_NOT_CONFIRMED
 * otherwise and the gate blocks a mismatch with the request).
 */
export function RecipientStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const emailCheck = useWizardStore((s) => s.emailCheck);
  const key = useWizardStore((s) => s.key);
  const keyError = useWizardStore((s) => s.keyError);
  const request = useWizardStore((s) => s.request);
  const { checkEmail, inspectKey, clearKey, setRecipient, goTo, refresh } = useWizardStore.getState();

  const existing = release?.recipient ?? null;
  const named = request?.request.recipients ?? [];
  const [editing, setEditing] = useState(existing === null);
  const form = useForm<RecipientValues>({ mode: 'controlled', initialValues: recipientValues(existing, request) });
  // The address the form started with (its initial values); an address typed here instead is typed a second time.
  const startEmail = form.getInitialValues().email;
  // The request may arrive after the form was made (a draft resumed from Releases): prefill from it then, unless staff already typed.
  const prefilled = useRef(request !== null);
  useEffect(() => {
    if (prefilled.current || !request || existing) return;
    prefilled.current = true;
    if (form.isDirty()) return;
    const start = recipientValues(null, request);
    form.setInitialValues(start);
    form.setValues(start);
  }, [request, existing, form]);
  // The address the recipient confirmed by reading back an emailed code (AddressConfirmation), for this patient.
  const [codeConfirmed, setCodeConfirmed] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  if (!release) return null;

  if (existing && !editing) {
    return (
      <Stack gap="md">
        <Text>
          Records go to <strong>{existing.name}</strong> &lt;{existing.email}&gt;
          {existing.key ? <>, who has this OpenPGP key{existing.fingerprintConfirmed ? ' (fingerprint confirmed).' : '.'}</> : '.'}
        </Text>
        {existing.addressConfirmed?.method === 'code' ? (
          <Text size="sm" data-testid="recipient-address-confirmed">
            Confirmed on {formatDateTime(existing.addressConfirmed.at)} by code (recorded by {existing.addressConfirmed.by}).
          </Text>
        ) : existing.addressConfirmed ? (
          <Text size="sm" data-testid="recipient-address-confirmed">
            Address confirmed with the recipient by {existing.addressConfirmed.by}, {formatDateTime(existing.addressConfirmed.at)}.
          </Text>
        ) : release.status === 'draft' || release.status === 'failed' || release.status === 'bounced' ? (
          <AddressConfirmation releaseId={release.id} email={existing.email} onConfirmed={() => void refresh()} />
        ) : null}
        {existing.key ? (
          <KeySummary info={existing.key} />
        ) : (
          <>
            <Text size="sm">No OpenPGP key on file for this recipient.</Text>
            <CertificatePanel editable={release.status === 'draft' || release.status === 'failed'} />
          </>
        )}
        <Group justify="space-between">
          <Group>
            <Button variant="default" onClick={() => goTo(STEP.records)}>Back</Button>
            {release.status === 'draft' || release.status === 'failed' ? (
              <Button variant="outline" onClick={() => { clearKey(); setEditing(true); }}>Change recipient</Button>
            ) : null}
          </Group>
          <Button onClick={() => goTo(STEP.delivery)}>Next: delivery</Button>
        </Group>
      </Stack>
    );
  }

  const v = form.values;
  const email = v.email.trim();
  const check = emailCheck && emailCheck.email === email ? emailCheck : null;
  const destinations = named.map((r) => r.destination);
  const mismatch = request !== null && email !== '' && !destinations.some((d) => sameTyped(d, email));
  const byCode = codeConfirmed !== null && sameTyped(codeConfirmed, email);
  const askedFor = (c: typeof check) => mismatch || (!!c?.valid && (!!c.suggestion || !!c.warning));
  const facts = (c: typeof check): RecipientFacts => ({ startEmail, check: c, needsConfirm: !byCode && askedFor(c), key, keyError, checkingKey: busy === 'key' });
  const errors = recipientErrors(v, facts(check));
  const needsConfirm = facts(check).needsConfirm;
  const againOk = !errors.emailAgain;
  const emailError = errors.email && (submitted || (check && !check.valid)) ? errors.email : undefined;

  /** A new address: the confirmation given for the previous one no longer counts. */
  const setEmail = (value: string) => form.setValues({ email: value, addressConfirmed: false });
  /** A change of key (or of having one): the key is checked again and its fingerprint confirmed again. */
  const changeKey = (patch: Partial<RecipientValues>) => {
    form.setValues({ ...patch, confirmed: false });
    clearKey();
  };
  const field = (path: keyof RecipientValues) => form.getInputProps(path);
  const box = (path: keyof RecipientValues) => form.getInputProps(path, { type: 'checkbox' });

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    let fresh = check;
    if (!fresh && email) {
      await checkEmail(email);
      const c = useWizardStore.getState().emailCheck;
      fresh = c && c.email === email ? c : null;
    }
    const now = recipientErrors(form.getValues(), facts(fresh));
    const first = FIELD_IDS.find(([path]) => now[path]);
    if (first) {
      document.getElementById(first[1])?.focus();
      return;
    }
    if (await setRecipient(toRecipient(form.getValues()))) setEditing(false);
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Recipient">
      <Stack gap="md">
        <Text>
          Who receives the records? If the recipient has an OpenPGP public key, ReleaseDesk encrypts to it so only they can
          open the records; without one, you choose another delivery method next.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput id="recipient-name" label="Recipient name" required {...field('name')} error={submitted ? errors.name : undefined} />
          <div>
            <TextInput id="recipient-email" label="Recipient email" type="email" required {...field('email')}
              onChange={(e) => setEmail(e.currentTarget.value)} onBlur={() => void checkEmail(v.email)} error={emailError} />
            {typedNew(v, startEmail) ? (
              <TextInput id="recipient-email-confirm" label="Type the email address again" autoComplete="off" mt="xs" {...field('emailAgain')}
                error={(submitted || v.emailAgain.trim() !== '') && errors.emailAgain ? errors.emailAgain : undefined} />
            ) : null}
            <EmailCheckAlerts check={check} offerFix mt="xs" onUse={(s) => { setEmail(s); void checkEmail(s); }} />
          </div>
        </SimpleGrid>
        {mismatch ? (
          <Alert color="orange" variant="light" role="status" title="Not the address the request names">
            <Text size="sm">The request says to send the records to:</Text>
            <List size="sm">{destinations.map((d, i) => <List.Item key={`${i}-${d}`}>{d}</List.Item>)}</List>
            <Text size="sm">Sending elsewhere needs the recipient’s confirmation of this exact address.</Text>
          </Alert>
        ) : null}
        {needsConfirm ? (
          <Checkbox id="recipient-address-confirm" {...box('addressConfirmed')}
            label={`I confirmed this exact address (${email}) with the recipient`}
            description="Read it back letter by letter by phone or in person. Your name and the time are recorded. Or confirm it with a code below."
            error={submitted ? errors.addressConfirmed : undefined} />
        ) : null}
        {askedFor(check) && check?.valid && againOk ? (
          <AddressConfirmation key={email.toLowerCase()} releaseId={release.id} email={v.email} onConfirmed={(s) => s.confirmed && setCodeConfirmed(email)} />
        ) : null}
        <Switch id="recipient-has-key" checked={v.hasKey} size="md"
          onChange={(e) => changeKey({ hasKey: e.currentTarget.checked })}
          label="The recipient has an OpenPGP key"
          description={v.hasKey ? 'Strongest: only the recipient can open the records.' : 'Without a key you can import the recipient’s S/MIME certificate after saving, or send a password-protected PDF, save to a drive or print (next step).'} />
        {v.hasKey ? (
          <>
            <Textarea id="recipient-key" label="Recipient’s public key (OpenPGP, ASCII-armored)"
              description="Starts with “-----BEGIN PGP PUBLIC KEY BLOCK-----”. Ask the recipient to send it to you."
              required autosize minRows={4} maxRows={10} value={v.armored}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
              onChange={(e) => changeKey({ armored: e.currentTarget.value })}
              onBlur={() => { if (v.armored.trim() && !key) void inspectKey(v.armored); }}
              error={(submitted || keyError) && errors.armored ? errors.armored : undefined} />
            <Group>
              <Button variant="outline" type="button" onClick={() => void inspectKey(v.armored)} loading={busy === 'key'} disabled={!v.armored.trim()}>
                Check key
              </Button>
            </Group>
            {keyError ? <ErrorAlert error={keyError} title="This key cannot be used" /> : null}
            {key ? (
              <>
                <KeySummary info={key} />
                <Checkbox id="recipient-confirm" {...box('confirmed')}
                  label="I confirmed this fingerprint with the recipient by phone or in person"
                  description="Read the groups of four aloud and have the recipient compare them with their own."
                  error={submitted ? errors.confirmed : undefined} />
              </>
            ) : null}
          </>
        ) : null}
        <ErrorAlert error={error} title="The recipient was not saved" />
        <Group justify="space-between">
          <Group>
            <Button variant="default" type="button" onClick={() => goTo(STEP.records)}>Back</Button>
            {existing ? <Button variant="subtle" type="button" onClick={() => setEditing(false)}>Keep current recipient</Button> : null}
          </Group>
          <Group gap="md">
            <Text size="sm" c="dark.4">Next: choose how the records are delivered.</Text>
            <Button type="submit" loading={busy === 'recipient'} disabled={v.hasKey && !key}>Save recipient</Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
