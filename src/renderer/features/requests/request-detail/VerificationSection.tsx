import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { VERIFICATION_METHOD_LABELS, VERIFICATION_METHODS, type VerificationMethod } from '../../../../shared/compliance-text';
import type { RequestDetailT } from '../../../../shared/contract';
import { useRequestsStore } from '../store';
import { DenialNoticePanel } from '../DenialNotice';
import { RepresentativeAuthority } from '../../authorizations/RepresentativeAuthority';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatDateTime } from '../../../lib/format';
import { OPEN, Section, useActionError } from './parts';

/** Identity and authority checks (164.514(h)) and the status actions. */
export function VerificationSection({ d }: { d: RequestDetailT }) {
  const { recordVerification, setStatus, deny, withdraw } = useRequestsStore.getState();
  const busy = useRequestsStore((s) => s.busy);
  const verifyError = useActionError('verify');
  const statusError = useActionError('status');
  const denyError = useActionError('deny');
  const withdrawError = useActionError('withdraw');
  const closeError = denyError ?? withdrawError;
  const [subject, setSubject] = useState<'identity' | 'authority'>('identity');
  const [method, setMethod] = useState<VerificationMethod>('photo_id_in_person');
  const [notes, setNotes] = useState('');
  const [closing, setClosing] = useState<'deny' | 'withdraw' | null>(null);
  const [closeText, setCloseText] = useState('');
  const isOpen = OPEN.includes(d.status);
  return (
    <Section id="verify-title" title="Identity and authority">
      <Stack gap="sm">
        {d.request.requester.role === 'personal_representative' && (isOpen || d.request.requester.authorityEvidence) ? (
          <RepresentativeAuthority requestId={d.id} target="requester" evidence={d.request.requester.authorityEvidence}
            onRecorded={(u) => useRequestsStore.setState({ detail: u })} />
        ) : null}
        {d.verifications.length === 0 ? (
          <Text size="sm">No check recorded yet. Verify the requester’s identity (and a representative’s authority) in a way that is reasonable and not a barrier — 45 CFR 164.514(h).</Text>
        ) : (
          <Table aria-label="Identity checks" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr><Table.Th scope="col">What</Table.Th><Table.Th scope="col">Method</Table.Th><Table.Th scope="col">Notes</Table.Th><Table.Th scope="col">By</Table.Th><Table.Th scope="col">When</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.verifications.map((v) => (
                <Table.Tr key={v.id}>
                  <Table.Td>{v.subject === 'identity' ? 'Identity' : 'Authority'}</Table.Td>
                  <Table.Td>{VERIFICATION_METHOD_LABELS[v.method]}</Table.Td>
                  <Table.Td>{v.notes || '—'}</Table.Td>
                  <Table.Td>{v.checkedBy}</Table.Td>
                  <Table.Td>{formatDateTime(v.checkedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {isOpen ? (
          <SimpleGrid cols={{ base: 1, sm: 3 }} style={{ alignItems: 'end' }}>
            <NativeSelect id="verify-subject" label="What was checked" value={subject}
              data={[{ value: 'identity', label: 'The requester’s identity' }, { value: 'authority', label: 'The requester’s authority' }]}
              onChange={(e) => setSubject(e.currentTarget.value as typeof subject)} />
            <NativeSelect id="verify-method" label="How" value={method}
              data={VERIFICATION_METHODS.map((m) => ({ value: m, label: VERIFICATION_METHOD_LABELS[m] }))}
              onChange={(e) => setMethod(e.currentTarget.value as VerificationMethod)} />
            <TextInput id="verify-notes" label="Notes (no ID numbers)" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          </SimpleGrid>
        ) : null}
        {d.status === 'verifying' ? (
          // Not a hidden step: once a check is recorded, the next action is offered right here, with what it means.
          <Alert color="blue" variant="light" role="status"
            title={d.verifications.some((v) => v.subject === 'identity') ? 'Identity checked. Next: mark the request ready to release' : 'Next: check the requester’s identity, then mark the request ready'}>
            <Text size="sm">A release can be sent only for a request marked ready. Marking it ready records that the checks are complete; you can go back to verifying later.</Text>
            <Button mt="xs" loading={busy === 'status'} onClick={() => void setStatus('ready')}>Mark ready to release</Button>
          </Alert>
        ) : null}
        <ErrorAlert error={verifyError} title="The check was not recorded" />
        <ErrorAlert error={statusError} title="The status did not change" />
        <ErrorAlert error={closeError} title="The request was not closed" />
        {isOpen ? (
          <Group justify="space-between">
            <Group gap="xs">
              <Button variant="outline" loading={busy === 'verify'}
                onClick={() => void recordVerification({ subject, method, notes }).then((ok) => ok && setNotes(''))}>
                Record check
              </Button>
              {d.status === 'ready' ? <Button variant="subtle" onClick={() => void setStatus('verifying')}>Back to verifying</Button> : null}
            </Group>
            <Group gap="xs">
              <Button variant="subtle" color="red" onClick={() => setClosing('deny')}>Deny…</Button>
              <Button variant="subtle" color="gray" c="dark.7" onClick={() => setClosing('withdraw')}>Withdrawn…</Button>
            </Group>
          </Group>
        ) : d.closingReason ? (
          <Text size="sm">Reason: {d.closingReason}</Text>
        ) : null}
        <DenialNoticePanel d={d} />
        {closing ? (
          <Stack gap="xs">
            <Textarea id="close-reason" label={closing === 'deny' ? 'Reason for the denial (45 CFR 164.524(d)(2))' : 'Note on the withdrawal (optional)'}
              autosize minRows={2} value={closeText} onChange={(e) => setCloseText(e.currentTarget.value)} />
            <Group>
              <Button color={closing === 'deny' ? 'red' : 'dark'} disabled={closing === 'deny' && !closeText.trim()}
                loading={busy === 'deny' || busy === 'withdraw'}
                onClick={() => void (closing === 'deny' ? deny(closeText) : withdraw(closeText)).then((ok) => ok && setClosing(null))}>
                {closing === 'deny' ? 'Deny the request' : 'Record the withdrawal'}
              </Button>
              <Button variant="subtle" onClick={() => setClosing(null)}>Cancel</Button>
            </Group>
          </Stack>
        ) : null}
      </Stack>
    </Section>
  );
}

