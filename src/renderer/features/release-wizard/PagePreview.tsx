import { useEffect, useState } from 'react';
import { Button, Group, Image, Loader, Modal, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useWizardStore } from './store';

/** Thumbnails shown at once; "Show more pages" adds the next batch (each page is one bounded call). */
const BATCH = 12;
const THUMB_WIDTH = 180;
const LARGE_WIDTH = 760;

type PageImage = { page: number; dataUrl: string; width: number; height: number };

/** One page image, fetched from main (documents.previewPage) when mounted. */
function PageImageView({ releaseId, documentId, page, width, label }: { releaseId: string; documentId: string; page: number; width: number; label: string }) {
  const previewPage = useWizardStore((s) => s.previewPage);
  const [img, setImg] = useState<PageImage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    previewPage({ releaseId, documentId, page, width }).then(
      (r) => live && setImg(r),
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [releaseId, documentId, page, width, previewPage]);
  if (error) return <ErrorAlert error={error} />;
  if (!img) return <Loader size="sm" aria-label={`Loading page ${page}`} />;
  return <Image src={img.dataUrl} w={img.width} h={img.height} alt={`${label}, page ${page}`} style={{ border: '1px solid var(--mantine-color-gray-4)' }} />;
}

/**
 * "Look at the pages" for one record file: a dialog with page thumbnails rendered in the main process (never the
 * file itself in the renderer); a thumbnail opens the page large. `highlight` marks pages the patient check flagged.
 */
export function PagePreview({
  releaseId,
  documentId,
  label,
  pageCount,
  highlight = [],
  opened,
  onClose,
}: {
  releaseId: string;
  documentId: string;
  label: string;
  pageCount: number;
  highlight?: number[];
  opened: boolean;
  onClose: () => void;
}) {
  const [shown, setShown] = useState(Math.min(BATCH, pageCount));
  const [large, setLarge] = useState<number | null>(null);
  const pages = Array.from({ length: shown }, (_, i) => i + 1);
  return (
    // Composed (not <Modal title>): Mantine's default header is a <header>, a second "banner" landmark for axe.
    <Modal.Root opened={opened} onClose={onClose} size="auto" centered>
      <Modal.Overlay />
      <Modal.Content>
        <Group justify="space-between" p="md" pb={0} wrap="nowrap">
          <Modal.Title fw={600}>{`Pages of ${label}`}</Modal.Title>
          <Modal.CloseButton aria-label="Close the page preview" />
        </Group>
        <Modal.Body pt="md">
      {large !== null ? (
        <Stack gap="xs" align="center">
          <Group>
            <Button variant="default" size="xs" onClick={() => setLarge(null)}>Back to all pages</Button>
            <Button variant="default" size="xs" disabled={large <= 1} onClick={() => setLarge(large - 1)}>Previous page</Button>
            <Text size="sm">Page {large} of {pageCount}</Text>
            <Button variant="default" size="xs" disabled={large >= pageCount} onClick={() => setLarge(large + 1)}>Next page</Button>
          </Group>
          <PageImageView releaseId={releaseId} documentId={documentId} page={large} width={LARGE_WIDTH} label={label} />
        </Stack>
      ) : (
        <Stack gap="sm">
          <Text size="sm">Check that every page is about this patient. Choose a page to see it larger.</Text>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 4 }} spacing="sm" aria-label={`Page thumbnails of ${label}`}>
            {pages.map((p) => (
              <UnstyledButton key={p} onClick={() => setLarge(p)} aria-label={`Open page ${p}${highlight.includes(p) ? ' (flagged)' : ''}`}>
                <Stack gap={2} align="center">
                  <PageImageView releaseId={releaseId} documentId={documentId} page={p} width={THUMB_WIDTH} label={label} />
                  <Text size="xs" fw={highlight.includes(p) ? 700 : 400} c={highlight.includes(p) ? 'red.9' : undefined}>
                    Page {p}{highlight.includes(p) ? ' — another patient?' : ''}
                  </Text>
                </Stack>
              </UnstyledButton>
            ))}
          </SimpleGrid>
          {shown < pageCount ? (
            <Button variant="default" size="xs" onClick={() => setShown(Math.min(pageCount, shown + BATCH))}>
              Show more pages ({pageCount - shown} left)
            </Button>
          ) : null}
        </Stack>
      )}
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
