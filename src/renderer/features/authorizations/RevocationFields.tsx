import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Part2Consent } from '../../../shared/compliance';

/** A revocation as recorded: the day it was received (effective that day) and how it came. */
export type RevocationT = NonNullable<Part2Consent['revocation']>;

/** How a revocation came, in words. */
export const REVOCATION_METHOD_LABELS: Record<RevocationT['method'], string> = { written: 'In writing', electronic: 'Electronically', other: 'Other' };

/**
 * Recording that the individual revoked an authorization (45 CFR 164.508(b)(5)) or a Part 2 consent (42 CFR
 * 2.31(a)(6)): the day the revocation was received and how. "Record revocation" stays disabled until the day is
 * given; `onRevoke` gets the revocation. `ids` are the two fields' element ids.
 */
export function RevocationFields({ ids, busy = false, onRevoke }: { ids: { date: string; method: string }; busy?: boolean; onRevoke: (r: RevocationT) => void }) {
  const form = useForm<RevocationT>({ mode: 'controlled', initialValues: { receivedDate: '', method: 'written' } });
  return (
    <Group align="flex-end">
      <TextInput id={ids.date} type="date" label="Revocation received on" {...form.getInputProps('receivedDate')} />
      <NativeSelect id={ids.method} label="How" data={Object.entries(REVOCATION_METHOD_LABELS).map(([value, label]) => ({ value, label }))} {...form.getInputProps('method')} />
      <Button variant="outline" color="red" disabled={!form.values.receivedDate} loading={busy} onClick={() => onRevoke(form.getValues())}>
        Record revocation
      </Button>
    </Group>
  );
}
