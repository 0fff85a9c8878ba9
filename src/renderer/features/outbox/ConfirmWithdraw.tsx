import { Button, Group, Modal, Stack, Text } from '@mantine/core';

/**
 * Asks before a prepared release leaves the outbox: taken out to change (back to draft) or cancelled. What was
 * prepared is not sent; a password PDF's passphrase (which staff may already have read out) stops being the right one.
 */
export function ConfirmWithdraw({
  how,
  reference,
  passwordPdf,
  onConfirm,
  onClose,
}: {
  how: 'withdraw' | 'cancel' | null;
  reference: string;
  passwordPdf: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={how !== null} onClose={onClose} centered title={how === 'cancel' ? `Cancel release ${reference}?` : `Take release ${reference} out of the outbox?`}>
      <Stack gap="md">
        <Text size="sm">
          {how === 'cancel'
            ? 'Nothing more of this release will be sent. What was already sent stays recorded in the audit log.'
            : 'The prepared messages will not be sent. You can change the release and send it again; it is then prepared anew.'}
        </Text>
        {passwordPdf ? (
          <Text size="sm" fw={600}>
            If you already gave the passphrase to the recipient, it will not open a new release: a new passphrase is made when you send
            again. Tell the recipient to wait for it.
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Keep it in the outbox
          </Button>
          <Button color={how === 'cancel' ? 'red' : 'blue'} onClick={onConfirm}>
            {how === 'cancel' ? 'Cancel the release' : 'Take it out'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
