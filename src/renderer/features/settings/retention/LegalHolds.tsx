import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Fieldset, Group, Radio, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { DialogModal } from '../../../components/DialogModal';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../../lib/call';
import { formatDateTime } from '../../../lib/format';
import { useRetentionStore, type LegalHoldT, type RetentionViewT } from './store';

/**
 * Legal holds: the holds in force (lift one, after a confirmation) and placing a hold on a request or a patient
 * (`retention.placeHold`); nothing a hold covers is purged until it is lifted.
 */
export function LegalHolds({ view, locked }: { view: RetentionViewT; locked: boolean }) {
  const placeHoldIn = useRetentionStore((s) => s.placeHold);
  const releaseHold = useRetentionStore((s) => s.releaseHold);
  const [holdScope, setHoldScope] = useState<'request' | 'patient'>('request');
  const [holdTarget, setHoldTarget] = useState('');
  const [holdReason, setHoldReason] = useState('');
  const [holdSubmitted, setHoldSubmitted] = useState(false);
  const [holdError, setHoldError] = useState<ApiError | null>(null);
  const [holdMessage, setHoldMessage] = useState<string | null>(null);
  const [lifting, setLifting] = useState<LegalHoldT | null>(null);

  const holdFieldError = holdSubmitted && !holdTarget.trim() ? (holdScope === 'request' ? 'Enter the request reference, e.g. Q-2026-00001.' : 'Enter the patient’s MRN.') : undefined;
  const holdReasonError = holdSubmitted && !holdReason.trim() ? 'Say why (for example the matter or the letter received).' : undefined;
  const placeHold = async (ev: FormEvent) => {
    ev.preventDefault();
    setHoldSubmitted(true);
    setHoldError(null);
    setHoldMessage(null);
    if (!holdTarget.trim() || !holdReason.trim()) {
      document.getElementById(!holdTarget.trim() ? 'hold-target' : 'hold-reason')?.focus();
      return;
    }
    try {
      await placeHoldIn({
        scope: holdScope,
        ...(holdScope === 'request' ? { requestReference: holdTarget.trim() } : { mrn: holdTarget.trim() }),
        reason: holdReason.trim(),
      });
      setHoldMessage(`Legal hold placed on ${holdScope === 'request' ? `request ${holdTarget.trim()}` : 'the patient'}. Nothing it covers is purged until it is lifted.`);
      setHoldTarget('');
      setHoldReason('');
      setHoldSubmitted(false);
    } catch (e) {
      setHoldError(toApiError(e));
    }
  };
  const liftHold = async () => {
    const h = lifting;
    setLifting(null);
    if (!h) return;
    setHoldError(null);
    setHoldMessage(null);
    try {
      await releaseHold(h.id);
      setHoldMessage('Legal hold lifted. Expired items it kept are removed at the next purge.');
    } catch (e) {
      setHoldError(toApiError(e));
    }
  };

  return (
    <>
      <Fieldset legend="Legal holds" disabled={locked}>
        <Stack gap="sm">
          <Text size="sm">A legal hold keeps everything for a patient or a request, even after its retention ends, until the hold is lifted.</Text>
          {view.holds.length === 0 ? (
            <Text size="sm" c="dark.5">
              No legal holds.
            </Text>
          ) : (
            <Table aria-label="Legal holds" verticalSpacing="xs" data-testid="holds-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Covers</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col">Placed</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {view.holds.map((h) => (
                  <Table.Tr key={h.id}>
                    <Table.Td>
                      <Badge variant="light" color="grape" tt="none" mr={6}>
                        {h.scope === 'request' ? 'Request' : 'Patient'}
                      </Badge>
                      {h.scope === 'request' ? h.requestReference : `${h.patientName ?? 'Patient'} (MRN ${h.patientMrn ?? '—'})`}
                    </Table.Td>
                    <Table.Td>{h.reason}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(h.placedAt)}</Text>
                      <Text size="xs" c="dark.4">
                        by {h.placedBy}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => setLifting(h)}>
                        Lift hold
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <form onSubmit={(e) => void placeHold(e)} noValidate aria-label="Place a legal hold">
            <Stack gap="sm">
              <Radio.Group label="Place a hold on" value={holdScope} onChange={(v) => setHoldScope(v as 'request' | 'patient')}>
                <Group gap="lg" mt={6}>
                  <Radio value="request" label="A request" />
                  <Radio value="patient" label="A patient (every request and release)" />
                </Group>
              </Radio.Group>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <TextInput
                  id="hold-target"
                  label={holdScope === 'request' ? 'Request reference' : 'Patient MRN'}
                  placeholder={holdScope === 'request' ? 'Q-2026-00001' : undefined}
                  value={holdTarget}
                  onChange={(e) => setHoldTarget(e.currentTarget.value)}
                  error={holdFieldError}
                  aria-invalid={holdFieldError ? true : undefined}
                  maxLength={holdScope === 'request' ? 40 : 64}
                />
                <TextInput
                  id="hold-reason"
                  label="Reason"
                  description="Kept in the vault; never written to the audit log or logs."
                  value={holdReason}
                  onChange={(e) => setHoldReason(e.currentTarget.value)}
                  error={holdReasonError}
                  aria-invalid={holdReasonError ? true : undefined}
                  maxLength={500}
                />
              </SimpleGrid>
              <ErrorAlert error={holdError} title="The legal hold was not changed" />
              <div aria-live="polite">{holdMessage ? <Alert color="green" variant="light" role="status" title={holdMessage} /> : null}</div>
              <Group>
                <Button type="submit" variant="default">
                  Place legal hold
                </Button>
              </Group>
            </Stack>
          </form>
        </Stack>
      </Fieldset>
      <DialogModal opened={lifting !== null} onClose={() => setLifting(null)} title="Lift this legal hold?">
        <Stack gap="sm">
          <Text size="sm">
            {lifting?.scope === 'request' ? `Request ${lifting.requestReference ?? ''}` : 'This patient'} will follow the retention policy
            again: anything already expired is removed at the next purge.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setLifting(null)} data-autofocus>
              Keep the hold
            </Button>
            <Button color="red" onClick={() => void liftHold()}>
              Lift hold
            </Button>
          </Group>
        </Stack>
      </DialogModal>
    </>
  );
}
