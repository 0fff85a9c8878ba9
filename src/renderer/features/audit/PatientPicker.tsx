import { useEffect, useState } from 'react';
import { Select } from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { useAuditStore } from './store';

/** A patient known to the vault (`audit.patients`). */
export type Patient = ChannelOutput<'audit.patients'>[number];

/** Picks a patient known to the vault, by name or MRN. */
export function PatientPicker({ label, value, onChange }: { label: string; value: Patient | null; onChange: (p: Patient | null) => void }) {
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<Patient[]>([]);
  const patients = useAuditStore((s) => s.patients);
  useEffect(() => {
    let live = true;
    patients(search)
      .then((r) => live && setOptions(r))
      .catch(() => live && setOptions([]));
    return () => {
      live = false;
    };
  }, [search, patients]);
  const all = value && !options.some((o) => o.mrn === value.mrn) ? [value, ...options] : options;
  return (
    <Select
      label={label}
      searchable
      clearable
      nothingFoundMessage="No patient with that name or MRN"
      searchValue={search}
      onSearchChange={setSearch}
      data={all.map((p) => ({ value: p.mrn, label: `${p.name} (born ${p.dateOfBirth}, ${p.mrn})` }))}
      value={value?.mrn ?? null}
      onChange={(mrn) => onChange(all.find((p) => p.mrn === mrn) ?? null)}
    />
  );
}
