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
          <ChoiceGroup label="After the warning, the individual" value={prefers} onChange={setPrefers}
            options={[['yes', 'still prefers unencrypted email'], ['no', 'does not want unencrypted email']]} />
          <ChoiceGroup label="Chosen by" value={chosenBy} onChange={setChosenBy}
            options={[['patient', 'The patient'], ['personal_representative', 'The personal representative']]} />
          <ChoiceGroup label="Applies to" value={scope} onChange={setScope}
            options={[['this_release', 'This request only'], ['standing', 'Standing (until withdrawn)']]} />
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

/** One labelled radio group of the choice (Mantine Radio.Group); `options` are [value, label] pairs in display order. */
function ChoiceGroup<T extends string>(p: { label: string; value: T | '' | null; onChange: (v: T) => void; options: ReadonlyArray<readonly [T, string]> }) {
  return (
    <Radio.Group label={p.label} value={p.value} onChange={(v) => p.onChange(v as T)}>
      <Stack gap={4} mt={4}>
        {p.options.map(([value, label]) => (
          <Radio key={value} value={value} label={label} />
        ))}
      </Stack>
    </Radio.Group>
  );
}
