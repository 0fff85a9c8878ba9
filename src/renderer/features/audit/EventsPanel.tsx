import { useState } from 'react';
import { Anchor, Button, Group, Pagination, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { ACTION_KIND_LABEL, AUDIT_ACTION_KINDS, OUTCOME_LABEL, type AuditActionKind } from '../../../shared/audit-labels';
import { useAppStore } from '../../lib/navigation';
import { PAGE_SIZE, useAuditStore, type AuditFilter } from './store';
import { AuditEventTable } from './AuditEventTable';

/** The log, newest first, filtered and paged in the vault; export of the filtered log as the audit report. */
export function EventsPanel() {
  const { filter, page, result, setFilter, setPage, exportReport, exporting } = useAuditStore();
  const navigate = useAppStore((s) => s.navigate);
  const [draft, setDraft] = useState<AuditFilter>(filter);
  const set = (k: keyof AuditFilter, v: string | null) => setDraft((d) => ({ ...d, [k]: v ? v : undefined }));
  const apply = () => setFilter(Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined && v !== '')) as AuditFilter);

  return (
    <Stack gap="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
        aria-label="Filter the audit log"
      >
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
          <TextInput type="date" label="From" value={draft.from ?? ''} onChange={(e) => set('from', e.currentTarget.value)} />
          <TextInput type="date" label="To" value={draft.to ?? ''} onChange={(e) => set('to', e.currentTarget.value)} />
          <Select label="Staff member" clearable data={result?.actors ?? []} value={draft.actor ?? null} onChange={(v) => set('actor', v)} />
          <Select
            label="Kind of action"
            clearable
            data={AUDIT_ACTION_KINDS.map((k) => ({ value: k, label: ACTION_KIND_LABEL[k] }))}
            value={draft.kind ?? null}
            onChange={(v) => set('kind', v as AuditActionKind | null)}
          />
          <Select
            label="Outcome"
            clearable
            data={(['success', 'refused', 'failure'] as const).map((o) => ({ value: o, label: OUTCOME_LABEL[o] }))}
            value={draft.outcome ?? null}
            onChange={(v) => set('outcome', v)}
          />
          <TextInput label="Patient (name or MRN)" value={draft.patient ?? ''} onChange={(e) => set('patient', e.currentTarget.value)} />
          <TextInput label="Request or release" placeholder="R-2026-00004" value={draft.reference ?? ''} onChange={(e) => set('reference', e.currentTarget.value)} />
          <TextInput label="Search" value={draft.search ?? ''} onChange={(e) => set('search', e.currentTarget.value)} />
        </SimpleGrid>
        <Group mt="sm" justify="space-between" wrap="wrap">
          <Group>
            <Button type="submit">Apply filters</Button>
            <Button
              variant="subtle"
              onClick={() => {
                setDraft({});
                setFilter({});
              }}
            >
              Clear filters
            </Button>
          </Group>
          <Button
            variant="outline"
            loading={exporting === 'Audit report'}
            onClick={() => void exportReport()}
          >
            Export audit report (PDF and CSV)
          </Button>
        </Group>
      </form>
      {result === null ? (
        <Text>Loading…</Text>
      ) : (
        <>
          <Text size="sm" c="dark.4" aria-live="polite">
            {result.total} {result.total === 1 ? 'event matches' : 'events match'}. The report exports all of them, oldest first.
          </Text>
          <AuditEventTable
            label="Audit events"
            rows={result.events}
            columns={[
              {
                title: 'What happened',
                wrap: true,
                cell: (e) => (
                  <>
                    {e.description}
                    {e.requestId || e.releaseId ? (
                      <Group gap="xs" mt={2}>
                        {e.requestId && e.requestReference ? (
                          <Anchor component="button" type="button" size="xs" onClick={() => navigate({ name: 'request', requestId: e.requestId! })}>
                            Open request {e.requestReference}
                          </Anchor>
                        ) : null}
                        {e.releaseId && e.releaseReference ? (
                          <Anchor component="button" type="button" size="xs" onClick={() => navigate({ name: 'wizard', releaseId: e.releaseId! })}>
                            Open release {e.releaseReference}
                          </Anchor>
                        ) : null}
                      </Group>
                    ) : null}
                  </>
                ),
              },
              { title: 'Patient', width: 200, wrap: true, cell: (e) => e.patientName ?? '—' },
            ]}
          />
          {result.total > PAGE_SIZE ? (
            <Pagination total={Math.ceil(result.total / PAGE_SIZE)} value={page} onChange={(p) => void setPage(p)} getControlProps={(c) => ({ 'aria-label': `${c} page` })} />
          ) : null}
        </>
      )}
    </Stack>
  );
}
