import { useEffect, useRef, useState } from 'react';
import {
  Button, Checkbox, Fieldset, Grid, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type Authorization, type DocumentCategory } from '../../../shared/compliance';
import type { AuthorizationRecordT, RequestDocumentT } from '../../../shared/contract';
import { FindingsList } from './FindingsList';
import { RepresentativeAuthority } from './RepresentativeAuthority';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useAuthorizationsStore } from './store';
import { formatDateTime, plural } from '../../lib/format';

/** The authorization as edited (no id; lists as one line per entry). */
export type AuthorizationDraft = Omit<Authorization, 'id'>;

/** Debounce between the last edit and the save that returns the linter's findings. */
export const AUTH_SAVE_DEBOUNCE_MS = 600;

const COMBINED_LABELS: Record<Authorization['combinedWith'][number], string> = {
  other_authorization: 'Another authorization',
  psychotherapy_notes_authorization: 'A psychotherapy-notes authorization',
  research_consent: 'A research consent',
  consent_to_treatment: 'A consent to treatment',
  notice_of_privacy_practices: 'The notice of privacy practices',
  other_document: 'Another document',
};

export function emptyAuthorization(): AuthorizationDraft {
  return {
    informationDescription: '',
    categories: [],
    disclosers: [],
    recipients: [],
    purposes: [],
    expiration: {},
    signature: { signed: false, signerRole: 'patient' },
    statements: { rightToRevoke: false, conditioning: false, redisclosure: false },
    combinedWith: [],
    conditionsTreatment: false,
    knownFalse: false,
    copyGivenToIndividual: false,
  };
}

const INITIATOR_OPTIONS = [
  { value: '', label: 'Not recorded' },
  { value: 'individual', label: 'The patient (or their representative) asked for it' },
  { value: 'covered_entity', label: 'Our practice asked for it' },
  { value: 'third_party', label: 'Someone else asked for it (insurer, employer, lawyer…)' },
];

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/**
 * Authorization entry (45 CFR 164.508): every core element of (c)(1), the
 * required statements of (c)(2), signature and date, a personal
 * representative's authority, expiration date or event, compound-document
 * facts (b)(3)/(b)(4), and revocation (b)(5). Each edit is saved (debounced,
 * `authorizations.save`, replacing the current authorization) and the linter's
 * findings are shown beside the form with their CFR citations.
 */
export function AuthorizationForm(props: { requestId: string; record: AuthorizationRecordT | null; onSaved?: (r: AuthorizationRecordT) => void }) {
  // Calls to main (the store's actions never change, so reading them once per render is enough).
  const api = useAuthorizationsStore.getState();
  const initial = props.record?.authorization;
  const [a, setA] = useState<AuthorizationDraft>(() => (initial ? { ...emptyAuthorization(), ...initial } : emptyAuthorization()));
  const [text, setText] = useState(() => ({
    disclosers: (initial?.disclosers ?? []).join('\n'),
    recipients: (initial?.recipients ?? []).join('\n'),
    purposes: (initial?.purposes ?? []).join('\n'),
  }));
  const [record, setRecord] = useState<AuthorizationRecordT | null>(props.record);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [form, setForm] = useState<RequestDocumentT | null>(null);
  const [formBusy, setFormBusy] = useState(false);
  const [formMsg, setFormMsg] = useState<{ error: ApiError | null; saved: boolean | null }>({ error: null, saved: null });
  const [revocation, setRevocation] = useState({ receivedDate: '', method: 'written' as 'written' | 'electronic' | 'other' });

  // The id of the authorization the next save replaces, and the save in flight (saves run one at a time).
  const idRef = useRef<string | null>(props.record?.id ?? null);
  const inFlight = useRef<Promise<void> | null>(null);
  const onSaved = useRef(props.onSaved);
  useEffect(() => {
    onSaved.current = props.onSaved;
  }, [props.onSaved]);

  const save = async (draft: AuthorizationDraft) => {
    if (inFlight.current) await inFlight.current; // one save at a time, each replacing the previous one
    const run = (async () => {
      setSaving(true);
      try {
        const saved = await api.save({
          requestId: props.requestId,
          ...(idRef.current ? { authorizationId: idRef.current } : {}),
          authorization: draft,
        });
        idRef.current = saved.id;
        setRecord(saved);
        setError(null);
        onSaved.current?.(saved);
      } catch (e) {
        setError(toApiError(e));
      } finally {
        setSaving(false);
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
  };

  useEffect(() => {
    if (!dirty) return;
    const t = setTimeout(() => {
      setDirty(false);
      void save(a);
    }, AUTH_SAVE_DEBOUNCE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- save reads refs; re-arm on every edit
  }, [a, dirty]);

  const edit = (patch: Partial<AuthorizationDraft>) => {
    setA((cur) => ({ ...cur, ...patch }));
    setDirty(true);
  };
  const editList = (k: 'disclosers' | 'recipients' | 'purposes', v: string) => {
    setText((t) => ({ ...t, [k]: v }));
    edit({ [k]: lines(v) });
  };

  const makeForm = async (prefill: boolean) => {
    setFormBusy(true);
    setFormMsg({ error: null, saved: null });
    try {
      setForm(await api.makeForm({ requestId: props.requestId, prefill, psychotherapyNotesOnly: false }));
    } catch (e) {
      setFormMsg({ error: toApiError(e), saved: null });
    } finally {
      setFormBusy(false);
    }
  };
  const exportForm = async (doc: RequestDocumentT) => {
    try {
      const { saved } = await api.exportDocument({ documentId: doc.id });
      setFormMsg({ error: null, saved });
    } catch (e) {
      setFormMsg({ error: toApiError(e), saved: null });
    }
  };
  const attachSigned = () => {
    if (!idRef.current) return;
    setError(null);
    // Invoked synchronously inside the click: the preview's file chooser needs the user gesture.
    const pending = api.attachSignedForm({ authorizationId: idRef.current });
    void pending.then(
      (r) => {
        idRef.current = r.id;
        setRecord(r);
        onSaved.current?.(r);
      },
      (e: unknown) => setError(toApiError(e)),
    );
  };
  const revoke = async () => {
    if (!idRef.current || !revocation.receivedDate) return;
    try {
      const r = await api.revoke({ authorizationId: idRef.current, revocation });
      setRecord(r);
      setA((cur) => ({ ...cur, revocation: r.authorization.revocation }));
      onSaved.current?.(r);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  const sig = a.signature;
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap="md" component="form" aria-label="Authorization" onSubmit={(e) => e.preventDefault()}>
          <Fieldset legend="What may be disclosed — (c)(1)(i)">
            <Stack gap="xs">
              <Textarea id="auth-description" label="Specific description of the information" autosize minRows={2}
                value={a.informationDescription} onChange={(e) => edit({ informationDescription: e.currentTarget.value })} />
              <Checkbox.Group id="auth-categories" label="Categories the authorization names" value={a.categories}
                onChange={(v) => edit({ categories: v as DocumentCategory[] })}>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                  {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
                </SimpleGrid>
              </Checkbox.Group>
              <SimpleGrid cols={2}>
                <TextInput id="auth-from" type="date" label="Information from (optional)" value={a.from ?? ''} onChange={(e) => edit({ from: opt(e.currentTarget.value) })} />
                <TextInput id="auth-to" type="date" label="Information to (optional)" value={a.to ?? ''} onChange={(e) => edit({ to: opt(e.currentTarget.value) })} />
              </SimpleGrid>
            </Stack>
          </Fieldset>
          <Fieldset legend="Who, to whom, why — (c)(1)(ii)–(iv)">
            <Stack gap="xs">
              <Textarea id="auth-disclosers" label="Who may disclose (one per line)" autosize minRows={1} value={text.disclosers} onChange={(e) => editList('disclosers', e.currentTarget.value)} />
              <Textarea id="auth-recipients" label="Who may receive (one per line)" autosize minRows={1} value={text.recipients} onChange={(e) => editList('recipients', e.currentTarget.value)} />
              <Textarea id="auth-purposes" label="Purpose of each disclosure (one per line)" description="“At the request of the individual” is enough only when the individual initiated the authorization."
                autosize minRows={1} value={text.purposes} onChange={(e) => editList('purposes', e.currentTarget.value)} />
              <SimpleGrid cols={{ base: 1, sm: 2 }} style={{ alignItems: 'end' }}>
                <NativeSelect id="auth-initiated-by" label="Who initiated this authorization?" value={a.initiatedBy ?? ''} data={INITIATOR_OPTIONS}
                  onChange={(e) => edit({ initiatedBy: (e.currentTarget.value || undefined) as AuthorizationDraft['initiatedBy'] })} />
                <Checkbox id="auth-research" label="It is for research (including a research database)" checked={a.research ?? false}
                  onChange={(e) => edit({ research: e.currentTarget.checked })} />
              </SimpleGrid>
            </Stack>
          </Fieldset>
          <Fieldset legend="Expiration — (c)(1)(v)">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput id="auth-expiration-date" type="date" label="Expiration date (inclusive)" value={a.expiration.date ?? ''}
                onChange={(e) => edit({ expiration: { ...a.expiration, date: opt(e.currentTarget.value) } })} />
              <TextInput id="auth-expiration-event" label="or expiration event" value={a.expiration.event ?? ''}
                onChange={(e) => edit({ expiration: { ...a.expiration, event: opt(e.currentTarget.value) } })} />
              <TextInput id="auth-event-occurred" type="date" label="Event occurred on (if known)" value={a.expiration.eventOccurredOn ?? ''}
                onChange={(e) => edit({ expiration: { ...a.expiration, eventOccurredOn: opt(e.currentTarget.value) } })} />
            </SimpleGrid>
            <Checkbox id="auth-expiration-none" mt="xs" label="The form says “none” (allowed only for research)" checked={a.expiration.none ?? false}
              onChange={(e) => edit({ expiration: { ...a.expiration, none: e.currentTarget.checked || undefined } })} />
          </Fieldset>
          <Fieldset legend="Signature — (c)(1)(vi)">
            <Stack gap="xs">
              <SimpleGrid cols={{ base: 1, sm: 3 }} style={{ alignItems: 'end' }}>
                <Checkbox id="auth-signed" label="Signed" checked={sig.signed} onChange={(e) => edit({ signature: { ...sig, signed: e.currentTarget.checked } })} />
                <TextInput id="auth-signature-date" type="date" label="Date signed" value={sig.date ?? ''} onChange={(e) => edit({ signature: { ...sig, date: opt(e.currentTarget.value) } })} />
                <NativeSelect id="auth-signer" label="Signed by" value={sig.signerRole}
                  data={[{ value: 'patient', label: 'The patient' }, { value: 'personal_representative', label: 'A personal representative' }]}
                  onChange={(e) => edit({ signature: { ...sig, signerRole: e.currentTarget.value as typeof sig.signerRole } })} />
              </SimpleGrid>
              {sig.signerRole === 'personal_representative' ? (
                <TextInput id="auth-representative-authority" label="Description of the representative’s authority" value={sig.representativeAuthority ?? ''}
                  onChange={(e) => edit({ signature: { ...sig, representativeAuthority: opt(e.currentTarget.value) } })} />
              ) : null}
              {sig.signerRole === 'personal_representative' && record?.authorization.signature.signerRole === 'personal_representative' ? (
                <RepresentativeAuthority requestId={props.requestId} target="authorization_signer" evidence={record.authorization.signature.authorityEvidence}
                  onRecorded={(d) => {
                    if (!d.authorization) return;
                    idRef.current = d.authorization.id;
                    setRecord(d.authorization);
                    onSaved.current?.(d.authorization);
                  }} />
              ) : null}
            </Stack>
          </Fieldset>
          <Fieldset legend="Required statements — (c)(2)">
            <Stack gap={6}>
              <Checkbox id="auth-statement-revoke" label="(i) The right to revoke in writing, its exceptions, and how to revoke" checked={a.statements.rightToRevoke}
                onChange={(e) => edit({ statements: { ...a.statements, rightToRevoke: e.currentTarget.checked } })} />
              <Checkbox id="auth-statement-conditioning" label="(ii) Whether treatment, payment, enrollment or eligibility may be conditioned on signing" checked={a.statements.conditioning}
                onChange={(e) => edit({ statements: { ...a.statements, conditioning: e.currentTarget.checked } })} />
              <Checkbox id="auth-statement-redisclosure" label="(iii) The information may be redisclosed by the recipient and no longer protected" checked={a.statements.redisclosure}
                onChange={(e) => edit({ statements: { ...a.statements, redisclosure: e.currentTarget.checked } })} />
            </Stack>
          </Fieldset>
          <Fieldset legend="Other facts — (b)(2)–(b)(4), (c)(4)">
            <Stack gap={6}>
              <Checkbox.Group id="auth-combined" label="The authorization is combined with" value={a.combinedWith}
                onChange={(v) => edit({ combinedWith: v as AuthorizationDraft['combinedWith'] })}>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                  {(Object.keys(COMBINED_LABELS) as AuthorizationDraft['combinedWith']).map((c) => <Checkbox key={c} value={c} label={COMBINED_LABELS[c]} />)}
                </SimpleGrid>
              </Checkbox.Group>
              <Checkbox id="auth-conditions" label="Treatment, payment, enrollment or eligibility is conditioned on signing" checked={a.conditionsTreatment}
                onChange={(e) => edit({ conditionsTreatment: e.currentTarget.checked })} />
              <Checkbox id="auth-known-false" label="Material information in it is known to be false" checked={a.knownFalse}
                onChange={(e) => edit({ knownFalse: e.currentTarget.checked })} />
              <Checkbox id="auth-copy-given" label="A copy of the signed authorization was given to the individual" checked={a.copyGivenToIndividual}
                onChange={(e) => edit({ copyGivenToIndividual: e.currentTarget.checked })} />
            </Stack>
          </Fieldset>
          {record ? (
            <Fieldset legend="Revocation — (b)(5)">
              {record.authorization.revocation ? (
                <Text>Revoked: received {record.authorization.revocation.receivedDate} ({record.authorization.revocation.method}).</Text>
              ) : (
                <Group align="flex-end">
                  <TextInput id="auth-revocation-date" type="date" label="Revocation received on" value={revocation.receivedDate}
                    onChange={(e) => setRevocation({ ...revocation, receivedDate: e.currentTarget.value })} />
                  <NativeSelect id="auth-revocation-method" label="How" value={revocation.method}
                    data={[{ value: 'written', label: 'In writing' }, { value: 'electronic', label: 'Electronically' }, { value: 'other', label: 'Other' }]}
                    onChange={(e) => setRevocation({ ...revocation, method: e.currentTarget.value as typeof revocation.method })} />
                  <Button variant="outline" color="red" disabled={!revocation.receivedDate} onClick={() => void revoke()}>Record revocation</Button>
                </Group>
              )}
            </Fieldset>
          ) : null}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="auth-findings-title" style={{ position: 'sticky', top: 8 }}>
          <Stack gap="sm">
            <Group justify="space-between">
              <Title order={3} size="h5" id="auth-findings-title">Authorization check</Title>
              <Text size="xs" c="dark.4" aria-live="polite">{saving || dirty ? 'Checking…' : record ? `Saved ${formatDateTime(record.updatedAt)}` : 'Not saved yet'}</Text>
            </Group>
            <div aria-live="polite">
              {record ? (
                <FindingsList findings={record.findings} label="Authorization findings"
                  emptyText="Valid: every element and statement of 45 CFR 164.508(c) is present." />
              ) : (
                <Text size="sm">Fill in the authorization as written on the signed form. Each missing element or statement is listed here with its citation as you type.</Text>
              )}
            </div>
            <ErrorAlert error={error} title="The authorization was not saved" />
            {record ? (
              <Group gap="xs">
                <Text size="sm">{record.signedFormDocumentId ? 'Signed form on file (kept 6 years, 164.508(b)(6)).' : 'No scan of the signed form yet.'}</Text>
                <Button size="xs" variant="outline" onClick={attachSigned}>{record.signedFormDocumentId ? 'Replace signed form (PDF)' : 'Attach signed form (PDF)'}</Button>
              </Group>
            ) : null}
            <Text fw={600} size="sm" mt="xs">Authorization form</Text>
            <Group gap="xs">
              <Button size="xs" variant="outline" loading={formBusy} onClick={() => void makeForm(false)}>Print blank form</Button>
              <Button size="xs" variant="outline" loading={formBusy} onClick={() => void makeForm(true)}>Print prefilled form</Button>
            </Group>
            {form ? (
              <Group gap="xs">
                <Text size="sm">{form.label} ({plural(form.pageCount, 'page')})</Text>
                <Button size="xs" onClick={() => void exportForm(form)}>Save PDF…</Button>
              </Group>
            ) : null}
            {formMsg.saved ? <Text size="sm" role="status">The form was saved.</Text> : null}
            <ErrorAlert error={formMsg.error} title="The form could not be saved" />
          </Stack>
        </Paper>
      </Grid.Col>
    </Grid>
  );
}
