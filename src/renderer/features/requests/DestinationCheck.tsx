import { Checkbox, Stack, TextInput } from '@mantine/core';
import { EmailCheckAlerts, type EmailCheckT } from '../../components/EmailCheckAlerts';

export type { EmailCheckT };

/** A destination that is meant as an email address (postal addresses have no "@"). */
export const isEmailDestination = (s: string) => s.includes('@');

/** The same address typed twice? Case-insensitive, surrounding spaces ignored. */
export const sameTyped = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * What is still wrong with an email destination at intake, or undefined: the second entry must equal the first,
 * the address must be valid, and a typo suggestion or look-alike warning needs staff's explicit "checked" tick.
 */
export function destinationProblem(destination: string, confirm: string, check: EmailCheckT | undefined, checkedWithRequester: boolean): string | undefined {
  if (!isEmailDestination(destination)) return undefined;
  if (check && !check.valid) return check.problem ?? 'This email address is not valid.';
  if (!sameTyped(destination, confirm)) return 'Type the email address a second time, exactly as the requester gave it.';
  if (check && (check.suggestion || check.warning) && !checkedWithRequester) return 'Check this exact address with the requester, or correct it.';
  return undefined;
}

/**
 * Under an intake recipient's destination, when it is an email address: the second entry (never prefilled), the
 * typo suggestion or look-alike warning, and the "checked with the requester" tick they require.
 */
export function DestinationCheck({
  index,
  destination,
  confirm,
  check,
  checkedWithRequester,
  submitted,
  onConfirm,
  onUseSuggestion,
  onChecked,
}: {
  index: number;
  destination: string;
  confirm: string;
  check: EmailCheckT | undefined;
  checkedWithRequester: boolean;
  submitted: boolean;
  onConfirm: (v: string) => void;
  onUseSuggestion: (s: string) => void;
  onChecked: (v: boolean) => void;
}) {
  if (!isEmailDestination(destination)) return null;
  const mismatch = confirm.trim() !== '' && !sameTyped(destination, confirm);
  return (
    <Stack gap={4} ml={{ sm: '33%' }}>
      <TextInput
        id={`recipient-${index}-destination-confirm`}
        label={`Recipient ${index + 1}: type the email address again`}
        autoComplete="off"
        value={confirm}
        onChange={(e) => onConfirm(e.currentTarget.value)}
        styles={{ input: { color: 'var(--mantine-color-black)' } }}
        errorProps={{ c: 'red.9' }}
        error={mismatch || (submitted && !sameTyped(destination, confirm)) ? 'The two entries differ. Type the address again, exactly as the requester gave it.' : undefined}
      />
      <EmailCheckAlerts check={check} onUse={onUseSuggestion} />
      {check?.valid && (check.suggestion || check.warning) ? (
        <Checkbox
          id={`recipient-${index}-destination-checked`}
          checked={checkedWithRequester}
          onChange={(e) => onChecked(e.currentTarget.checked)}
          label={`I checked this exact address (${destination.trim()}) with the requester`}
          error={submitted && !checkedWithRequester ? 'Check this exact address with the requester, or correct it.' : undefined}
          styles={{ error: { color: 'var(--mantine-color-red-9)' } }}
        />
      ) : null}
    </Stack>
  );
}
