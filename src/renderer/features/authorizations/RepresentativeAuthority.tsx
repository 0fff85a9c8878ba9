import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { AuthorityVerificationMethod, RepresentativeAuthorityDocument, RepresentativeAuthorityEvidence } from '../../../shared/compliance';
import type { RequestDetailT } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useAuthorizationsStore } from './store';
import { formatDateTime } from '../../lib/format';

/** Staff-facing names of what gives a personal representative authority (45 CFR 164.502(g)). */
export const AUTHORITY_DOCUMENT_LABELS: Record<RepresentativeAuthorityDocument, string> = {
  parent_of_minor: 'Parent or guardian of a minor',
  guardianship_order: 'Court order of guardianship',
  health_care_power_of_attorney: 'Health care power of attorney',
  executor_or_administrator: 'Executor or administrator of the estate',
  other_legal_authority: 'Other court order or legal authority',
};

/** Staff-facing names of how the authority was verified (45 CFR 164.514(h)). */
export const AUTHORITY_METHOD_LABELS: Record<AuthorityVerificationMethod, string> = {
  copy_attached: 'A copy is attached (PDF)',
  original_inspected: 'I saw the original document',
  practice_records: 'Our records already list them as parent or guardian',
};

/** How the verification reads once recorded. */
const AUTHORITY_METHOD_DONE: Record<AuthorityVerificationMethod, string> = {
  copy_attached: 'copy on file',
  original_inspected: 'original seen',
  practice_records: 'confirmed from our records',
};

/**
 * The verification of a personal representative's authority (45 CFR 164.502(g), 164.514(h)): shows the recorded
 * verification, or lets staff record one — attach a PDF copy, record that they saw the original, or (for the
 * parent of a minor only) rely on the practice's own records. `requests.recordRepresentativeAuthority`.
 */
export function RepresentativeAuthority(props: {
  requestId: string;
  target: 'requester' | 'authorization_signer';
  evidence: RepresentativeAuthorityEvidence | undefined;
  onRecorded: (d: RequestDetailT) => void;
}) {
  const recordAuthority = useAuthorizationsStore((s) => s.recordRepresentativeAuthority);
  const [document, setDocument] = useState<RepresentativeAuthorityDocument>('health_care_power_of_attorney');
  const [method, setMethod] = useState<AuthorityVerificationMethod>('copy_attached');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ev = props.evidence;
  const idp = `${props.target}-authority`;
  if (ev) {
    return (
      <Text size="sm" data-testid={`${idp}-verified`}>
        Authority verified: {AUTHORITY_DOCUMENT_LABELS[ev.document]} — {AUTHORITY_METHOD_DONE[ev.method]}; checked by {ev.verifiedBy} on {formatDateTime(ev.verifiedAt)}.
      </Text>
    );
  }
  const methodAllowed = method !== 'practice_records' || document === 'parent_of_minor';
  const record = () => {
    setBusy(true);
    setError(null);
    // Called inside the click: with 'copy_attached' the preview's file chooser needs the user gesture.
    void recordAuthority({ requestId: props.requestId, target: props.target, document, method, notes }).then(
      (d) => {
        setBusy(false);
        props.onRecorded(d);
      },
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e));
      },
    );
  };
  return (
    <Stack gap="xs" role="group" aria-labelledby={`${idp}-title`}>
      <Alert color="yellow" variant="light" id={`${idp}-title`} title="Verify the representative’s authority">
        A description alone is not enough (45 CFR 164.514(h)). Attach a copy of the document that gives the authority, or record that you saw the original.
        The release stays blocked until this is recorded.
      </Alert>
      <SimpleGrid cols={{ base: 1, sm: 3 }} style={{ alignItems: 'end' }}>
        <NativeSelect id={`${idp}-document`} label="What gives the authority" value={document}
          data={Object.entries(AUTHORITY_DOCUMENT_LABELS).map(([value, label]) => ({ value, label }))}
          onChange={(e) => setDocument(e.currentTarget.value as RepresentativeAuthorityDocument)} />
        <NativeSelect id={`${idp}-method`} label="How you checked it" value={method}
          data={Object.entries(AUTHORITY_METHOD_LABELS).map(([value, label]) => ({ value, label }))}
          error={methodAllowed ? undefined : 'Our records can confirm only a parent or guardian of a minor.'}
          onChange={(e) => setMethod(e.currentTarget.value as AuthorityVerificationMethod)} />
        <TextInput id={`${idp}-notes`} label="Notes (no ID numbers)" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
      </SimpleGrid>
      <ErrorAlert error={error} title="The verification was not recorded" />
      <Group>
        <Button variant="outline" loading={busy} disabled={!methodAllowed} onClick={record}>
          {method === 'copy_attached' ? 'Choose the copy (PDF) and record' : 'Record the verification'}
        </Button>
      </Group>
    </Stack>
  );
}
