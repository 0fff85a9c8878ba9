import { Alert, Button, Stack, Text } from '@mantine/core';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAction } from '../../lib/form';
import { useWizardStore } from './store';

/**
 * The two-person rule on the review step (issue #11): when the gate says a privacy officer must approve this
 * third-party release, say so; a signed-in privacy officer gets the Approve button (`releases.approve`), which
 * refuses the person who prepared the release.
 */
export function ApprovalPanel() {
  const evaluation = useWizardStore((s) => s.evaluation);
  const release = useWizardStore((s) => s.release);
  const approveRelease = useWizardStore((s) => s.approve);
  const role = useAppStore((s) => s.info?.user?.role ?? null);
  const { busy, error, run } = useAction();
  const needed = evaluation?.findings.some((f) => f.code === 'APPROVAL_REQUIRED') ?? false;
  if (!needed || !release) return null;
  return (
    <Alert color="violet" variant="light" title="Needs approval by a privacy officer" data-testid="approval-needed">
      <Stack gap="xs">
        <Text size="sm">
          This release discloses records to a third party under an authorization. The practice requires a second person — a privacy
          officer who did not prepare it — to check and approve it before it can be sent, exported or printed.
        </Text>
        {role === 'privacy_officer' ? (
          <Button onClick={() => void run(approveRelease)} loading={busy !== null} w="fit-content">
            Approve this release
          </Button>
        ) : (
          <Text size="sm">Ask a privacy officer to sign in on this computer and open this release.</Text>
        )}
        {error ? <ErrorAlert error={error} /> : null}
      </Stack>
    </Alert>
  );
}
