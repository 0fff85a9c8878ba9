/**
 * What one channel of the contract declares: its input and output schemas (zod), and — for the few channels whose
 * call first takes files the user chooses — which files. Nothing else: roles are in src/shared/roles.ts, the
 * handler in src/main/rpc/handlers.ts.
 */
import type { z } from 'zod';

/**
 * The channel takes files the user chooses before it runs. In Electron, main opens the native file dialog inside the
 * handler; in the browser preview the bridge (src/renderer/platform/preview-bridge.ts) opens the browser's chooser
 * synchronously, inside the user's click, uploads the chosen files to the test host's staging area, then calls the
 * channel. The bytes never cross the bridge as channel input.
 */
export interface FileInput {
  /** The chooser's `accept` list: media types and extensions, comma-separated. */
  readonly accept: string;
  /** Only when this returns true for the input does the call take files (default: always). */
  readonly when?: (input: unknown) => boolean;
}

export interface ChannelSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly files?: FileInput;
}

/** A namespace's channels: `'<namespace>.<verb>' -> ChannelSpec`. */
export type ChannelMap = Readonly<Record<string, ChannelSpec>>;

/** PDF only (a signed authorization, a representative's authority document). */
export const PDF_FILES = 'application/pdf,.pdf';
/** Record files: PDFs, photos, scans and faxes. */
export const RECORD_FILES = `${PDF_FILES},image/jpeg,.jpg,.jpeg,image/png,.png,image/tiff,.tif,.tiff`;
