import { Alert, Text } from '@mantine/core';
import type { ApiError } from '../lib/call';
import { explain } from '../lib/explain';

/** A calm, coded error: what happened (our PHI-free message), and what to do next. */
export function ErrorAlert({ error, title, id }: { error: ApiError | null; title?: string; id?: string }) {
  if (!error) return null;
  const ex = explain(error.code, error.message);
  return (
    <Alert id={id} color="red" variant="light" title={title ?? ex.title} role="alert" data-code={error.code}>
      {title && title !== ex.title ? <Text size="sm">{ex.title}</Text> : null}
      {error.message && error.message !== ex.title ? <Text size="sm">{error.message}</Text> : null}
      <Text size="sm" mt={6}>
        <strong>What to do next:</strong> {ex.next}
      </Text>
      <Text size="xs" mt={6} c="dark.3">
        Error code: {error.code}
      </Text>
    </Alert>
  );
}
