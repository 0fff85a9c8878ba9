import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import type { DocumentPatientCheckT, DocumentSummaryT } from '../../../shared/contract';
import { pendingPatientCheck, showsAnotherPatient } from '../../../shared/patient-check';
import { roleMayCall } from '../../../shared/roles';
import { useRole } from '../../lib/roles';
import { toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TableHead } from '../../components/TableHead';
import { formatDateTime, plural } from '../../lib/format';
import { useWizardStore } from './store';
import { PagePreview } from './PagePreview';

const short = (d: DocumentSummaryT) => d.label.replace(/\.pdf$/i, '');


/** What the check found, in words (which kinds of identifier; never their values). */
export function describeCheck(c: DocumentPatientCheckT): { badge: string; color: string; detail: string } {
  const found = [c.nameFound ? 'name' : '', c.dobFound ? 'date of birth' : '', c.mrnFound ? 'record number' : ''].filter(Boolean);
  const pages = c.conflictPages.length ? ` on page ${c.conflictPages.join(', ')}` : '';
  switch (c.outcome) {
    case 'pending':
      return { badge: 'Checking…', color: 'gray', detail: 'Comparing the text with the patient.' };
    case 'match':
      return { badge: 'Names this patient', color: 'green', detail: `Found the patient’s ${found.join(', ')}.` };
    case 'mismatch': {
      const other = [c.otherMrns ? 'another medical record number' : '', c.otherDobs ? 'another date of birth' : '', c.otherNames ? 'another patient name' : ''].filter(Boolean);
      return { badge: 'Another patient?', color: 'red', detail: `Shows ${other.join(', ')}${pages}.${found.length ? ` Also found this patient’s ${found.join(', ')}.` : ''}` };
    }
    case 'name_differs':
      return { badge: 'Different name', color: 'orange', detail: `Names a patient whose name is not this patient’s${pages}. A nickname or a typo? Look at the pages.` };
    case 'not_found':
      return { badge: 'Patient not found', color: 'orange', detail: 'Neither the patient’s name nor record number is in the text. Look at the pages.' };
    case 'no_text':
    case 'unreadable':
      return { badge: 'Could not be checked', color: 'orange', detail: 'No readable text (a scan?). Look at the pages before sending.' };
  }
}

/**
 * The reasoned confirmation of a flagged file. For a file that shows another patient on every identifier, staff who
 * are not privacy officers are told first that their confirmation is a request a privacy officer must approve.
 */
function ConfirmForm({ doc, check, onDone }: { doc: DocumentSummaryT; check: DocumentPatientCheckT; onDone: (checks: DocumentPatientCheckT[]) => void }) {
  const confirmPatient = useWizardStore((s) => s.confirmPatient);
  const officer = roleMayCall(useRole(), 'documents.decidePatientConfirm');
  const needsOfficer = showsAnotherPatient(check) && !officer;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!open)
    return (
      <Button size="xs" variant="outline" onClick={() => setOpen(true)}>
        {needsOfficer ? 'Ask a privacy officer to confirm it…' : 'Confirm it belongs here…'}
      </Button>
    );
  const ok = reason.trim().length >= 10;
  return (
    <Stack gap={4}>
      {needsOfficer ? (
        <Alert color="violet" variant="light" title="A privacy officer must approve a file that shows another patient" data-testid="officer-must-approve">
          {short(doc)} names none of this patient’s details. Your reason is recorded and the file waits for a privacy officer, who looks at it and
          approves or declines it. Nothing is sent until then.
        </Alert>
      ) : null}
      <Textarea
        label={`Why ${short(doc)} belongs in this release`}
        description="Recorded with your name and the time."
        size="xs"
        autosize
        minRows={2}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value.replace(/[\r\n]+/g, ' '))}
        error={reason.trim().length > 0 && !ok ? 'At least 10 characters.' : undefined}
      />
      <ErrorAlert error={error} />
      <Group gap={4}>
        <Button
          size="xs"
          disabled={!ok}
          loading={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            confirmPatient({ documentId: doc.id, reason: reason.trim() }).then(
              (r) => {
                setBusy(false);
                setOpen(false);
                onDone(r.checks);
              },
              (e: unknown) => {
                setBusy(false);
                setError(toApiError(e));
              },
            );
          }}
        >
          {needsOfficer ? 'Ask a privacy officer' : 'Record confirmation'}
        </Button>
        <Button size="xs" variant="subtle" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Where a file that shows another patient stands with the privacy officer, and for officers the Approve / Decline
 * buttons (documents.decidePatientConfirm). Nothing for any other file.
 */
function OfficerDecision({ doc, check, editable, onDone }: { doc: DocumentSummaryT; check: DocumentPatientCheckT; editable: boolean; onDone: (checks: DocumentPatientCheckT[]) => void }) {
  const decide = useWizardStore((s) => s.decidePatientConfirm);
  const officer = roleMayCall(useRole(), 'documents.decidePatientConfirm');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const state = check.officerApproval ?? 'not_needed';
  if (state === 'not_needed') return null;
  if (state === 'approved')
    return (
      <Text size="xs" data-testid="officer-approved">
        Approved by a privacy officer or administrator.
      </Text>
    );
  const run = (decision: 'approve' | 'decline') => {
    setBusy(true);
    setError(null);
    decide({ documentId: doc.id, decision }).then(
      (r) => {
        setBusy(false);
        onDone(r.checks);
      },
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e));
      },
    );
  };
  return (
    <Stack gap={4} data-testid="officer-decision">
      <Text size="xs" fw={600}>
        {state === 'waiting'
          ? 'Waiting for a privacy officer: this file shows another patient. It cannot be sent until a privacy officer approves it.'
          : 'A privacy officer declined this file. Remove it from the release.'}
      </Text>
      <ErrorAlert error={error} />
      {officer && editable ? (
        <Group gap={4}>
          <Button size="xs" color="violet" loading={busy} onClick={() => run('approve')}>
            Approve: it belongs here
          </Button>
          {state === 'waiting' ? (
            <Button size="xs" variant="outline" color="red" loading={busy} onClick={() => run('decline')}>
              Decline
            </Button>
          ) : null}
        </Group>
      ) : null}
    </Stack>
  );
}

/**
 * "Right patient" on the Records step: each record file's text compared with the request's patient
 * (documents.checkPatient, run whenever the files change), with a page preview and, for a flagged file, a
 * reasoned confirmation. Another patient's record (other MRN or date of birth) blocks the release until removed
 * or confirmed; one that shows another patient on every identifier also until a privacy officer approves it.
 */
export function PatientCheckPanel() {
  const release = useWizardStore((s) => s.release);
  const evaluate = useWizardStore((s) => s.evaluate);
  const checkPatient = useWizardStore((s) => s.checkPatient);
  const [checks, setChecks] = useState<DocumentPatientCheckT[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const docs = release?.documents ?? [];
  const releaseId = release?.id;
  const key = docs.map((d) => d.id).join(',');
  useEffect(() => {
    if (!releaseId || !key) return;
    let live = true;
    checkPatient(releaseId).then(
      (r) => {
        if (!live) return;
        setChecks(r.checks);
        setError(null);
        void evaluate();
      },
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [releaseId, key, evaluate, checkPatient]);
  if (!release || docs.length === 0) return null;
  const editable = release.status === 'draft' || release.status === 'failed';
  const checkOf = (id: string) => checks.find((c) => c.documentId === id);
  const flagged = docs.filter((d) => {
    const c = checkOf(d.id);
    return c && c.outcome === 'mismatch' && !c.confirmed;
  });
  const previewDoc = docs.find((d) => d.id === preview);
  const onConfirmed = (next: DocumentPatientCheckT[]) => {
    setChecks(next);
    void evaluate();
  };

  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Right patient
      </Title>
      <Text size="sm">
        ReleaseDesk reads each file’s text and looks for this patient’s name, date of birth and medical record number. Look at the pages of any
        file it could not confirm.
      </Text>
      <ErrorAlert error={error} />
      {flagged.length > 0 ? (
        <Alert color="red" variant="light" role="alert" title={`${plural(flagged.length, 'file may be', 'files may be')} another patient’s record`}>
          {flagged.map((d) => {
            const c = checkOf(d.id)!;
            return (
              <Text size="sm" key={d.id}>
                <strong>{short(d)}</strong> ({d.originalName}): {describeCheck(c).detail}
              </Text>
            );
          })}
          <Text size="sm" mt={6}>
            Sending it would disclose another patient’s health information. <strong>What to do next:</strong> remove it from the release (✕ in the
            table above), or look at its pages and, if it truly belongs here, confirm that with a reason. The release cannot be sent until you do.
          </Text>
        </Alert>
      ) : null}
      <Table verticalSpacing="xs" aria-label="Patient check">
        <TableHead columns={['File', 'Result', 'Pages']} />
        <Table.Tbody>
          {docs.map((d) => {
            const c = checkOf(d.id) ?? pendingPatientCheck(d.id);
            const ex = describeCheck(c);
            const needsLook = c.outcome !== 'match' && c.outcome !== 'pending';
            return (
              <Table.Tr key={d.id} data-testid={`patient-check-${d.label}`} data-outcome={c.outcome}>
                <Table.Td>
                  <Text size="sm">{short(d)}</Text>
                  <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>{d.originalName}</Text>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    <Badge color={c.confirmed ? 'yellow' : ex.color} c={c.confirmed || ex.color === 'yellow' ? 'dark.9' : undefined} variant="light" tt="none">
                      {c.officerApproval === 'waiting' ? 'Waiting for a privacy officer' : c.officerApproval === 'declined' ? 'Declined by a privacy officer' : c.confirmed ? 'Confirmed by staff' : ex.badge}
                    </Badge>
                    <Text size="xs">{ex.detail}</Text>
                    {c.confirmed ? (
                      <Text size="xs">
                        Confirmed by {c.confirmed.by}, {formatDateTime(c.confirmed.at)}: “{c.confirmed.reason}”
                      </Text>
                    ) : null}
                    {needsLook && !c.confirmed && editable ? <ConfirmForm doc={d} check={c} onDone={onConfirmed} /> : null}
                    <OfficerDecision doc={d} check={c} editable={editable} onDone={onConfirmed} />
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Button size="xs" variant={needsLook ? 'filled' : 'default'} onClick={() => setPreview(d.id)} aria-label={`Look at the pages of ${short(d)}`}>
                    Look at pages
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {previewDoc ? (
        <PagePreview
          releaseId={release.id}
          documentId={previewDoc.id}
          label={short(previewDoc)}
          pageCount={previewDoc.pageCount}
          highlight={checkOf(previewDoc.id)?.conflictPages ?? []}
          opened
          onClose={() => setPreview(null)}
        />
      ) : null}
    </Stack>
  );
}
