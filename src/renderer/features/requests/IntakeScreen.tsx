import { useState, type FormEvent } from 'react';
import {
  ActionIcon, Button, Checkbox, Fieldset, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type DocumentCategory, type LegalBasis } from '../../../shared/compliance';
import type { ChannelInput } from '../../../shared/contract';
import { DEFAULT_NOTICE_LANGUAGE, languageLabel, NOTICE_LANGUAGE_CODES, type NoticeLanguage } from '../../../shared/languages';
import { BASIS_LABELS } from './labels';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { call, toApiError, type ApiError } from '../../lib/call';
import { checkDestination, DestinationCheck, destinationProblem, isEmailDestination, type EmailCheckT } from './DestinationCheck';

type Intake = ChannelInput<'requests.create'>;
type Role = Intake['requester']['role'];

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

/** `YYYY-MM-DDTHH:mm` for an <input type="datetime-local"> in local time. */
function localNow(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** True when a datetime-local value is more than `slackMs` ms after now (clock skew tolerated). */
function laterThanNow(localDateTime: string, slackMs: number): boolean {
  return new Date(localDateTime).getTime() - Date.now() > slackMs;
}

interface RecipientRow { name: string; destination: string; confirm?: string; checked?: boolean }

/** Intake of a request for records: patient, legal basis, requester, recipients, scope, form (`requests.create`). */
export function IntakeScreen() {
  const navigate = useAppStore((s) => s.navigate);
  const [patient, setPatient] = useState({ name: '', dateOfBirth: '', mrn: '' });
  const [language, setLanguage] = useState<NoticeLanguage>(DEFAULT_NOTICE_LANGUAGE);
  const [basis, setBasis] = useState<LegalBasis>('right_of_access');
  const [role, setRole] = useState<Role>('patient');
  const [requesterName, setRequesterName] = useState('');
  const [authority, setAuthority] = useState('');
  const [receivedAt, setReceivedAt] = useState(localNow);
  const [recipients, setRecipients] = useState<RecipientRow[]>([{ name: '', destination: '' }]);
  const [categories, setCategories] = useState<DocumentCategory[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [format, setFormat] = useState('pdf');
  const [directive, setDirective] = useState({ inWriting: false, signed: false, signedDate: '', recipientNamed: false, destinationNamed: false });
  /** Categories the signed direction names explicitly (a state rule pack may require HIV results to be named). */
  const [named, setNamed] = useState<DocumentCategory[]>([]);
  const [tpo, setTpo] = useState<{ purpose: 'treatment' | 'payment' | 'operations'; reason: string }>({ purpose: 'treatment', reason: '' });
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // Email destinations checked in main (typo suggestion, look-alike), by the address as typed.
  const [emailChecks, setEmailChecks] = useState<Record<string, EmailCheckT>>({});
  const runCheck = async (dest: string): Promise<EmailCheckT | undefined> => {
    const d = dest.trim();
    if (!isEmailDestination(d)) return undefined;
    const c = emailChecks[d] ?? (await checkDestination(d)) ?? undefined;
    if (c) setEmailChecks((m) => ({ ...m, [d]: c }));
    return c;
  };
  const rowProblem = (r: RecipientRow, checks = emailChecks) => destinationProblem(r.destination, r.confirm ?? '', checks[r.destination.trim()], !!r.checked);

  const errors: Record<string, string> = {};
  if (!patient.name.trim()) errors.patientName = 'Enter the patient’s name.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(patient.dateOfBirth)) errors.patientDob = 'Enter the date of birth.';
  else if (patient.dateOfBirth > localNow().slice(0, 10)) errors.patientDob = 'The date of birth cannot be in the future.';
  if (!patient.mrn.trim()) errors.patientMrn = 'Enter the medical record number.';
  if (!requesterName.trim()) errors.requesterName = 'Enter who made the request.';
  if (role === 'personal_representative' && !authority.trim()) errors.authority = 'Describe the representative’s authority (e.g. parent of a minor, health care power of attorney).';
  if (!receivedAt) errors.receivedAt = 'Enter when the request was received.';
  // The service refuses more than 5 minutes ahead of its clock; the day of receipt starts the 30-day clock.
  else if (laterThanNow(receivedAt, 5 * 60_000)) errors.receivedAt = 'The date the request was received cannot be in the future.';
  if (recipients.some((r) => !r.name.trim() || !r.destination.trim())) errors.recipients = 'Give each recipient a name and where to send the copy.';
  else if (recipients.some((r) => rowProblem(r))) errors.recipients = 'Check each email address (typed twice, no typo).';
  if (categories.length === 0) errors.categories = 'Choose at least one category of records.';
  if (from && to && from > to) errors.dates = 'The start date is after the end date.';
  if (basis === 'tpo' && !tpo.reason.trim()) errors.tpoReason = 'Record the reason for this disclosure.';

  const chooseBasis = (b: LegalBasis) => {
    setBasis(b);
    setRole(ROLES_FOR[b][0]!);
  };

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    // Email destinations not yet checked (no blur happened) are checked now; a suggestion or warning then stops here.
    const fresh = { ...emailChecks };
    for (const r of recipients) {
      const c = await runCheck(r.destination);
      if (c) fresh[r.destination.trim()] = c;
    }
    if (Object.keys(errors).length > 0 || recipients.some((r) => rowProblem(r, fresh))) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const intake: Intake = {
      patient: { name: patient.name.trim(), dateOfBirth: patient.dateOfBirth, mrn: patient.mrn.trim() },
      basis,
      receivedAt: new Date(receivedAt).toISOString(),
      requester: { role, name: requesterName.trim(), ...(role === 'personal_representative' ? { authority: authority.trim() } : {}) },
      recipients: recipients.map((r) => ({ name: r.name.trim(), destination: r.destination.trim() })),
      scope: { categories, ...(from ? { from } : {}), ...(to ? { to } : {}) },
      form: { format, electronic: format !== 'paper' },
      ...(basis === 'patient_directed'
        ? { patientDirective: { ...directive, signedDate: directive.signedDate || undefined, namedCategories: named.filter((c) => categories.includes(c)) } }
        : {}),
      ...(basis === 'tpo' ? { tpo: { purpose: tpo.purpose, reason: tpo.reason.trim() } } : {}),
      preferredLanguage: language,
    };
    setSaving(true);
    setError(null);
    try {
      const created = await call('requests.create', intake);
      navigate({ name: 'request', requestId: created.id });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const err = (k: string) => (submitted ? errors[k] : undefined);

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="intake-title">
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1} id="intake-title">New request</Title>
            <Text c="dark.4">Record the request as it was received. The 30-day clock of a right-of-access request starts on the day of receipt.</Text>
          </div>
          <Button variant="default" onClick={() => navigate({ name: 'requests' })}>Back to requests</Button>
        </Group>

        <Fieldset legend="Patient">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput id="patient-name" label="Patient name" required value={patient.name} error={err('patientName')}
              onChange={(e) => setPatient({ ...patient, name: e.currentTarget.value })} />
            <TextInput id="patient-dob" type="date" label="Date of birth" required value={patient.dateOfBirth} error={err('patientDob')}
              onChange={(e) => setPatient({ ...patient, dateOfBirth: e.currentTarget.value })} />
            <TextInput id="patient-mrn" label="Medical record number (MRN)" required value={patient.mrn} error={err('patientMrn')}
              onChange={(e) => setPatient({ ...patient, mrn: e.currentTarget.value })} />
          </SimpleGrid>
          <NativeSelect id="patient-language" mt="sm" label="Language for letters to the patient" value={language} style={{ maxWidth: 360 }}
            description="Notices to the patient (extension, failed delivery) are written in this language. Ask the patient which they prefer."
            data={NOTICE_LANGUAGE_CODES.map((c) => ({ value: c, label: languageLabel(c) }))}
            onChange={(e) => setLanguage(e.currentTarget.value as NoticeLanguage)} />
        </Fieldset>

        <Fieldset legend="Legal basis and requester">
          <Stack gap="sm">
            <NativeSelect id="request-basis" label="Legal basis" value={basis}
              description="Right of access (45 CFR 164.524); a copy to a third party at the patient’s direction (164.524(c)(3)(ii)); a disclosure under an authorization (164.508); treatment, payment or operations (164.506)."
              data={(Object.keys(BASIS_LABELS) as LegalBasis[]).map((b) => ({ value: b, label: BASIS_LABELS[b] }))}
              onChange={(e) => chooseBasis(e.currentTarget.value as LegalBasis)} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NativeSelect id="requester-role" label="Who made the request" value={role}
                data={ROLES_FOR[basis].map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
                onChange={(e) => setRole(e.currentTarget.value as Role)} />
              <TextInput id="requester-name" label="Requester’s name" required value={requesterName} error={err('requesterName')}
                onChange={(e) => setRequesterName(e.currentTarget.value)} />
            </SimpleGrid>
            {role === 'personal_representative' ? (
              <TextInput id="requester-authority" label="Personal representative’s authority" required value={authority} error={err('authority')}
                description="45 CFR 164.502(g): e.g. parent of a minor, court-appointed guardian, health care power of attorney."
                onChange={(e) => setAuthority(e.currentTarget.value)} />
            ) : null}
            {basis === 'patient_directed' ? (
              <Paper withBorder p="sm" radius="md">
                <Text fw={600} size="sm" mb={6}>The patient’s direction (45 CFR 164.524(c)(3)(ii))</Text>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                  <Checkbox id="directive-writing" label="The direction is in writing" checked={directive.inWriting}
                    onChange={(e) => setDirective({ ...directive, inWriting: e.currentTarget.checked })} />
                  <Checkbox id="directive-signed" label="It is signed by the patient" checked={directive.signed}
                    onChange={(e) => setDirective({ ...directive, signed: e.currentTarget.checked })} />
                  <Checkbox id="directive-recipient" label="It clearly names the recipient" checked={directive.recipientNamed}
                    onChange={(e) => setDirective({ ...directive, recipientNamed: e.currentTarget.checked })} />
                  <Checkbox id="directive-destination" label="It says where to send the copy" checked={directive.destinationNamed}
                    onChange={(e) => setDirective({ ...directive, destinationNamed: e.currentTarget.checked })} />
                  <TextInput id="directive-date" type="date" label="Date signed" value={directive.signedDate}
                    onChange={(e) => setDirective({ ...directive, signedDate: e.currentTarget.value })} />
                </SimpleGrid>
                <Checkbox.Group id="directive-named" mt="xs" label="Categories the signed direction names by name"
                  description={categories.length === 0 ? 'Choose the categories of records first.' : 'Tick only what the written direction itself names (for example “HIV test results”). Some states require that.'}
                  value={named.filter((c) => categories.includes(c))} onChange={(v) => setNamed(v as DocumentCategory[])}>
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                    {categories.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
                  </SimpleGrid>
                </Checkbox.Group>
              </Paper>
            ) : null}
            {basis === 'tpo' ? (
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NativeSelect id="tpo-purpose" label="Purpose" value={tpo.purpose}
                  data={[{ value: 'treatment', label: 'Treatment' }, { value: 'payment', label: 'Payment' }, { value: 'operations', label: 'Health care operations' }]}
                  onChange={(e) => setTpo({ ...tpo, purpose: e.currentTarget.value as typeof tpo.purpose })} />
                <Textarea id="tpo-reason" label="Reason for the disclosure" required autosize minRows={2} value={tpo.reason} error={err('tpoReason')}
                  onChange={(e) => setTpo({ ...tpo, reason: e.currentTarget.value })} />
              </SimpleGrid>
            ) : null}
            <TextInput id="request-received" type="datetime-local" label="Received (date and time)" required value={receivedAt} error={err('receivedAt')}
              onChange={(e) => setReceivedAt(e.currentTarget.value)} style={{ maxWidth: 280 }} />
          </Stack>
        </Fieldset>

        <Fieldset legend="Recipients">
          <Stack gap="xs">
            {recipients.map((r, i) => (
              <Group key={i} align="flex-end" wrap="nowrap">
                <TextInput id={`recipient-${i}-name`} label={`Recipient ${i + 1}: name`} style={{ flex: 1 }} value={r.name}
                  error={submitted && !r.name.trim() ? 'Enter a name.' : undefined}
                  onChange={(e) => { const v = e.currentTarget.value; setRecipients(recipients.map((x, j) => (j === i ? { ...x, name: v } : x))); }} />
                <TextInput id={`recipient-${i}-destination`} label={`Recipient ${i + 1}: email or postal address`} style={{ flex: 2 }} value={r.destination}
                  error={submitted && !r.destination.trim() ? 'Enter where to send it.' : undefined}
                  onChange={(e) => { const v = e.currentTarget.value; setRecipients(recipients.map((x, j) => (j === i ? { ...x, destination: v, checked: false } : x))); }}
                  onBlur={(e) => void runCheck(e.currentTarget.value)} />
                {recipients.length > 1 ? (
                  <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove recipient ${i + 1}`}
                    onClick={() => setRecipients(recipients.filter((_, j) => j !== i))}>
                    <span aria-hidden>✕</span>
                  </ActionIcon>
                ) : null}
              </Group>
            )).flatMap((row, i) => {
              const r = recipients[i]!;
              const upd = (patch: Partial<RecipientRow>) => setRecipients(recipients.map((x, j) => (j === i ? { ...x, ...patch } : x)));
              return [row, <DestinationCheck key={`check-${i}`} index={i} destination={r.destination} confirm={r.confirm ?? ''} check={emailChecks[r.destination.trim()]}
                checkedWithRequester={!!r.checked} submitted={submitted} onConfirm={(v) => upd({ confirm: v })} onChecked={(v) => upd({ checked: v })}
                onUseSuggestion={(sug) => { upd({ destination: sug, confirm: '', checked: false }); void runCheck(sug); }} />];
            })}
            <Group>
              <Button variant="subtle" onClick={() => setRecipients([...recipients, { name: '', destination: '' }])} disabled={recipients.length >= 20}>
                Add another recipient
              </Button>
            </Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="Requested records and form">
          <Stack gap="sm">
            <Checkbox.Group id="request-categories" label="Categories of records" value={categories} error={err('categories')}
              description="Only documents in these categories (and dates) can be selected for the release (minimum necessary, 164.514(d))."
              onChange={(v) => setCategories(v as DocumentCategory[])}>
              <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs" mt={6}>
                {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
              </SimpleGrid>
            </Checkbox.Group>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput id="scope-from" type="date" label="Records from (optional)" value={from} error={err('dates')} onChange={(e) => setFrom(e.currentTarget.value)} />
              <TextInput id="scope-to" type="date" label="Records to (optional)" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
              <NativeSelect id="request-format" label="Requested form and format" value={format}
                data={[{ value: 'pdf', label: 'Electronic: PDF' }, { value: 'ccda', label: 'Electronic: C-CDA' }, { value: 'other_electronic', label: 'Electronic: other agreed format' }, { value: 'paper', label: 'Paper copy' }]}
                onChange={(e) => setFormat(e.currentTarget.value)} />
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
