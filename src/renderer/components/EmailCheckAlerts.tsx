import { Alert, Anchor, Group, Text, type MantineSpacing } from '@mantine/core';
import type { ChannelOutput } from '../../shared/contract';

/** What main says of a typed email address (`recipients.checkEmail`). */
export type EmailCheckT = ChannelOutput<'recipients.checkEmail'>;

/**
 * Under an email field: main's typo suggestion with a button that uses it ("Did you mean …?") and its look-alike
 * warning, both announced (role="status"). With `offerFix`, the suggestion of an address that is not valid (the same
 * address without extra characters around it) is offered too. Nothing when `check` has neither.
 */
export function EmailCheckAlerts({ check, onUse, offerFix = false, mt }: { check: EmailCheckT | null | undefined; onUse: (suggestion: string) => void; offerFix?: boolean; mt?: MantineSpacing }) {
  if (!check) return null;
  const suggestion = check.suggestion && (check.valid || offerFix) ? check.suggestion : null;
  return (
    <>
      {suggestion ? (
        <Alert color="yellow" variant="light" mt={mt} p="xs" role="status">
          <Group gap="xs">
            <Text size="sm">
              {check.valid ? 'Did you mean' : 'Without the extra characters:'} <strong>{suggestion}</strong>
              {check.valid ? '?' : ''}
            </Text>
            <Anchor component="button" type="button" size="sm" fw={600} onClick={() => onUse(suggestion)}>
              Use {suggestion}
            </Anchor>
          </Group>
        </Alert>
      ) : null}
      {check.valid && check.warning ? (
        <Alert color="orange" variant="light" mt={mt} p="xs" role="status" title="Look-alike address">
          <Text size="sm">{check.warning}</Text>
        </Alert>
      ) : null}
    </>
  );
}
