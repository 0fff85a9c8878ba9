/**
 * THE IPC contract: every channel between renderer and main, declared once.
 *
 * `channels[name] = { input, output, files? }` (zod schemas; src/shared/channels/spec.ts). The main process's
 * handlers, the preload's bridge, the renderer's `Api` type and the 127.0.0.1 test host are all derived from this
 * object, so adding a channel is one entry in its namespace's file under src/shared/channels/, one handler in
 * src/main/rpc/handlers.ts and one line in src/main/rpc/roles.ts (docs/architecture.md, "How to add a channel").
 *
 * The data the channels carry are in src/shared/schemas/<domain>.ts, re-exported here so `from '…/contract'` keeps
 * working. Everything is JSON-safe: dates are ISO-8601 strings, and bytes never cross the bridge (files are
 * referenced by id and read in main).
 */
import { z } from 'zod';
import type { WireError } from './errors';
import { Id } from './schemas/common';
import type { ChannelSpec, FileInput } from './channels/spec';
import { appChannels } from './channels/app';
import { setupChannels } from './channels/setup';
import { vaultChannels } from './channels/vault';
import { accountsChannels } from './channels/accounts';
import { settingsChannels } from './channels/settings';
import { requestsChannels } from './channels/requests';
import { authorizationsChannels } from './channels/authorizations';
import { part2ConsentsChannels } from './channels/part2Consents';
import { releasesChannels } from './channels/releases';
import { documentsChannels } from './channels/documents';
import { recipientsChannels } from './channels/recipients';
import { bouncesChannels } from './channels/bounces';
import { auditChannels } from './channels/audit';
import { retentionChannels } from './channels/retention';
import { backupChannels } from './channels/backup';
import { dashboardChannels } from './channels/dashboard';
import { practiceServerChannels } from './channels/practice-server';

export * from './schemas/common';
export * from './schemas/accounts';
export * from './schemas/settings';
export * from './schemas/delivery';
export * from './schemas/recipients';
export * from './schemas/documents';
export * from './schemas/releases';
export * from './schemas/requests';
export * from './schemas/audit';
export * from './schemas/retention';
export * from './schemas/dashboard';
export * from './schemas/practice-server';
export { isCalendarDate } from './compliance';
// The one text rule (src/shared/text-rules.ts), re-exported for existing importers.
export { INVISIBLE_OR_BIDI_CHARS, LONE_SURROGATE, line } from './text-rules';
export type { ChannelMap, ChannelSpec, FileInput } from './channels/spec';

/** Every channel, by name `'<namespace>.<verb>'`; each namespace's channels live in src/shared/channels/<namespace>.ts. */
export const channels = {
  ...appChannels,
  ...setupChannels,
  ...vaultChannels,
  ...accountsChannels,
  ...settingsChannels,
  ...requestsChannels,
  ...authorizationsChannels,
  ...part2ConsentsChannels,
  ...releasesChannels,
  ...documentsChannels,
  ...recipientsChannels,
  ...bouncesChannels,
  ...auditChannels,
  ...retentionChannels,
  ...backupChannels,
  ...dashboardChannels,
  ...practiceServerChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ParsedInput<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** The result envelope every transport carries: never a thrown error across a process or world boundary. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The renderer-facing API (`window.api`, src/shared/api-client.ts): resolves to the output, or throws an `ApiError` with the coded error. */
export type Api = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

/** The same calls as they cross a transport (the preload's `window.rpc`, the preview's HTTP bridge): the result envelope. */
export type ApiWire = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<RpcResult<ChannelOutput<C>>> };

/** Electron IPC channel name for a contract key (one namespace so the preload can whitelist by prefix). */
export const ipcChannel = (name: ChannelName) => `rd:${name}`;

/** Events main pushes to the renderer (progress of long work). */
export const events = {
  progress: z.object({
    operation: z.enum(['import', 'assemble', 'encrypt', 'send']),
    releaseId: Id,
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
  }),
  /** Rows of a report laid out so far (audit reports, issue #10). */
  reportProgress: z.object({ report: z.enum(['audit', 'accounting', 'access']), done: z.number().nonnegative(), total: z.number().nonnegative() }),
  /** A release was returned as undeliverable (a DSN): reference, status code and plain reason only (no PHI). */
  bounce: z.object({ releaseId: Id, reference: z.string(), status: z.string(), reason: z.string() }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;


/** The file input a channel declares (src/shared/channels/spec.ts), or undefined for the channels that take none. */
export function fileInputOf(name: ChannelName): FileInput | undefined {
  return (channels[name] as ChannelSpec).files;
}

/** The channels that take files the user chooses (derived from the contract: the preview bridge wraps exactly these). */
export const FILE_CHANNELS: readonly ChannelName[] = CHANNEL_NAMES.filter((n) => fileInputOf(n) !== undefined);
