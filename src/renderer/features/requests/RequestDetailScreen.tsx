import { useEffect, useState } from 'react';
import {
  Alert, Badge, Blockquote, Button, Group, List, NativeSelect, Paper, Radio, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { CATEGORY_LABELS } from '../../../shared/compliance';
import {
  UNENCRYPTED_EMAIL_WARNING, UNENCRYPTED_EMAIL_WARNING_VERSION, VERIFICATION_METHOD_LABELS, VERIFICATION_METHODS, type VerificationMethod,
} from '../../../shared/compliance-text';
import type { RequestDetailT } from '../../../shared/contract';
import { languageLabel, noticeLanguageOf } from '../../../shared/languages';
import { useRequestsStore, type RequestAction } from './store';
import { BASIS_LABELS, clockText } from './labels';
import { DenialNoticePanel } from './DenialNotice';
import { DueBadges, RequestStatusBadge } from './RequestsScreen';
import { AuthorizationForm } from '../authorizations/AuthorizationForm';
import { FindingsList } from '../authorizations/FindingsList';
import { Part2ConsentForm, Part2ConsentRevocation } from '../authorizations/Part2ConsentForm';
import { RepresentativeAuthority } from '../authorizations/RepresentativeAuthority';
import { AmendRequest } from './AmendRequest';
import { call, toApiError, type ApiError } from '../../lib/call';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDate, formatDateTime, plural } from '../../lib/format';

/** "Any dates" / "from 2024-01-01" / "2024-01-01 to 2024-12-31". */
export function scopeDates(scope: { from?: string; to?: string }): string {
  if (scope.from && scope.to) return `${formatDate(scope.from)} to ${formatDate(scope.to)}`;
  if (scope.from) return `From ${formatDate(scope.from)}`;
  if (scope.to) return `Up to ${formatDate(scope.to)}`;
  return 'Any dates';
}

const OPEN = ['received', 'verifying', 'ready', 'partly_sent', 'failed'];

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">{title}</Title>
      {children}
    </Paper>
  );
}

/** The failure of `action`, if that is what failed last. */
function useActionError(action: Exclude<RequestAction, null>) {
  const e = useRequestsStore((s) => s.error);
  return e && e.action === action ? e.error : null;
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" c="dark.4">{label}</Text>
      <Text fw={600} component="div">{children}</Text>
    </div>
  );
}

/** The 30-day clock (164.524(b)(2)) and its one extension, with the written notice. */
function ClockSection({ d }: { d: RequestDetailT }) {
  const { extend, exportDocument } = useRequestsStore.getState();
  const busy = useRequestsStore((s) => s.busy);
  const notice = useRequestsStore((s) => s.notice);
  const exported = useRequestsStore((s) => s.exported);
  const error = useActionError('extend');
  const exportError = useActionError('export');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [date, setDate] = useState('');
  if (d.dueDate === null) return null;
  const ext = d.request.extensions[0];
  const isOpen = OPEN.includes(d.status);
  const noticeDoc = notice ?? d.documents.find((x) => x.kind === 'extension_notice') ?? null;
  return (
    <Section id="clock-title" title="The 30-day clock">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Fact label="Due date">{formatDate(d.dueDate)}</Fact>
          <Fact label={isOpen ? 'Days left' : 'Outcome'}><span data-testid="days-left">{clockText(d)}</span></Fact>
          <Fact label="Flags">{d.overdue || d.dueThisWeek || d.extended ? <DueBadges r={d} /> : <Text span c="dark.4">None</Text>}</Fact>
        </SimpleGrid>
        {d.overdue ? (
          <Alert color="red" variant="light" title="Overdue — still owed">The request is past its due date. This does not block the release: send it as soon as you can.</Alert>
        ) : null}
        {ext ? (
          <Text size="sm">Extended on {formatDate(ext.noticeDate)} to {formatDate(ext.newDueDate)}. Reason: {ext.reason}</Text>
        ) : isOpen && !open ? (
          <Group><Button variant="outline" onClick={() => setOpen(true)}>Extend by up to 30 days</Button></Group>
        ) : null}
        {open && !ext ? (
          <Stack gap="xs">
            <Text size="sm">One extension only, given in writing within the first 30 days, stating the reason and the new date (at most day 60) — 45 CFR 164.524(b)(2)(ii).</Text>
            <Text size="sm" data-testid="notice-language">
              The notice is written in {languageLabel(noticeLanguageOf(d.request))}, the language recorded at intake.
              {noticeLanguageOf(d.request) !== 'en' ? ' The reason is printed as you type it: write it in that language if you can.' : ''}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Textarea id="extend-reason" label="Reason for the delay" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
              <TextInput id="extend-date" type="date" label="New due date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
            </SimpleGrid>
            <Group>
              <Button loading={busy === 'extend'} disabled={!reason.trim() || !date} onClick={() => void extend(reason, date).then((ok) => ok && setOpen(false))}>
                Extend and make the notice
              </Button>
              <Button variant="subtle" onClick={() => setOpen(false)}>Cancel</Button>
            </Group>
          </Stack>
        ) : null}
        <ErrorAlert error={error} title="The extension was not granted" />
        {noticeDoc ? (
          <Group gap="sm">
            <Text size="sm">Written extension notice: {noticeDoc.label} ({plural(noticeDoc.pageCount, 'page')}). Send it to the requester.</Text>
            <Button size="xs" loading={busy === 'export'} onClick={() => void exportDocument(noticeDoc.id)}>Save notice PDF…</Button>
          </Group>
        ) : null}
        {exported ? <Text size="sm" role="status">The notice was saved.</Text> : null}
        <ErrorAlert error={exportError} title="The notice could not be saved" />
      </Stack>
    </Section>
  );
}

/** Identity and authority checks (164.514(h)) and the status actions. */
function VerificationSection({ d }: { d: RequestDetailT }) {
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

/** The individual's informed choice of unencrypted email (164.524(c)(2)): the exact warning, the choice, scope, who and when. */
export function UnencryptedEmailSection({ d }: { d: RequestDetailT }) {
  const record = useRequestsStore((s) => s.recordUnencryptedEmailChoice);
  const busy = useRequestsStore((s) => s.busy);
  const error = useActionError('choice');
  const [prefers, setPrefers] = useState<'yes' | 'no' | ''>('');
  const [chosenBy, setChosenBy] = useState<'patient' | 'personal_representative'>(d.request.requester.role === 'personal_representative' ? 'personal_representative' : 'patient');
  const [scope, setScope] = useState<'this_release' | 'standing'>('this_release');
  const [withdrawError, setWithdrawError] = useState<ApiError | null>(null);
  const withdrawChoice = async (acknowledgmentId: string) => {
    setWithdrawError(null);
    try {
      useRequestsStore.setState({ detail: await call('requests.withdrawUnencryptedEmailChoice', { requestId: d.id, acknowledgmentId }) });
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

/** One request: what was asked, the clock, identity checks, authorization, consents, the email choice and its releases. */
export function RequestDetailScreen({ requestId }: { requestId: string }) {
  const d = useRequestsStore((s) => s.detail);
  const busy = useRequestsStore((s) => s.busy);
  const loadError = useActionError('load');
  const releaseError = useActionError('release');
  const { open, refresh, startRelease } = useRequestsStore.getState();
  const navigate = useAppStore((s) => s.navigate);
  useEffect(() => {
    void open(requestId);
  }, [open, requestId]);

  const header = (
    <Group justify="space-between" align="flex-end">
      <div>
        <Title order={1}>{d && d.id === requestId ? `Request ${d.reference}` : 'Request'}</Title>
        {d ? <Text c="dark.4">{BASIS_LABELS[d.basis]}</Text> : null}
      </div>
      <Group>
        {d ? <RequestStatusBadge status={d.status} /> : null}
        <Button variant="default" onClick={() => navigate({ name: 'requests' })}>Back to requests</Button>
      </Group>
    </Group>
  );
  if (!d || d.id !== requestId) {
    return <Stack gap="lg">{header}{loadError ? <ErrorAlert error={loadError} /> : <Text>Loading…</Text>}</Stack>;
  }
  const r = d.request;
  const isOpen = OPEN.includes(d.status);
  const drafts = d.releases.filter((x) => x.status !== 'sent');
  const start = async () => {
    const id = await startRelease();
    if (id) navigate({ name: 'wizard', releaseId: id });
  };

  return (
    <Stack gap="lg">
      {header}
      <Section id="request-title" title="What was asked">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Fact label="Patient">{d.patient.name}</Fact>
          <Fact label="Date of birth">{formatDate(d.patient.dateOfBirth)}</Fact>
          <Fact label="MRN">{d.patient.mrn}</Fact>
          <Fact label="Requester">{r.requester.name}{r.requester.authority ? ` (${r.requester.authority})` : ''}</Fact>
          <Fact label="Received">{formatDateTime(r.receivedAt)}</Fact>
          <Fact label="Form and format">{r.form.format}{r.form.electronic ? ' (electronic)' : ''}</Fact>
          <Fact label="Language for letters">{languageLabel(noticeLanguageOf(r))}</Fact>
          <Fact label="Recipients">
            <List size="sm">{r.recipients.map((x, i) => <List.Item key={i}>{x.name} — {x.destination}</List.Item>)}</List>
          </Fact>
          <Fact label="Categories">
            <Group gap={4}>{r.scope.categories.map((c) => <Badge key={c} variant="light" color="gray" c="dark.7" tt="none">{CATEGORY_LABELS[c]}</Badge>)}</Group>
          </Fact>
          <Fact label="Dates of service">{scopeDates(r.scope)}</Fact>
          {r.tpo ? <Fact label="TPO reason">{r.tpo.purpose}: {r.tpo.reason}</Fact> : null}
          {r.patientDirective ? (
            <Fact label="The direction names">
              {r.patientDirective.namedCategories.length ? r.patientDirective.namedCategories.map((c) => CATEGORY_LABELS[c]).join(', ') : <Text span c="dark.4">No category by name</Text>}
            </Fact>
          ) : null}
        </SimpleGrid>
        {isOpen || (r.amendments ?? []).length > 0 ? (
          <div style={{ marginTop: 12 }}>
            <AmendRequest d={d} canAmend={isOpen} onAmended={(u) => useRequestsStore.setState({ detail: u })} />
          </div>
        ) : null}
      </Section>
      <ClockSection d={d} />
      <VerificationSection d={d} />
      {d.basis === 'authorization' || d.authorization ? (
        <Section id="authorization-title" title="Authorization (45 CFR 164.508)">
          {d.authorization ? (
            <Text size="sm" mb="sm" c="dark.5">
              On file as <span data-testid="authorization-id">{d.authorization.id}</span> — {d.authorization.valid ? 'valid' : 'defective: it blocks the release'}.
              Each change is kept; the latest version is the one a release relies on.
            </Text>
          ) : null}
          <AuthorizationForm requestId={d.id} record={d.authorization} onSaved={() => void refresh()} />
        </Section>
      ) : null}
      {d.part2Consents.length > 0 || r.scope.categories.includes('substance_use_disorder') ? (
        <Section id="part2-title" title="42 CFR Part 2 consents">
          <Stack gap="sm">
            <Part2ConsentForm requestId={d.id} onSaved={() => void refresh()} />
            {d.part2Consents.map((c) => (
              <Stack key={c.id} gap={4}>
                <Text size="sm">Consent recorded {formatDateTime(c.createdAt)} — {c.valid ? 'valid' : c.consent.revocation ? 'revoked' : 'defective'}</Text>
                <FindingsList findings={c.findings} label="Part 2 consent findings" emptyText="Valid: every element of 42 CFR 2.31 is present." />
                <Part2ConsentRevocation record={c} onRevoked={() => void refresh()} />
              </Stack>
            ))}
          </Stack>
        </Section>
      ) : null}
      {d.basis === 'right_of_access' ? <UnencryptedEmailSection d={d} /> : null}
      <Section id="releases-title" title="Releases">
        <Stack gap="sm">
          {d.releases.length > 0 ? (
            <List spacing={4}>
              {d.releases.map((x) => (
                <List.Item key={x.id}>
                  <Group gap="xs">
                    <Text>{x.reference}</Text>
                    <StatusBadge status={x.status} />
                    <Button size="xs" variant="light" onClick={() => navigate({ name: 'wizard', releaseId: x.id })} aria-label={`Open release ${x.reference}`}>
                      {x.status === 'sent' ? 'View' : 'Continue'}
                    </Button>
                  </Group>
                </List.Item>
              ))}
            </List>
          ) : (
            <Text size="sm">No release yet.</Text>
          )}
          {d.status !== 'ready' && isOpen ? (
            <Text size="sm" c="dark.5">You can prepare the release now; it can be sent once the request is marked ready (identity verified).</Text>
          ) : null}
          <ErrorAlert error={releaseError} title="The release was not started" />
          {isOpen && drafts.length === 0 ? (
            <Group><Button size="md" loading={busy === 'release'} onClick={() => void start()}>Start release</Button></Group>
          ) : null}
        </Stack>
      </Section>
    </Stack>
  );
}
