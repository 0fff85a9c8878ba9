import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Checkbox, Group, List, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { STEP, useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { CertificatePanel } from './CertificatePanel';
import { formatDateTime } from '../../../lib/format';
import { AddressConfirmation } from '../AddressConfirmation';
import { KeySummary } from './KeySummary';

/** A request destination that is an email address (not a postal address). */
const isEmailLike = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());
const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

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
  const first = named[0];
  const [editing, setEditing] = useState(existing === null);
  const [name, setName] = useState(existing?.name ?? first?.name ?? '');
  const [email, setEmail] = useState(existing?.email ?? (first && isEmailLike(first.destination) ? first.destination.trim() : ''));
  // An address typed here (not the one the request or the saved recipient gave) is typed a second time; never prefilled.
  const [startEmail] = useState(email);
  const [emailAgain, setEmailAgain] = useState('');
  const typedNew = email.trim().toLowerCase() !== startEmail.trim().toLowerCase() && email.trim() !== '';
  const againOk = !typedNew || emailAgain.trim().toLowerCase() === email.trim().toLowerCase();
  const [addressConfirmed, setAddressConfirmed] = useState(false);
  // The address the recipient confirmed by reading back an emailed code (AddressConfirmation), for this patient.
  const [codeConfirmed, setCodeConfirmed] = useState<string | null>(null);
  const [armored, setArmored] = useState('');
  const [hasKey, setHasKey] = useState(existing ? existing.key !== null : true);
  const [confirmed, setConfirmed] = useState(false);
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

  const check = emailCheck && emailCheck.email === email.trim() ? emailCheck : null;
  const destinations = named.map((r) => r.destination);
  const mismatch = request !== null && email.trim() !== '' && !destinations.some((d) => sameAddress(d, email));
  const byCode = codeConfirmed !== null && sameAddress(codeConfirmed, email);
  const needsConfirm = (c: typeof check) => !byCode && (mismatch || (!!c?.valid && (!!c.suggestion || !!c.warning)));
  const askedToConfirm = mismatch || (!!check?.valid && (!!check.suggestion || !!check.warning));
  const errors = {
    name: name.trim() ? undefined : 'Enter the recipient’s name.',
    email: !email.trim() ? 'Enter the recipient’s email address.' : check && !check.valid ? check.problem ?? 'This address is not valid.' : undefined,
    key: !hasKey ? undefined : !armored.trim() ? 'Paste the recipient’s public key.' : keyError ? keyError.message : !key && busy !== 'key' ? 'Check the key first.' : undefined,
    confirmed: !hasKey || confirmed ? undefined : 'Confirm the fingerprint with the recipient before sending anything.',
    address: !needsConfirm(check) || addressConfirmed ? undefined : 'Confirm this exact address with the recipient, or correct it.',
    again: againOk ? undefined : 'The two entries differ. Type the address again, exactly as the recipient gave it.',
  };
  const emailError = errors.email && (submitted || (check && !check.valid)) ? errors.email : undefined;

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    let fresh = check;
    if (!fresh && email.trim()) {
      await checkEmail(email);
      const c = useWizardStore.getState().emailCheck;
      fresh = c && c.email === email.trim() ? c : null;
    }
    const addressError = needsConfirm(fresh) && !addressConfirmed;
    const focus = errors.name ? 'recipient-name' : errors.email || (fresh && !fresh.valid) ? 'recipient-email' : errors.again ? 'recipient-email-confirm' : addressError ? 'recipient-address-confirm' : errors.key ? 'recipient-key' : errors.confirmed ? 'recipient-confirm' : null;
    if (focus) {
      document.getElementById(focus)?.focus();
      return;
    }
    const saved = hasKey
      ? await setRecipient({ name: name.trim(), email: email.trim(), armoredKey: armored, fingerprintConfirmed: confirmed, addressConfirmed })
      : await setRecipient({ name: name.trim(), email: email.trim(), fingerprintConfirmed: false, addressConfirmed });
    if (saved) {
      setEditing(false);
    }
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Recipient">
      <Stack gap="md">
        <Text>
          Who receives the records? If the recipient has an OpenPGP public key, ReleaseDesk encrypts to it so only they can
          open the records; without one, you choose another delivery method next.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput id="recipient-name" label="Recipient name" required value={name}
            onChange={(e) => setName(e.currentTarget.value)} error={submitted ? errors.name : undefined} />
          <div>
            <TextInput id="recipient-email" label="Recipient email" type="email" required value={email}
              onChange={(e) => { setEmail(e.currentTarget.value); setAddressConfirmed(false); }} onBlur={() => void checkEmail(email)} error={emailError} />
            {typedNew ? (
              <TextInput id="recipient-email-confirm" label="Type the email address again" autoComplete="off" mt="xs" value={emailAgain}
                onChange={(e) => setEmailAgain(e.currentTarget.value)}
                error={(submitted || emailAgain.trim() !== '') && errors.again ? errors.again : undefined} />
            ) : null}
            {check?.suggestion ? (
              <Alert color="yellow" variant="light" mt="xs" p="xs" role="status">
                <Group gap="xs">
                  <Text size="sm">{check.valid ? 'Did you mean' : 'Without the extra characters:'} <strong>{check.suggestion}</strong>{check.valid ? '?' : ''}</Text>
                  <Anchor component="button" type="button" size="sm" fw={600}
                    onClick={() => { const s = check.suggestion ?? ''; setEmail(s); setAddressConfirmed(false); void checkEmail(s); }}>
                    Use {check.suggestion}
                  </Anchor>
                </Group>
              </Alert>
            ) : null}
            {check?.valid && check.warning ? (
              <Alert color="orange" variant="light" mt="xs" p="xs" role="status" title="Look-alike address">
                <Text size="sm">{check.warning}</Text>
              </Alert>
            ) : null}
          </div>
        </SimpleGrid>
        {mismatch ? (
          <Alert color="orange" variant="light" role="status" title="Not the address the request names">
            <Text size="sm">The request says to send the records to:</Text>
            <List size="sm">{destinations.map((d, i) => <List.Item key={`${i}-${d}`}>{d}</List.Item>)}</List>
            <Text size="sm">Sending elsewhere needs the recipient’s confirmation of this exact address.</Text>
          </Alert>
        ) : null}
        {needsConfirm(check) ? (
          <Checkbox id="recipient-address-confirm" checked={addressConfirmed} onChange={(e) => setAddressConfirmed(e.currentTarget.checked)}
            label={`I confirmed this exact address (${email.trim()}) with the recipient`}
            description="Read it back letter by letter by phone or in person. Your name and the time are recorded. Or confirm it with a code below."
            error={submitted ? errors.address : undefined} />
        ) : null}
        {askedToConfirm && check?.valid && againOk ? (
          <AddressConfirmation key={email.trim().toLowerCase()} releaseId={release.id} email={email} onConfirmed={(s) => s.confirmed && setCodeConfirmed(email.trim())} />
        ) : null}
        <Switch id="recipient-has-key" checked={hasKey} size="md"
          onChange={(e) => { setHasKey(e.currentTarget.checked); clearKey(); setConfirmed(false); }}
          label="The recipient has an OpenPGP key"
          description={hasKey ? 'Strongest: only the recipient can open the records.' : 'Without a key you can import the recipient’s S/MIME certificate after saving, or send a password-protected PDF, save to a drive or print (next step).'} />
        {hasKey ? (
          <>
            <Textarea id="recipient-key" label="Recipient’s public key (OpenPGP, ASCII-armored)"
              description="Starts with “-----BEGIN PGP PUBLIC KEY BLOCK-----”. Ask the recipient to send it to you."
              required autosize minRows={4} maxRows={10} value={armored}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
              onChange={(e) => { setArmored(e.currentTarget.value); clearKey(); setConfirmed(false); }}
              onBlur={() => { if (armored.trim() && !key) void inspectKey(armored); }}
              error={(submitted || keyError) && errors.key ? errors.key : undefined} />
            <Group>
              <Button variant="outline" type="button" onClick={() => void inspectKey(armored)} loading={busy === 'key'} disabled={!armored.trim()}>
                Check key
              </Button>
            </Group>
            {keyError ? <ErrorAlert error={keyError} title="This key cannot be used" /> : null}
            {key ? (
              <>
                <KeySummary info={key} />
                <Checkbox id="recipient-confirm" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)}
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
            <Button type="submit" loading={busy === 'recipient'} disabled={hasKey && !key}>Save recipient</Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
