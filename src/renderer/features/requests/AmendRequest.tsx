import { useState } from 'react';
import { Button, Checkbox, Group, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type DocumentCategory } from '../../../shared/compliance';
import type { RequestDetailT } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { formatDateTime } from '../../lib/format';
import { useRequestsStore } from './store';

const FIELD_LABELS = { scope: 'records asked for', recipients: 'recipients', patientDirective: 'the patient’s direction' } as const;

/**
 * Amend an open request (`requests.amend`): the categories and dates of records asked for and, for a
 * patient-directed copy, the categories the signed direction names (only while `canAmend`: the request is
 * open). A reason is required; the previous
 * values, who and when are kept with the request and shown in its history. The amended request replaces the open
 * one in the requests store.
 */
export function AmendRequest({ d, canAmend }: { d: RequestDetailT; canAmend: boolean }) {
  const r = d.request;
  const amend = useRequestsStore((s) => s.amend);
  const [open, setOpen] = useState(false);
  const [categories, setCategories] = useState<DocumentCategory[]>(r.scope.categories);
  const [from, setFrom] = useState(r.scope.from ?? '');
  const [to, setTo] = useState(r.scope.to ?? '');
  const [named, setNamed] = useState<DocumentCategory[]>(r.patientDirective?.namedCategories ?? []);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const history = r.amendments ?? [];

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await amend({
        requestId: d.id,
        reason,
        scope: { categories, ...(from ? { from } : {}), ...(to ? { to } : {}) },
        ...(r.patientDirective ? { patientDirective: { ...r.patientDirective, namedCategories: named.filter((c) => categories.includes(c)) } } : {}),
      });
      setOpen(false);
      setReason('');
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs">
      {history.length > 0 ? (
        <Stack gap={2} aria-label="Amendments">
          {history.map((a, i) => (
            <Text key={i} size="sm" c="dark.5">
              Amended {formatDateTime(a.amendedAt)} by {a.amendedBy}: {a.changed.map((c) => FIELD_LABELS[c]).join(', ')} — {a.reason}
            </Text>
          ))}
        </Stack>
      ) : null}
      {!canAmend ? null : !open ? (
        <Group><Button variant="outline" size="xs" onClick={() => setOpen(true)}>Amend the request…</Button></Group>
      ) : (
        <Stack gap="xs" component="form" aria-label="Amend the request" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <Text size="sm">Change only what the requester asked for. The previous values, who changed them and why are kept with the request.</Text>
          <Checkbox.Group id="amend-categories" label="Categories of records asked for" value={categories} onChange={(v) => setCategories(v as DocumentCategory[])}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
              {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
            </SimpleGrid>
          </Checkbox.Group>
          <SimpleGrid cols={2}>
            <TextInput id="amend-from" type="date" label="Dates of service from (optional)" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput id="amend-to" type="date" label="to (optional)" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          </SimpleGrid>
          {r.patientDirective ? (
            <Checkbox.Group id="amend-named" label="Categories the signed direction names by name" value={named.filter((c) => categories.includes(c))} onChange={(v) => setNamed(v as DocumentCategory[])}>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                {categories.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
              </SimpleGrid>
            </Checkbox.Group>
          ) : null}
          <Textarea id="amend-reason" label="Why the request changes" required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <ErrorAlert error={error} title="The request was not amended" />
          <Group>
            <Button type="submit" loading={busy} disabled={!reason.trim() || categories.length === 0}>Save the amendment</Button>
            <Button variant="subtle" onClick={() => setOpen(false)}>Cancel</Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
