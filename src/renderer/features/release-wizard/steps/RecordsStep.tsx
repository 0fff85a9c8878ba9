import { useEffect, useRef, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Group, MultiSelect, NativeSelect, Stack, Table, Text, TextInput, Textarea, Tooltip } from '@mantine/core';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, type DocumentCategory } from '../../../../shared/compliance';
import type { DocumentSummaryT, ReleaseEvaluationT, RequestDetailT } from '../../../../shared/contract';
import { minimumNecessaryApplies, STEP, useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatBytes, formatDate, plural } from '../../../lib/format';
import { scopeDates } from '../../requests/request-detail/parts';
import { ImportRefusals } from './ImportRefusals';
import { RecordFileDrop } from './RecordFileDrop';
import { PatientCheckPanel } from '../PatientCheckPanel';

type DocEval = ReleaseEvaluationT['documents'][number];

/** Why a document is outside the request's scope (categories, dates), in words. */
export function outOfScopeReason(doc: Pick<DocumentSummaryT, 'category' | 'documentDate' | 'alsoCategories'>, scope: RequestDetailT['request']['scope']): string {
  const outside = [doc.category, ...(doc.alsoCategories ?? [])].find((c) => !scope.categories.includes(c));
  if (outside) return `“${CATEGORY_LABELS[outside]}” is not a category the request asks for.`;
  if (scope.from && doc.documentDate < scope.from) return `Dated ${formatDate(doc.documentDate)}, before the requested dates (from ${formatDate(scope.from)}).`;
  if (scope.to && doc.documentDate > scope.to) return `Dated ${formatDate(doc.documentDate)}, after the requested dates (to ${formatDate(scope.to)}).`;
  return 'Outside the requested scope.';
}

/** The scope cell: in scope, widened with a reason, or why it cannot go (and, where minimum necessary applies, the reason action). */
function ScopeCell({ doc, ev, request, editable }: { doc: DocumentSummaryT; ev: DocEval | undefined; request: RequestDetailT | null; editable: boolean }) {
  const overrideScope = useWizardStore((s) => s.overrideScope);
  const busy = useWizardStore((s) => s.busy);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!doc.classified)
    return (
      <Badge color="red" variant="light" tt="none" h="auto" py={2} styles={{ label: { whiteSpace: 'normal', overflow: 'visible' } }}>
        Not classified — set category and date
      </Badge>
    );
  if (!ev || !request) return <Text size="sm" c="dark.4">Checking…</Text>;
  if (ev.inScope) return <Badge color="green" variant="light" tt="none">In scope — selected</Badge>;
  if (ev.overridden && ev.selectable) return <Badge color="yellow" c="dark.9" variant="light" tt="none">Outside scope — reason recorded</Badge>;
  const why = outOfScopeReason(doc, request.request.scope);
  const canWiden = editable && !ev.sensitive && minimumNecessaryApplies(request.request);
  return (
    <Stack gap={4}>
      <Badge color="red" variant="light" tt="none">Not selectable</Badge>
      <Text size="xs">{why}</Text>
      {ev.sensitive ? (
        <Text size="xs">A sensitive category never goes beyond what the request asks for (45 CFR 164.514(d)). Remove it.</Text>
      ) : !canWiden ? (
        <Text size="xs">The request defines what may be released here; remove it, or amend the request.</Text>
      ) : open ? (
        <Stack gap={4}>
          <Textarea label="Why it is needed (minimum necessary, 164.514(d)(3))" size="xs" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)}
            error={reason.trim().length > 0 && reason.trim().length < 10 ? 'At least 10 characters.' : undefined} />
          <Group gap={4}>
            <Button size="xs" disabled={reason.trim().length < 10} loading={busy === 'override'}
              onClick={() => void overrideScope(doc.id, reason.trim()).then((ok) => ok && setOpen(false))}>Record reason</Button>
            <Button size="xs" variant="subtle" onClick={() => setOpen(false)}>Cancel</Button>
          </Group>
        </Stack>
      ) : (
        <Button size="xs" variant="outline" onClick={() => setOpen(true)}>Record a reason to include</Button>
      )}
    </Stack>
  );
}

/**
 * Category and date-of-service cells. A classified document saves each change (documents.classify). An unclassified
 * one starts empty — no placeholder category or date to leave in by mistake — and is saved once both are set.
 */
function ClassifyCells({ doc, editable }: { doc: DocumentSummaryT; editable: boolean }) {
  const busy = useWizardStore((s) => s.busy);
  const classify = useWizardStore((s) => s.classify);
  const [cat, setCat] = useState<string>(doc.classified ? doc.category : '');
  const [date, setDate] = useState<string>(doc.classified ? doc.documentDate : '');
  const [also, setAlso] = useState<DocumentCategory[]>(doc.alsoCategories ?? []);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const save = (c: string, dt: string, more: DocumentCategory[] = also) => {
    if (!c || !/^\d{4}-\d{2}-\d{2}$/.test(dt)) return;
    const rest = more.filter((x) => x !== c);
    if (doc.classified && c === doc.category && dt === doc.documentDate && same(rest, doc.alsoCategories ?? [])) return;
    void classify(doc.id, c as DocumentCategory, dt, rest);
  };
  const missing = !doc.classified;
  return (
    <>
      <Table.Td>
        <NativeSelect id={`category-${doc.id}`} aria-label={`Category of ${doc.originalName}`} size="xs" value={cat} disabled={!editable || busy === 'classify'}
          error={missing && !cat ? 'Choose a category' : undefined}
          data={[...(doc.classified ? [] : [{ value: '', label: 'Choose a category…', disabled: true }]), ...DOCUMENT_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))]}
          onChange={(e) => { const v = e.currentTarget.value; setCat(v); save(v, date); }} />
        {cat ? (
          // A combined record (e.g. a visit note with lab results) carries more than one category; each is checked.
          <MultiSelect mt={4} size="xs" aria-label={`Other categories in ${doc.originalName}`} placeholder={also.length ? undefined : 'Also contains… (optional)'}
            disabled={!editable || busy === 'classify'} clearable value={also.filter((c) => c !== cat)}
            data={DOCUMENT_CATEGORIES.filter((c) => c !== cat).map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
            onChange={(v) => { const next = v as DocumentCategory[]; setAlso(next); save(cat, date, next); }} />
        ) : null}
      </Table.Td>
      <Table.Td>
        <TextInput aria-label={`Date of service of ${doc.originalName}`} size="xs" type="date" value={date} disabled={!editable}
          error={missing && !date ? 'Enter the date of service' : undefined}
          onChange={(e) => setDate(e.currentTarget.value)}
          onBlur={(e) => save(cat, e.currentTarget.value)} />
      </Table.Td>
    </>
  );
}

/** Step 2: the records (PDFs, photos, scans, faxes — all stored as PDF), each filed under a category and date of service, checked against the request's scope. */
export function RecordsStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const evaluation = useWizardStore((s) => s.evaluation);
  const request = useWizardStore((s) => s.request);
  const pickDocuments = useWizardStore((s) => s.pickDocuments);
  const removeDocument = useWizardStore((s) => s.removeDocument);
  const goTo = useWizardStore((s) => s.goTo);
  const docs = release?.documents ?? [];
  const pages = docs.reduce((n, d) => n + d.pageCount, 0);
  const editable = release?.status === 'draft' || release?.status === 'failed';
  const evalFor = (id: string) => evaluation?.documents.find((d) => d.documentId === id);
  const notSelectable = docs.filter((d) => d.classified && evalFor(d.id)?.selectable === false).length;
  const unclassified = docs.filter((d) => !d.classified);
  const firstUnclassified = editable ? unclassified[0]?.id : undefined;
  const focused = useRef<string | null>(null);
  useEffect(() => {
    // Focus the first unclassified document's category once per document (after an import).
    if (firstUnclassified && focused.current !== firstUnclassified) {
      focused.current = firstUnclassified;
      document.getElementById(`category-${firstUnclassified}`)?.focus();
    }
  }, [firstUnclassified]);
  if (!release) return null;

  return (
    <Stack gap="md">
      <Text>
        Add the records to release (PDF files, photos, scans or faxes), then file each under its category and date of
        service. Only documents within the request’s scope can be sent.
      </Text>
      {request ? (
        <Text size="sm">
          Requested: {request.request.scope.categories.map((c) => CATEGORY_LABELS[c]).join(', ')}; {scopeDates(request.request.scope).toLowerCase()}.
        </Text>
      ) : null}
      {editable ? (
        <RecordFileDrop>
          {/* pickDocuments must be called directly in the click: the preview's file chooser needs the gesture. */}
          <Button variant="outline" onClick={() => void pickDocuments()} loading={busy === 'pick'}>
            Add PDF files, photos or faxes
          </Button>
        </RecordFileDrop>
      ) : null}

      <ImportRefusals />
      <ErrorAlert error={error} />

      {docs.length === 0 ? (
        <Text c="dark.4">No documents yet.</Text>
      ) : (
        <Table verticalSpacing="xs" aria-label="Documents in this release">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Sent as</Table.Th>
              <Table.Th scope="col">Pages</Table.Th>
              <Table.Th scope="col">Size</Table.Th>
              <Table.Th scope="col">Category</Table.Th>
              <Table.Th scope="col">Date of service</Table.Th>
              <Table.Th scope="col">Scope</Table.Th>
              {editable ? <Table.Th scope="col">Remove</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {docs.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td style={{ wordBreak: 'break-all' }}>{d.originalName}</Table.Td>
                <Table.Td>{d.label}</Table.Td>
                <Table.Td>{d.pageCount}</Table.Td>
                <Table.Td>{formatBytes(d.sizeBytes)}</Table.Td>
                <ClassifyCells key={`${d.id}-${d.classified}-${d.category}-${d.documentDate}`} doc={d} editable={editable} />
                <Table.Td style={{ minWidth: 180 }}>
                  <ScopeCell doc={d} ev={evalFor(d.id)} request={request} editable={editable} />
                </Table.Td>
                {editable ? (
                  <Table.Td>
                    <Tooltip label="Remove from this release">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${d.originalName}`}
                        onClick={() => void removeDocument(d.id)}
                        disabled={busy === 'remove'}
                      >
                        <span aria-hidden>✕</span>
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {unclassified.length > 0 ? (
        <Alert color="red" variant="light" role="status" title={`${plural(unclassified.length, 'document needs', 'documents need')} a category and date of service`}>
          Set the category and date of service of {unclassified.map((d) => d.label.replace(/\.pdf$/i, '')).join(', ')}. Imported files are not filed
          anywhere until you do; the release cannot be sent before.
        </Alert>
      ) : null}
      {notSelectable > 0 ? (
        <Alert color="orange" variant="light" role="status" title={`${plural(notSelectable, 'document is', 'documents are')} outside the request’s scope`}>
          Change the category or date if it was filed wrongly, record a reason where that is allowed, or remove it. The release cannot be sent while it is included.
        </Alert>
      ) : null}
      <PatientCheckPanel />
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(STEP.patient)}>Back</Button>
        <Group gap="md">
          <Text size="sm" c="dark.4" aria-live="polite">
            {plural(docs.length, 'document')}, {plural(pages, 'page')}. Next: choose the recipient.
          </Text>
          <Button onClick={() => goTo(STEP.recipient)} disabled={docs.length === 0}>Next: recipient</Button>
        </Group>
      </Group>
    </Stack>
  );
}
