import type { ReactNode } from 'react';
import { Modal } from '@mantine/core';

/**
 * A centred modal dialog that stays axe-clean over the app shell: its header is a plain `div` (Mantine's `<header>`
 * inside `role="dialog"` counts as a second banner landmark) and its close button is named.
 */
export function DialogModal({ opened, onClose, title, children, testId }: { opened: boolean; onClose: () => void; title: string; children: ReactNode; testId?: string }) {
  return (
    <Modal.Root opened={opened} onClose={onClose} centered data-testid={testId}>
      <Modal.Overlay />
      <Modal.Content>
        <Modal.Header component="div">
          <Modal.Title>{title}</Modal.Title>
          <Modal.CloseButton aria-label="Close" />
        </Modal.Header>
        <Modal.Body>{children}</Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
