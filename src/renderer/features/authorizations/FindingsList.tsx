import { Alert, Badge, Group, List, Paper, Stack, Text } from '@mantine/core';
import type { Finding } from '../../../shared/compliance';

/**
 * Compliance findings, blocking first: each with its plain message and its CFR
 * citation. Block = red ("Blocks sending"), warn = yellow ("Warning").
 */
export function FindingsList({ findings, label, emptyText }: { findings: readonly Finding[]; label: string; emptyText: string }) {
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'block' ? -1 : 1));
  if (sorted.length === 0) {
    return (
      <Alert color="green" variant="light" title={emptyText} role="status" aria-label={label} />
    );
  }
  return (
    <List aria-label={label} spacing="xs" listStyleType="none" p={0} m={0}>
      {sorted.map((f, i) => (
        <List.Item key={`${f.code}-${f.documentId ?? ''}-${i}`} data-severity={f.severity} data-code={f.code}>
          <Paper p="xs" radius="sm" bg={f.severity === 'block' ? 'red.0' : 'yellow.0'}
            style={{ borderLeft: `4px solid var(--mantine-color-${f.severity === 'block' ? 'red-7' : 'yellow-6'})` }}>
            <Stack gap={2}>
              <Group gap={6}>
                <Badge color={f.severity === 'block' ? 'red' : 'yellow'} c={f.severity === 'block' ? undefined : 'dark.9'} variant="filled" size="sm" tt="none">
                  {f.severity === 'block' ? 'Blocks sending' : 'Warning'}
                </Badge>
                <Text size="xs" c="dark.5" ff="monospace">{f.citation}</Text>
              </Group>
              <Text size="sm">{f.message}</Text>
            </Stack>
          </Paper>
        </List.Item>
      ))}
    </List>
  );
}
