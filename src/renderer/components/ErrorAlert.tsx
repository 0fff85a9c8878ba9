import { Alert, Button, Text } from '@mantine/core';
import type { ApiError } from '../lib/call';
import { explain, type ExplainWhere } from '../lib/explain';
import { useAppStore } from '../lib/navigation';

/**
 * A calm, coded error: what happened (our PHI-free message), and what to do next. When the fix lives in
 * Settings (email server, TLS) and the app is unlocked, a button leads there (unless `hideFixLink`, e.g. on
 * the Settings screen itself). `where` ('app', 'settings', 'setup') says where the email server settings are in "What to do next".
 */
export function ErrorAlert({ error, title, id, hideFixLink, where }: { error: ApiError | null; title?: string; id?: string; hideFixLink?: boolean; where?: ExplainWhere }) {
  const unlocked = useAppStore((s) => s.info?.vault === 'unlocked');
  const navigate = useAppStore((s) => s.navigate);
  if (!error) return null;
  const ex = explain(error.code, error.message, undefined, where);
  return (
    <Alert id={id} color="red" variant="light" title={title ?? ex.title} role="alert" data-code={error.code}>
      {title && title !== ex.title ? <Text size="sm">{ex.title}</Text> : null}
      {error.message && error.message !== ex.title ? <Text size="sm">{error.message}</Text> : null}
      <Text size="sm" mt={6}>
        <strong>What to do next:</strong> {ex.next}
      </Text>
      {ex.fixIn === 'settings' && unlocked && !hideFixLink ? (
        <Button size="xs" variant="light" mt={8} onClick={() => navigate({ name: 'settings' })}>
          Open email server settings
        </Button>
      ) : null}
      <Text size="xs" mt={6} c="dark.3">
        Error code: {error.code}
      </Text>
    </Alert>
  );
}
