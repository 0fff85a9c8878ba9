import { useEffect } from 'react';
import { Badge, Button, Group, List, SimpleGrid, Stack, Text } from '@mantine/core';
import { CATEGORY_LABELS } from '../../../shared/compliance';
import { languageLabel, noticeLanguageOf } from '../../../shared/languages';
import { useRequestsStore } from './store';
import { BASIS_LABELS, formatLabel } from './labels';
import { RequestStatusBadge } from './RequestsScreen';
import { AuthorizationForm } from '../authorizations/AuthorizationForm';
import { FindingsList } from '../authorizations/FindingsList';
import { Part2ConsentForm, Part2ConsentRevocation } from '../authorizations/Part2ConsentForm';
import { AmendRequest } from './AmendRequest';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDate, formatDateTime } from '../../lib/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Fact, OPEN, Section, useActionError, scopeDates } from './request-detail/parts';
import { ClockSection } from './request-detail/ClockSection';
import { VerificationSection } from './request-detail/VerificationSection';
import { UnencryptedEmailSection } from './request-detail/UnencryptedEmailSection';

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
    <ScreenHeader
      title={d && d.id === requestId ? `Request ${d.reference}` : 'Request'}
      subtitle={d ? BASIS_LABELS[d.basis] : null}
      actions={<>
        {d ? <RequestStatusBadge status={d.status} /> : null}
        <Button variant="default" onClick={() => navigate({ name: 'requests' })}>Back to requests</Button>
      </>}
    />
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
          <Fact label="Form and format">{formatLabel(r.form)}</Fact>
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
            <AmendRequest d={d} canAmend={isOpen} />
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

