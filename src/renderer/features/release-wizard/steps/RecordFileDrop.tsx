import { useState, type DragEvent, type ReactNode } from 'react';
import { Paper, Stack, Text } from '@mantine/core';
import { canDropFiles } from '../../../platform/drop';
import { useWizardStore } from '../store';

/** What staff may bring: the same four types documents/import.ts accepts. */
export const RECORD_FILE_TYPES_TEXT = 'PDF, photo (JPEG), scan (PNG) or fax (TIFF)';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/**
 * The Records step's drop area: files dragged from the desktop or a mail program are staged by the platform
 * (platform/drop.ts) and imported with `documents.importDropped`; each is added or refused with its own reason.
 * The button inside (`children`) stays the keyboard way in. Without drop support it shows the button only.
 */
export function RecordFileDrop({ children }: { children: ReactNode }) {
  const importDropped = useWizardStore((s) => s.importDropped);
  const [over, setOver] = useState(false);
  if (!canDropFiles()) return <>{children}</>;
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setOver(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length === 0) return;
    void importDropped(files);
  };
  return (
    <Paper
      data-testid="record-drop-zone"
      withBorder
      p="md"
      radius="md"
      style={{ borderStyle: 'dashed', borderWidth: 2, background: over ? 'var(--mantine-color-blue-0)' : undefined }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <Stack gap="xs" align="flex-start">
        {children}
        <Text size="sm">
          Or drag files here: each {RECORD_FILE_TYPES_TEXT}. Photos lose their location and camera details; protected PDFs ask for their password.
        </Text>
      </Stack>
    </Paper>
  );
}
