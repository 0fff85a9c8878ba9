/**
 * Opening the print-ready packet (`releases.printable` → printableId) for printing.
 *
 * The desktop app has no print channel yet, so nothing is registered there and
 * `canOpenPrintable()` is false: the UI then offers no print rung. The browser
 * preview registers an opener (preview-bridge.ts) that shows the packet in the
 * browser's own PDF viewer, whose print button prints it. The opener keeps the
 * preview host's token to itself: callers only pass the printable's id.
 */
type Opener = (printableId: string) => void;

let opener: Opener | null = null;

/** Registers how this platform opens a printable packet (called once by the preview bridge). */
export function registerPrintableOpener(open: Opener | null): void {
  opener = open;
}

/** True when this platform can show a printable packet for printing. */
export function canOpenPrintable(): boolean {
  return opener !== null;
}

/**
 * Opens the print-ready packet `printableId` for printing (preview: a new browser tab with the PDF viewer).
 * @returns false when this platform cannot (desktop app: not yet)
 */
export function openPrintable(printableId: string): boolean {
  if (!opener) return false;
  opener(printableId);
  return true;
}
