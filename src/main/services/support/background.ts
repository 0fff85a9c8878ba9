/**
 * The work that runs on its own while the vault is unlocked: the outbox sender (queued releases that are due) and
 * the bounce mailbox poll; and the end of the packaging worker thread at quit. Each start is idempotent and runs one
 * pass at a time; each stop waits for a pass in progress. Methods are arrow properties: the shell calls them unbound.
 */
import type { BounceService } from '../bounces/service';
import type { PackagingJobs } from '../packaging/jobs';
import { PackagingWorker } from '../packaging/worker-client';
import type { ReleasesService } from '../releases/releases-service';
import type { Session } from '../session';
import type { Logger } from './logger';

export interface BackgroundDeps {
  session: Session;
  releases: ReleasesService;
  bounces: BounceService;
  packaging: PackagingJobs;
  logger: Logger;
  /** Outbox sender interval in ms (default 15 000). */
  queueTickMs?: number | undefined;
  /** Bounce mailbox poll interval in ms (default 300 000). */
  bouncePollMs?: number | undefined;
}

/** See the module comment. */
export class Background {
  private queueTimer: NodeJS.Timeout | null = null;
  private queueRun: Promise<unknown> | null = null;
  private bounceTimer: NodeJS.Timeout | null = null;
  private bounceRun: Promise<unknown> | null = null;

  constructor(private readonly d: BackgroundDeps) {}

  /** Start the outbox sender: every `queueTickMs` it delivers the queued releases that are due, while the vault is unlocked. */
  readonly startQueue = (): void => {
    if (this.queueTimer) return;
    this.queueTimer = setInterval(() => {
      if (this.queueRun || this.d.session.state !== 'unlocked') return;
      this.queueRun = this.d.releases.workflow.runDue().finally(() => {
        this.queueRun = null;
      });
    }, this.d.queueTickMs ?? 15_000);
    this.queueTimer.unref?.();
  };

  /** Stop the outbox sender and wait for a run in progress. */
  readonly stopQueue = async (): Promise<void> => {
    if (this.queueTimer) clearInterval(this.queueTimer);
    this.queueTimer = null;
    await this.queueRun;
  };

  /**
   * Start reading the bounce mailbox every `bouncePollMs` while the vault is unlocked and a mailbox is set.
   * Failures are audited by BounceService.checkNow and logged as codes; nothing is thrown.
   */
  readonly startBounceWatch = (): void => {
    if (this.bounceTimer) return;
    const { session, bounces, logger } = this.d;
    this.bounceTimer = setInterval(() => {
      if (this.bounceRun || session.state !== 'unlocked' || !bounces.settings()) return;
      this.bounceRun = bounces
        .checkNow('mailbox')
        .catch((e: unknown) => logger.warn('bounces.check_failed', { code: (e as { code?: string })?.code ?? 'INTERNAL' }))
        .finally(() => {
          this.bounceRun = null;
        });
    }, this.d.bouncePollMs ?? 300_000);
    this.bounceTimer.unref?.();
  };

  /** Stop the bounce poll and wait for a check in progress. */
  readonly stopBounceWatch = async (): Promise<void> => {
    if (this.bounceTimer) clearInterval(this.bounceTimer);
    this.bounceTimer = null;
    await this.bounceRun;
  };

  /** End the packaging worker thread, if any (at quit). Jobs still running fail with PACKAGING_CANCELLED. */
  readonly stopPackaging = async (): Promise<void> => {
    if (this.d.packaging instanceof PackagingWorker) await this.d.packaging.close();
  };
}
