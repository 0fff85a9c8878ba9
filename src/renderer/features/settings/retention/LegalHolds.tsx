import { useState } from 'react';
import { Alert, Badge, Button, Fieldset, Group, Radio, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { PlaceHoldInput, type PlaceHoldInputT } from '../../../../shared/contract';
import { DialogModal } from '../../../components/DialogModal';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { TableHead } from '../../../components/TableHead';
import { toApiError } from '../../../lib/call';
import { useCheckedSubmit, zodValidate } from '../../../lib/form';
import { formatDateTime } from '../../../lib/format';
import { useRetentionStore, type LegalHoldT, type RetentionViewT } from './store';

/** The hold form's fields: what it covers, the request reference or the patient's MRN (by `scope`), and why. */
interface HoldValues {
  scope: PlaceHoldInputT['scope'];
  target: string;
  reason: string;
}

/** The values as `retention.placeHold` takes them: the target as the request reference or the MRN, text trimmed. */
function toHold(v: HoldValues): PlaceHoldInputT {
  const target = v.target.trim();
  return { scope: v.scope, ...(v.scope === 'request' ? { requestReference: target } : { mrn: target }), reason: v.reason.trim() };
}

const UNUSUAL = 'Remove unusual characters (such as control or invisible characters).';
const checkHold = zodValidate<HoldValues>(PlaceHoldInput, toHold, { requestReference: UNUSUAL, mrn: UNUSUAL, reason: UNUSUAL });
/** The schema main parses (PlaceHoldInput), its errors under the form's two text fields; an empty field says what to enter. */
function validateHold(v: HoldValues) {
  const e = checkHold(v);
  const target = !v.target.trim() ? (v.scope === 'request' ? 'Enter the request reference, e.g. Q-2026-00001.' : 'Enter the patient’s MRN.') : (e.requestReference ?? e.mrn);
  const reason = !v.reason.trim() ? 'Say why (for example the matter or the letter received).' : e.reason;
  return { ...(target ? { target } : {}), ...(reason ? { reason } : {}) };
}

/**
 * Legal holds: the holds in force (lift one, after a confirmation) and placing a hold on a request or a patient
 * (`retention.placeHold`); nothing a hold covers is purged until it is lifted.
 */
export function LegalHolds({ view, locked }: { view: RetentionViewT; locked: boolean }) {
  const placeHoldIn = useRetentionStore((s) => s.placeHold);
  const releaseHold = useRetentionStore((s) => s.releaseHold);
  const form = useForm<HoldValues>({ mode: 'controlled', initialValues: { scope: 'request', target: '', reason: '' }, validate: validateHold });
  const { formRef, busy, error: holdError, setError: setHoldError, submit, restart } = useCheckedSubmit(form);
  const [holdMessage, setHoldMessage] = useState<string | null>(null);
  const [lifting, setLifting] = useState<LegalHoldT | null>(null);
  const holdScope = form.values.scope;

  const placeHold = submit(async () => {
    const hold = toHold(form.getValues());
    await placeHoldIn(hold);
    setHoldMessage(`Legal hold placed on ${hold.requestReference ? `request ${hold.requestReference}` : 'the patient'}. Nothing it covers is purged until it is lifted.`);
    form.setValues({ target: '', reason: '' });
    restart();
  });
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
              <TableHead columns={['Covers', 'Reason', 'Placed', 'Action']} />
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
          <form ref={formRef} onSubmit={(e) => { setHoldMessage(null); void placeHold(e); }} noValidate aria-label="Place a legal hold">
            <Stack gap="sm">
              <Radio.Group label="Place a hold on" {...form.getInputProps('scope')}>
                <Group gap="lg" mt={6}>
                  <Radio value="request" label="A request" />
                  <Radio value="patient" label="A patient (every request and release)" />
                </Group>
              </Radio.Group>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <TextInput id="hold-target" label={holdScope === 'request' ? 'Request reference' : 'Patient MRN'} {...form.getInputProps('target')}
                  placeholder={holdScope === 'request' ? 'Q-2026-00001' : undefined} maxLength={holdScope === 'request' ? 40 : 64} />
                <TextInput id="hold-reason" label="Reason" {...form.getInputProps('reason')} maxLength={500}
                  description="Kept in the vault; never written to the audit log or logs." />
              </SimpleGrid>
              <ErrorAlert error={holdError} title="The legal hold was not changed" />
              <div aria-live="polite">{holdMessage ? <Alert color="green" variant="light" role="status" title={holdMessage} /> : null}</div>
              <Group>
                <Button type="submit" variant="default" loading={busy}>
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
