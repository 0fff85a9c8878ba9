import { useState } from 'react';
import { Button, Checkbox, Group, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type DocumentCategory } from '../../../shared/compliance';
import { channels, type ChannelInput, type RequestDetailT } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useCheckedSubmit, zodValidate } from '../../lib/form';
import { formatDateTime } from '../../lib/format';
import { useRequestsStore } from './store';

const FIELD_LABELS = { scope: 'records asked for', recipients: 'recipients', patientDirective: 'the patient’s direction' } as const;

/** The amendment's fields: dates '' when not given. */
interface AmendValues {
  categories: DocumentCategory[];
  from: string;
  to: string;
  /** The categories the signed direction names (a patient-directed copy only). */
  named: DocumentCategory[];
  reason: string;
}

/** The values as `requests.amend` takes them for request `d`: empty dates left out, named categories within the scope. */
function toAmendment(d: RequestDetailT, v: AmendValues): ChannelInput<'requests.amend'> {
  const directive = d.request.patientDirective;
  return {
    requestId: d.id,
    reason: v.reason,
    scope: { categories: v.categories, ...(v.from ? { from: v.from } : {}), ...(v.to ? { to: v.to } : {}) },
    ...(directive ? { patientDirective: { ...directive, namedCategories: v.named.filter((c) => v.categories.includes(c)) } } : {}),
  };
}

const AMEND_MESSAGES = {
  reason: 'Say why the request changes.',
  'scope.categories': 'Tick at least one category of records.',
  'scope.from': 'Enter a real date.',
  'scope.to': 'Enter a real date.',
};
/** The amendment's errors by field: the schema main parses (`requests.amend`), paths as the form names its fields. */
const validateAmendment = (d: RequestDetailT) => {
  const check = zodValidate<AmendValues>(channels['requests.amend'].input, (v) => toAmendment(d, v), AMEND_MESSAGES);
  return (v: AmendValues) => Object.fromEntries(Object.entries(check(v)).map(([path, message]) => [path.replace(/^scope\./, ''), message]));
};

/**
 * Amend an open request (`requests.amend`): the categories and dates of records asked for and, for a
 * patient-directed copy, the categories the signed direction names (only while `canAmend`: the request is
 * open). A reason is required; the previous
 * values, who and when are kept with the request and shown in its history. The amended request replaces the open
 * one in the requests store. The fields are a @mantine/form form checked by the shared schema before saving.
 */
export function AmendRequest({ d, canAmend }: { d: RequestDetailT; canAmend: boolean }) {
  const r = d.request;
  const amend = useRequestsStore((s) => s.amend);
  const [open, setOpen] = useState(false);
  const form = useForm<AmendValues>({
    mode: 'controlled',
    initialValues: { categories: r.scope.categories, from: r.scope.from ?? '', to: r.scope.to ?? '', named: r.patientDirective?.namedCategories ?? [], reason: '' },
    validate: (v) => validateAmendment(d)(v),
  });
  const { formRef, busy, error, submit, restart } = useCheckedSubmit(form);
  const { categories, named, reason } = form.values;
  const history = r.amendments ?? [];

  const save = submit(async () => {
    await amend(toAmendment(d, form.getValues()));
    setOpen(false);
    form.setFieldValue('reason', '');
    restart();
  });

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
        <form ref={formRef} noValidate aria-label="Amend the request" onSubmit={(e) => void save(e)}>
          <Stack gap="xs">
            <Text size="sm">Change only what the requester asked for. The previous values, who changed them and why are kept with the request.</Text>
            <Checkbox.Group id="amend-categories" label="Categories of records asked for" {...form.getInputProps('categories')}>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
              </SimpleGrid>
            </Checkbox.Group>
            <SimpleGrid cols={2}>
              <TextInput id="amend-from" type="date" label="Dates of service from (optional)" {...form.getInputProps('from')} />
              <TextInput id="amend-to" type="date" label="to (optional)" {...form.getInputProps('to')} />
            </SimpleGrid>
            {r.patientDirective ? (
              <Checkbox.Group id="amend-named" label="Categories the signed direction names by name" {...form.getInputProps('named')} value={named.filter((c) => categories.includes(c))}>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                  {categories.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
                </SimpleGrid>
              </Checkbox.Group>
            ) : null}
            <Textarea id="amend-reason" label="Why the request changes" required autosize minRows={2} {...form.getInputProps('reason')} />
            <ErrorAlert error={error} title="The request was not amended" />
            <Group>
              <Button type="submit" loading={busy} disabled={!reason.trim() || categories.length === 0}>Save the amendment</Button>
              <Button variant="subtle" onClick={() => setOpen(false)}>Cancel</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
