import { useState } from 'react';
import { Button, Checkbox, Group, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Part2Consent } from '../../../shared/compliance';
import { Part2ConsentInput, type Part2ConsentRecordT } from '../../../shared/contract';
import { FindingsList } from './FindingsList';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useCheckedSubmit, zodValidate } from '../../lib/form';
import { useAuthorizationsStore } from './store';
import { REVOCATION_METHOD_LABELS, RevocationFields, type RevocationT } from './RevocationFields';

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/** The consent form's fields: optional text is '' when empty, recipients one per line. */
interface ConsentValues {
  patientNamed: boolean;
  discloser: string;
  informationDescription: string;
  recipients: string;
  purpose: string;
  revocationStatement: boolean;
  expiration: { date: string; event: string };
  signature: { signed: boolean; date: string };
}

/** The values as the consent main saves (`part2Consents.save`): the SUD category, empty optionals left out. */
function toConsent(v: ConsentValues): Omit<Part2Consent, 'id'> {
  return {
    patientNamed: v.patientNamed,
    discloser: v.discloser,
    informationDescription: v.informationDescription,
    categories: ['substance_use_disorder'],
    recipients: lines(v.recipients),
    purpose: v.purpose,
    revocationStatement: v.revocationStatement,
    expiration: { ...(opt(v.expiration.date) ? { date: opt(v.expiration.date) } : {}), ...(opt(v.expiration.event) ? { event: opt(v.expiration.event) } : {}) },
    signature: { signed: v.signature.signed, ...(opt(v.signature.date) ? { date: opt(v.signature.date) } : {}) },
  };
}

const UNUSUAL = 'Shorten this text or remove unusual characters (such as control or invisible characters).';
/** The schema main parses (Part2ConsentInput), worded for staff; an error in a recipient line is shown under the list. */
const checkConsent = zodValidate<ConsentValues>(Part2ConsentInput, toConsent, {
  discloser: UNUSUAL,
  informationDescription: UNUSUAL,
  recipients: 'List at most 20 recipients, one per line.',
  'recipients.*': UNUSUAL,
  purpose: UNUSUAL,
  'expiration.date': 'Enter a real date.',
  'expiration.event': UNUSUAL,
  'signature.date': 'Enter a real date.',
});
const validateConsent = (v: ConsentValues) =>
  Object.fromEntries(Object.entries(checkConsent(v)).map(([path, message]) => [path.replace(/^recipients\.\d+$/, 'recipients'), message]));

/**
 * Entry of a 42 CFR Part 2 consent (§2.31(a)(1)–(8)) for the request's patient
 * (`part2Consents.save`); the saved consent's findings are shown with their citations. The fields are a
 * @mantine/form form checked by the shared schema (Part2ConsentInput) before saving.
 */
export function Part2ConsentForm({ requestId, onSaved }: { requestId: string; onSaved?: (r: Part2ConsentRecordT) => void }) {
  const saveConsent = useAuthorizationsStore((s) => s.saveConsent);
  const form = useForm<ConsentValues>({
    mode: 'controlled',
    initialValues: {
      patientNamed: false,
      discloser: '',
      informationDescription: '',
      recipients: '',
      purpose: '',
      revocationStatement: false,
      expiration: { date: '', event: '' },
      signature: { signed: false, date: '' },
    },
    validate: validateConsent,
  });
  const [saved, setSaved] = useState<Part2ConsentRecordT | null>(null);
  const { formRef, busy, error, submit } = useCheckedSubmit(form);
  const field = (path: string) => form.getInputProps(path);
  const box = (path: string) => form.getInputProps(path, { type: 'checkbox' });

  const save = submit(async () => {
    const r = await saveConsent({ requestId, consent: toConsent(form.getValues()) });
    setSaved(r);
    onSaved?.(r);
  });

  return (
    <form aria-label="Part 2 consent" ref={formRef} noValidate onSubmit={(e) => void save(e)}>
      <Stack gap="xs">
        <Text size="sm">Substance use disorder records from a Part 2 program go out only with a written consent that has every element of 42 CFR 2.31; each disclosure carries the §2.32 notice and an explanation of the consent’s scope (§2.32(b)). A consent the patient revokes stops further releases from the day the revocation is received.</Text>
        <Checkbox id="p2-patient-named" label="(1) The patient is named" {...box('patientNamed')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput id="p2-discloser" label="(2) Who may disclose (program or person)" {...field('discloser')} />
          <Textarea id="p2-recipients" label="(4) Recipients (one per line)" autosize minRows={1} {...field('recipients')} />
        </SimpleGrid>
        <Textarea id="p2-description" label="(3) How much and what kind of information, including the SUD information" autosize minRows={2} {...field('informationDescription')} />
        <TextInput id="p2-purpose" label="(5) Purpose of the disclosure" {...field('purpose')} />
        <Checkbox id="p2-revocation" label="(6) States the right to revoke and how" {...box('revocationStatement')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput id="p2-expiration-date" type="date" label="(7) Expiration date" {...field('expiration.date')} />
          <TextInput id="p2-expiration-event" label="(7) or expiration event" {...field('expiration.event')} />
        </SimpleGrid>
        <Group align="flex-end">
          <Checkbox id="p2-signed" label="(8) Signed" {...box('signature.signed')} />
          <TextInput id="p2-signature-date" type="date" label="Date signed" {...field('signature.date')} />
        </Group>
        <ErrorAlert error={error} title="The consent was not saved" />
        <Group><Button type="submit" variant="outline" loading={busy}>Save consent</Button></Group>
        {saved ? <FindingsList findings={saved.findings} label="Part 2 consent findings" emptyText="Valid: every element of 42 CFR 2.31 is present." /> : null}
      </Stack>
    </form>
  );
}

/**
 * Revocation of a recorded Part 2 consent (42 CFR 2.31(a)(6)): the date the revocation was received and how.
 * Effective that day; the consent is kept, and releases of Part 2 records under it are blocked from then on.
 */
export function Part2ConsentRevocation({ record, onRevoked }: { record: Part2ConsentRecordT; onRevoked?: (r: Part2ConsentRecordT) => void }) {
  const revokeConsent = useAuthorizationsStore((s) => s.revokeConsent);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const rev = record.consent.revocation;
  if (rev) return <Text size="sm" data-testid="p2-revoked">Revoked: received {rev.receivedDate} ({REVOCATION_METHOD_LABELS[rev.method].toLowerCase()}). No Part 2 records go out under it from that day.</Text>;
  const revoke = async (revocation: RevocationT) => {
    setBusy(true);
    setError(null);
    try {
      onRevoked?.(await revokeConsent({ consentId: record.id, revocation }));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4}>
      <RevocationFields ids={{ date: `p2-revocation-date-${record.id}`, method: `p2-revocation-method-${record.id}` }} busy={busy} onRevoke={(r) => void revoke(r)} />
      <ErrorAlert error={error} title="The revocation was not recorded" />
    </Stack>
  );
}
