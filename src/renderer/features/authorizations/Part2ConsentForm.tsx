import { useState } from 'react';
import { Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import type { Part2Consent } from '../../../shared/compliance';
import type { Part2ConsentRecordT } from '../../../shared/contract';
import { FindingsList } from './FindingsList';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useAuthorizationsStore } from './store';

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/**
 * Entry of a 42 CFR Part 2 consent (§2.31(a)(1)–(8)) for the request's patient
 * (`part2Consents.save`); the saved consent's findings are shown with their citations.
 */
export function Part2ConsentForm({ requestId, onSaved }: { requestId: string; onSaved?: (r: Part2ConsentRecordT) => void }) {
  const saveConsent = useAuthorizationsStore((s) => s.saveConsent);
  const [c, setC] = useState<Omit<Part2Consent, 'id'>>({
    patientNamed: false,
    discloser: '',
    informationDescription: '',
    categories: ['substance_use_disorder'],
    recipients: [],
    purpose: '',
    revocationStatement: false,
    expiration: {},
    signature: { signed: false },
  });
  const [recipients, setRecipients] = useState('');
  const [saved, setSaved] = useState<Part2ConsentRecordT | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await saveConsent({ requestId, consent: { ...c, recipients: lines(recipients) } });
      setSaved(r);
      onSaved?.(r);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs" component="form" aria-label="Part 2 consent" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <Text size="sm">Substance use disorder records from a Part 2 program go out only with a written consent that has every element of 42 CFR 2.31; each disclosure carries the §2.32 notice and an explanation of the consent’s scope (§2.32(b)). A consent the patient revokes stops further releases from the day the revocation is received.</Text>
      <Checkbox id="p2-patient-named" label="(1) The patient is named" checked={c.patientNamed} onChange={(e) => setC({ ...c, patientNamed: e.currentTarget.checked })} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput id="p2-discloser" label="(2) Who may disclose (program or person)" value={c.discloser} onChange={(e) => setC({ ...c, discloser: e.currentTarget.value })} />
        <Textarea id="p2-recipients" label="(4) Recipients (one per line)" autosize minRows={1} value={recipients} onChange={(e) => setRecipients(e.currentTarget.value)} />
      </SimpleGrid>
      <Textarea id="p2-description" label="(3) How much and what kind of information, including the SUD information" autosize minRows={2}
        value={c.informationDescription} onChange={(e) => setC({ ...c, informationDescription: e.currentTarget.value })} />
      <TextInput id="p2-purpose" label="(5) Purpose of the disclosure" value={c.purpose} onChange={(e) => setC({ ...c, purpose: e.currentTarget.value })} />
      <Checkbox id="p2-revocation" label="(6) States the right to revoke and how" checked={c.revocationStatement} onChange={(e) => setC({ ...c, revocationStatement: e.currentTarget.checked })} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput id="p2-expiration-date" type="date" label="(7) Expiration date" value={c.expiration.date ?? ''} onChange={(e) => setC({ ...c, expiration: { ...c.expiration, date: opt(e.currentTarget.value) } })} />
        <TextInput id="p2-expiration-event" label="(7) or expiration event" value={c.expiration.event ?? ''} onChange={(e) => setC({ ...c, expiration: { ...c.expiration, event: opt(e.currentTarget.value) } })} />
      </SimpleGrid>
      <Group align="flex-end">
        <Checkbox id="p2-signed" label="(8) Signed" checked={c.signature.signed} onChange={(e) => setC({ ...c, signature: { ...c.signature, signed: e.currentTarget.checked } })} />
        <TextInput id="p2-signature-date" type="date" label="Date signed" value={c.signature.date ?? ''} onChange={(e) => setC({ ...c, signature: { ...c.signature, date: opt(e.currentTarget.value) } })} />
      </Group>
      <ErrorAlert error={error} title="The consent was not saved" />
      <Group><Button type="submit" variant="outline" loading={busy}>Save consent</Button></Group>
      {saved ? <FindingsList findings={saved.findings} label="Part 2 consent findings" emptyText="Valid: every element of 42 CFR 2.31 is present." /> : null}
    </Stack>
  );
}

/**
 * Revocation of a recorded Part 2 consent (42 CFR 2.31(a)(6)): the date the revocation was received and how.
 * Effective that day; the consent is kept, and releases of Part 2 records under it are blocked from then on.
 */
export function Part2ConsentRevocation({ record, onRevoked }: { record: Part2ConsentRecordT; onRevoked?: (r: Part2ConsentRecordT) => void }) {
  const revokeConsent = useAuthorizationsStore((s) => s.revokeConsent);
  const [receivedDate, setReceivedDate] = useState('');
  const [method, setMethod] = useState<'written' | 'electronic' | 'other'>('written');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const rev = record.consent.revocation;
  if (rev) return <Text size="sm" data-testid="p2-revoked">Revoked: received {rev.receivedDate} ({METHOD_LABELS[rev.method].toLowerCase()}). No Part 2 records go out under it from that day.</Text>;
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      onRevoked?.(await revokeConsent({ consentId: record.id, revocation: { receivedDate, method } }));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4}>
      <Group align="flex-end">
        <TextInput id={`p2-revocation-date-${record.id}`} type="date" label="Revocation received on" value={receivedDate} onChange={(e) => setReceivedDate(e.currentTarget.value)} />
        <NativeSelect id={`p2-revocation-method-${record.id}`} label="How" value={method}
          data={Object.entries(METHOD_LABELS).map(([value, label]) => ({ value, label }))}
          onChange={(e) => setMethod(e.currentTarget.value as typeof method)} />
        <Button variant="outline" color="red" disabled={!receivedDate} loading={busy} onClick={() => void revoke()}>Record revocation</Button>
      </Group>
      <ErrorAlert error={error} title="The revocation was not recorded" />
    </Stack>
  );
}

const METHOD_LABELS = { written: 'In writing', electronic: 'Electronically', other: 'Other' } as const;
