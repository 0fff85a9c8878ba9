import { useState } from 'react';
import { Blockquote, Button, Group, List, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { UNENCRYPTED_EMAIL_WARNING, UNENCRYPTED_EMAIL_WARNING_VERSION } from '../../../../shared/compliance-text';
import type { RequestDetailT } from '../../../../shared/contract';
import { useRequestsStore } from '../store';
import { toApiError, type ApiError } from '../../../lib/call';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatDateTime } from '../../../lib/format';
import { Section, useActionError } from './parts';

/** The individual's informed choice of unencrypted email (164.524(c)(2)): the exact warning, the choice, scope, who and when. */
export function UnencryptedEmailSection({ d }: { d: RequestDetailT }) {
  const record = useRequestsStore((s) => s.recordUnencryptedEmailChoice);
  const withdrawUnencrypted = useRequestsStore((s) => s.withdrawUnencryptedEmailChoice);
  const busy = useRequestsStore((s) => s.busy);
  const error = useActionError('choice');
  const [prefers, setPrefers] = useState<'yes' | 'no' | ''>('');
  const [chosenBy, setChosenBy] = useState<'patient' | 'personal_representative'>(d.request.requester.role === 'personal_representative' ? 'personal_representative' : 'patient');
  const [scope, setScope] = useState<'this_release' | 'standing'>('this_release');
  const [withdrawError, setWithdrawError] = useState<ApiError | null>(null);
  const withdrawChoice = async (acknowledgmentId: string) => {
    setWithdrawError(null);
    try {
      await withdrawUnencrypted(acknowledgmentId);
    } catch (e) {
      setWithdrawError(toApiError(e));
    }
  };
  return (
    <Section id="unencrypted-title" title="Unencrypted email at the patient’s request">
      <Stack gap="sm">
        <Text size="sm">Read this warning to the individual (or give it in writing) before they choose. It is recorded word for word with the choice.</Text>
        <Blockquote color="yellow" p="sm" data-testid="unencrypted-warning" style={{ fontSize: 14 }}>{UNENCRYPTED_EMAIL_WARNING}</Blockquote>
        {d.acknowledgments.length > 0 ? (
          <List size="sm" aria-label="Recorded choices">
            {d.acknowledgments.map((a) => (
              <List.Item key={a.id}>
                {a.prefersUnencrypted ? 'Prefers unencrypted email' : 'Does not want unencrypted email'} — chosen by {a.chosenBy === 'patient' ? 'the patient' : 'the personal representative'},
                {' '}{a.scope === 'standing' ? 'standing choice' : 'this release only'}; recorded by {a.recordedBy} on {formatDateTime(a.recordedAt)}
                {a.withdrawnAt ? ` (withdrawn ${formatDateTime(a.withdrawnAt)})` : ''}
                {!a.withdrawnAt && a.prefersUnencrypted ? (
                  <Button size="compact-xs" variant="subtle" color="red" ml="xs" onClick={() => void withdrawChoice(a.id)}
                    aria-label={`The individual withdraws the choice recorded ${formatDateTime(a.recordedAt)}`}>
                    Withdrawn by the individual
                  </Button>
                ) : null}
              </List.Item>
            ))}
          </List>
        ) : null}
        <ErrorAlert error={withdrawError} title="The withdrawal was not recorded" />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Radio.Group label="After the warning, the individual" value={prefers} onChange={(v) => setPrefers(v as typeof prefers)}>
            <Stack gap={4} mt={4}>
              <Radio value="yes" label="still prefers unencrypted email" />
              <Radio value="no" label="does not want unencrypted email" />
            </Stack>
          </Radio.Group>
          <Radio.Group label="Chosen by" value={chosenBy} onChange={(v) => setChosenBy(v as typeof chosenBy)}>
            <Stack gap={4} mt={4}>
              <Radio value="patient" label="The patient" />
              <Radio value="personal_representative" label="The personal representative" />
            </Stack>
          </Radio.Group>
          <Radio.Group label="Applies to" value={scope} onChange={(v) => setScope(v as typeof scope)}>
            <Stack gap={4} mt={4}>
              <Radio value="this_release" label="This request only" />
              <Radio value="standing" label="Standing (until withdrawn)" />
            </Stack>
          </Radio.Group>
        </SimpleGrid>
        <ErrorAlert error={error} title="The choice was not recorded" />
        <Group>
          <Button variant="outline" disabled={!prefers} loading={busy === 'choice'}
            onClick={() => void record({ warningVersion: UNENCRYPTED_EMAIL_WARNING_VERSION, prefersUnencrypted: prefers === 'yes', chosenBy, scope })}>
            Record the choice
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

