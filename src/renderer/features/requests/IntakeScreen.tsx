import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useForm } from '@mantine/form';
import { ActionIcon, Button, Checkbox, Fieldset, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type DocumentCategory, type LegalBasis } from '../../../shared/compliance';
import { DEFAULT_NOTICE_LANGUAGE, languageLabel, NOTICE_LANGUAGE_CODES } from '../../../shared/languages';
import { BASIS_LABELS, FORMAT_OPTIONS } from './labels';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { focusFirstInvalid } from '../../lib/focus';
import { localNow, toIntake, validateIntake, type IntakeValues, type RecipientRow, type Role } from './intake-form';
import { DestinationCheck, destinationProblem, isEmailDestination, type EmailCheckT } from './DestinationCheck';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useRequestsStore } from './store';

const ROLE_LABELS: Record<Role, string> = {
  patient: 'The patient',
  personal_representative: 'Personal representative',
  third_party: 'A third party (e.g. attorney, insurer, employer)',
  covered_entity: 'Another covered entity or provider',
  government: 'A government agency',
};

/** Requester roles that fit each legal basis (the first is the default). */
const ROLES_FOR: Record<LegalBasis, Role[]> = {
  right_of_access: ['patient', 'personal_representative'],
  patient_directed: ['patient', 'personal_representative'],
  authorization: ['third_party', 'covered_entity', 'government'],
  tpo: ['covered_entity', 'third_party'],
  required_by_law: ['government', 'third_party'],
  hhs: ['government'],
};

/** Intake of a request for records: patient, legal basis, requester, recipients, scope, form (`requests.create`). */
export function IntakeScreen() {
  const navigate = useAppStore((s) => s.navigate);
  const { create, checkEmail } = useRequestsStore.getState();
  const form = useForm<IntakeValues>({
    initialValues: {
      patient: { name: '', dateOfBirth: '', mrn: '' },
      preferredLanguage: DEFAULT_NOTICE_LANGUAGE,
      basis: 'right_of_access',
      requester: { role: 'patient', name: '', authority: '' },
      receivedAt: localNow(),
      recipients: [{ name: '', destination: '' }],
      scope: { categories: [], from: '', to: '' },
      format: 'pdf',
      directive: { inWriting: false, signed: false, signedDate: '', recipientNamed: false, destinationNamed: false },
      named: [],
      tpo: { purpose: 'treatment', reason: '' },
    },
    validate: validateIntake,
  });
  const v = form.values;
  const formRef = useRef<HTMLFormElement>(null);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // Email destinations checked in main (typo suggestion, look-alike), by the address as typed.
  const [emailChecks, setEmailChecks] = useState<Record<string, EmailCheckT>>({});
  const runCheck = async (dest: string): Promise<EmailCheckT | undefined> => {
    const d = dest.trim();
    if (!isEmailDestination(d)) return undefined;
    const c = emailChecks[d] ?? (await checkEmail(d)) ?? undefined;
    if (c) setEmailChecks((m) => ({ ...m, [d]: c }));
    return c;
  };
  const rowProblem = (r: RecipientRow, checks = emailChecks) => destinationProblem(r.destination, r.confirm ?? '', checks[r.destination.trim()], !!r.checked);

  // Once submitted, errors follow every change (an error appears or goes as the field is edited).
  useEffect(() => {
    if (submitted) form.setErrors(validateIntake(v));
  }, [submitted, v]); // eslint-disable-line react-hooks/exhaustive-deps

  const chooseBasis = (b: LegalBasis) => {
    form.setFieldValue('basis', b);
    form.setFieldValue('requester.role', ROLES_FOR[b][0]!);
  };
  const setRecipient = (i: number, patch: Partial<RecipientRow>) =>
    form.setFieldValue('recipients', v.recipients.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    const values = form.getValues();
    // Email destinations not yet checked (no blur happened) are checked now; a suggestion or warning then stops here.
    const fresh = { ...emailChecks };
    for (const r of values.recipients) {
      const c = await runCheck(r.destination);
      if (c) fresh[r.destination.trim()] = c;
    }
    const errors = validateIntake(values);
    form.setErrors(errors);
    if (Object.keys(errors).length > 0 || values.recipients.some((r) => rowProblem(r, fresh))) {
      window.setTimeout(() => focusFirstInvalid(formRef.current), 0);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const created = await create(toIntake(values));
      navigate({ name: 'request', requestId: created.id });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const field = (path: string) => form.getInputProps(path);
  const { basis } = v;
  const role = v.requester.role;
  const categories = v.scope.categories;
  const recipients = v.recipients;

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="intake-title" ref={formRef}>
      <Stack gap="lg">
        <ScreenHeader
          title="New request"
          titleId="intake-title"
          subtitle="Record the request as it was received. The 30-day clock of a right-of-access request starts on the day of receipt."
          actions={<Button variant="default" onClick={() => navigate({ name: 'requests' })}>Back to requests</Button>}
        />

        <Fieldset legend="Patient">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput id="patient-name" label="Patient name" required {...field('patient.name')} />
            <TextInput id="patient-dob" type="date" label="Date of birth" required {...field('patient.dateOfBirth')} />
            <TextInput id="patient-mrn" label="Medical record number (MRN)" required {...field('patient.mrn')} />
          </SimpleGrid>
          <NativeSelect id="patient-language" mt="sm" label="Language for letters to the patient" style={{ maxWidth: 360 }} {...field('preferredLanguage')}
            description="Notices to the patient (extension, failed delivery) are written in this language. Ask the patient which they prefer."
            data={NOTICE_LANGUAGE_CODES.map((c) => ({ value: c, label: languageLabel(c) }))} />
        </Fieldset>

        <Fieldset legend="Legal basis and requester">
          <Stack gap="sm">
            <NativeSelect id="request-basis" label="Legal basis" value={basis}
              description="Right of access (45 CFR 164.524); a copy to a third party at the patient’s direction (164.524(c)(3)(ii)); a disclosure under an authorization (164.508); treatment, payment or operations (164.506)."
              data={(Object.keys(BASIS_LABELS) as LegalBasis[]).map((b) => ({ value: b, label: BASIS_LABELS[b] }))}
              onChange={(e) => chooseBasis(e.currentTarget.value as LegalBasis)} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NativeSelect id="requester-role" label="Who made the request" {...field('requester.role')}
                data={ROLES_FOR[basis].map((r) => ({ value: r, label: ROLE_LABELS[r] }))} />
              <TextInput id="requester-name" label="Requester’s name" required {...field('requester.name')} />
            </SimpleGrid>
            {role === 'personal_representative' ? (
              <TextInput id="requester-authority" label="Personal representative’s authority" required {...field('requester.authority')}
                description="45 CFR 164.502(g): e.g. parent of a minor, court-appointed guardian, health care power of attorney." />
            ) : null}
            {basis === 'patient_directed' ? (
              <Paper withBorder p="sm" radius="md">
                <Text fw={600} size="sm" mb={6}>The patient’s direction (45 CFR 164.524(c)(3)(ii))</Text>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                  <Checkbox id="directive-writing" label="The direction is in writing" {...form.getInputProps('directive.inWriting', { type: 'checkbox' })} />
                  <Checkbox id="directive-signed" label="It is signed by the patient" {...form.getInputProps('directive.signed', { type: 'checkbox' })} />
                  <Checkbox id="directive-recipient" label="It clearly names the recipient" {...form.getInputProps('directive.recipientNamed', { type: 'checkbox' })} />
                  <Checkbox id="directive-destination" label="It says where to send the copy" {...form.getInputProps('directive.destinationNamed', { type: 'checkbox' })} />
                  <TextInput id="directive-date" type="date" label="Date signed" {...field('directive.signedDate')} />
                </SimpleGrid>
                <Checkbox.Group id="directive-named" mt="xs" label="Categories the signed direction names by name"
                  description={categories.length === 0 ? 'Choose the categories of records first.' : 'Tick only what the written direction itself names (for example “HIV test results”). Some states require that.'}
                  value={v.named.filter((c) => categories.includes(c))} onChange={(n) => form.setFieldValue('named', n as DocumentCategory[])}>
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                    {categories.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
                  </SimpleGrid>
                </Checkbox.Group>
              </Paper>
            ) : null}
            {basis === 'tpo' ? (
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NativeSelect id="tpo-purpose" label="Purpose" {...field('tpo.purpose')}
                  data={[{ value: 'treatment', label: 'Treatment' }, { value: 'payment', label: 'Payment' }, { value: 'operations', label: 'Health care operations' }]} />
                <Textarea id="tpo-reason" label="Reason for the disclosure" required autosize minRows={2} {...field('tpo.reason')} />
              </SimpleGrid>
            ) : null}
            <TextInput id="request-received" type="datetime-local" label="Received (date and time)" required {...field('receivedAt')} style={{ maxWidth: 280 }} />
          </Stack>
        </Fieldset>

        <Fieldset legend="Recipients">
          <Stack gap="xs">
            {recipients.map((r, i) => (
              <Group key={i} align="flex-end" wrap="nowrap">
                <TextInput id={`recipient-${i}-name`} label={`Recipient ${i + 1}: name`} style={{ flex: 1 }} {...field(`recipients.${i}.name`)} />
                <TextInput id={`recipient-${i}-destination`} label={`Recipient ${i + 1}: email or postal address`} style={{ flex: 2 }} value={r.destination}
                  error={form.errors[`recipients.${i}.destination`]}
                  onChange={(e) => setRecipient(i, { destination: e.currentTarget.value, checked: false })}
                  onBlur={(e) => void runCheck(e.currentTarget.value)} />
                {recipients.length > 1 ? (
                  <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove recipient ${i + 1}`}
                    onClick={() => form.removeListItem('recipients', i)}>
                    <span aria-hidden>✕</span>
                  </ActionIcon>
                ) : null}
              </Group>
            )).flatMap((row, i) => {
              const r = recipients[i]!;
              const upd = (patch: Partial<RecipientRow>) => setRecipient(i, patch);
              return [row, <DestinationCheck key={`check-${i}`} index={i} destination={r.destination} confirm={r.confirm ?? ''} check={emailChecks[r.destination.trim()]}
                checkedWithRequester={!!r.checked} submitted={submitted} onConfirm={(v) => upd({ confirm: v })} onChecked={(v) => upd({ checked: v })}
                onUseSuggestion={(sug) => { upd({ destination: sug, confirm: '', checked: false }); void runCheck(sug); }} />];
            })}
            <Group>
              <Button variant="subtle" onClick={() => form.insertListItem('recipients', { name: '', destination: '' })} disabled={recipients.length >= 20}>
                Add another recipient
              </Button>
            </Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="Requested records and form">
          <Stack gap="sm">
            <Checkbox.Group id="request-categories" label="Categories of records" {...field('scope.categories')}
              description="Only documents in these categories (and dates) can be selected for the release (minimum necessary, 164.514(d)).">
              <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs" mt={6}>
                {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
              </SimpleGrid>
            </Checkbox.Group>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput id="scope-from" type="date" label="Records from (optional)" {...field('scope.from')} />
              <TextInput id="scope-to" type="date" label="Records to (optional)" {...field('scope.to')} />
              <NativeSelect id="request-format" label="Requested form and format" {...field('format')}
                data={FORMAT_OPTIONS}
/>
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <ErrorAlert error={error} title="The request was not recorded" />
        <Group justify="flex-end" gap="md">
          <Text size="sm" c="dark.4">Next: verify the requester’s identity.</Text>
          <Button type="submit" size="md" loading={saving}>Record request</Button>
        </Group>
      </Stack>
    </form>
  );
}
