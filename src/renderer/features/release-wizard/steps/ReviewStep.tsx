import { Alert, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { notReadyReason, useWizardStore } from '../store';
import { Fingerprint } from '../../../components/Fingerprint';
import { plural } from '../../../lib/format';

/** Step 4: one calm summary — who, what, how, and what happens next. */
export function ReviewStep() {
  const release = useWizardStore((s) => s.release);
  const goTo = useWizardStore((s) => s.goTo);
  const send = useWizardStore((s) => s.send);
  const busy = useWizardStore((s) => s.busy);
  if (!release) return null;
  const pages = release.documents.reduce((n, d) => n + d.pageCount, 0);
  const blocker = notReadyReason(release);
  const r = release.recipient;

  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-who">
        <Title order={3} size="h5" id="review-who" mb={6}>Who</Title>
        <Text>
          Records of <strong>{release.patient.name}</strong> (born {release.patient.dateOfBirth}, MRN {release.patient.mrn})
        </Text>
        <Text>
          go to {r ? <><strong>{r.name}</strong> &lt;{r.email}&gt;</> : <em>no recipient yet</em>}.
        </Text>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-what">
        <Title order={3} size="h5" id="review-what" mb={6}>What</Title>
        <Text mb={4}>{plural(release.documents.length, 'document')}, {plural(pages, 'page')} in total:</Text>
        <List size="sm">
          {release.documents.map((d) => (
            <List.Item key={d.id}>
              {d.originalName} — {plural(d.pageCount, 'page')}, attached as “{d.label}”
            </List.Item>
          ))}
        </List>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-how">
        <Title order={3} size="h5" id="review-how" mb={6}>How</Title>
        <List size="sm" spacing={4}>
          <List.Item>Encrypted with OpenPGP (PGP/MIME) to the recipient’s key, and signed with the practice key.</List.Item>
          <List.Item>Sent only over a TLS-encrypted connection to your email server; if the server offers no TLS, nothing is sent.</List.Item>
          <List.Item>The subject line and attachment names contain no patient information.</List.Item>
        </List>
        {r ? (
          <Stack gap={4} mt="sm">
            <Text size="sm" c="dark.4">Recipient key fingerprint{r.fingerprintConfirmed ? ' (confirmed)' : ''}</Text>
            <Fingerprint value={r.key.fingerprint} label="Recipient key fingerprint" />
          </Stack>
        ) : null}
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-next">
        <Title order={3} size="h5" id="review-next" mb={6}>What happens next</Title>
        <Text size="sm">
          When you press Send, ReleaseDesk encrypts and signs the records, sends them, and records the transmission in the audit
          log. If sending fails, nothing is lost: the release stays here, unsent, and you can try again.
        </Text>
      </Paper>
      {blocker ? <Alert color="orange" variant="light" title="Not ready to send">{blocker}</Alert> : null}
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(2)}>Back</Button>
        <Button size="md" onClick={() => void send()} disabled={blocker !== null} loading={busy === 'send'}>
          Send encrypted release
        </Button>
      </Group>
    </Stack>
  );
}
