import { Progress, Stack, Text } from '@mantine/core';
import type { Strength } from './store';

const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
const STRENGTH_COLORS = ['red', 'red', 'orange', 'teal', 'green'] as const;

/**
 * The passphrase strength meter (main's zxcvbn score 0–4, `setup.checkPassphrase`), announced politely; "Checking
 * strength…" while the answer for the typed passphrase is pending, nothing when the field is empty.
 */
export function PassphraseStrength({ passphrase, strength }: { passphrase: string; strength: Strength | null }) {
  const score = strength?.score ?? 0;
  return (
    <div aria-live="polite" id="setup-strength">
      {passphrase ? (
        strength ? (
          <Stack gap={4}>
            <Progress value={(score + 1) * 20} color={STRENGTH_COLORS[score]} aria-label="Passphrase strength" size="md" />
            <Text size="sm" fw={600} c={strength.acceptable ? 'teal.9' : 'red.9'}>
              Strength: {STRENGTH_LABELS[score]}
              {strength.acceptable ? ' — good enough' : ' — too easy to guess'}
            </Text>
            {strength.warning ? <Text size="sm">{strength.warning}</Text> : null}
            {strength.suggestions.map((s) => (
              <Text size="sm" key={s} c="dark.4">
                {s}
              </Text>
            ))}
          </Stack>
        ) : (
          <Text size="sm" c="dark.4">
            Checking strength…
          </Text>
        )
      ) : null}
    </div>
  );
}
