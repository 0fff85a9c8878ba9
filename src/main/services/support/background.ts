/**
 * The work that runs on its own while the vault is unlocked: the outbox sender (queued releases that are due) and
 * the bounce mailbox poll; the practice server synchronisation (every 30 s, at sign-in and when the link comes back
 * online: practice/practice-link-service.ts); and the end of the packaging worker thread at quit. With a practice
 * server (the link is not `local`, issue #17) the outbox sender's pass is the practice route's instead
 * (releases/practice-route.ts cycle): hand waiting releases to the shared outbox, drain the shared outbox as one of
 * the practice's senders, and bring outcomes back — also at once each time the link comes back online. Each start is idempotent and runs one
 * pass at a time; each stop waits for a pass in progress. Methods are arrow properties: the shell calls them unbound.
 */
import type { BounceService } from '../bounces/service';
import type { PracticeLink } from '../practice/practice-link';
import type { PackagingJobs } from '../packaging/jobs';
import type { PracticeLinkService } from '../practice/practice-link-service';
import { PackagingWorker } from '../packaging/worker-client';
import type { ReleasesService } from '../releases/releases-service';
import type { Session } from '../session';
import { isAppError } from '../../../shared/errors';
import type { Logger } from './logger';

export interface BackgroundDeps {
  session: Session;
  releases: ReleasesService;
  bounces: BounceService;
  packaging: PackagingJobs;
  /** Fonts and other assets the packaging worker reads (default: the worker's own default). */
  assetsRoot?: string | undefined;
  logger: Logger;
  /** The link to the practice server (issue #17); absent: `local` (the outbox sends from this workstation). */
  link?: PracticeLink | undefined;
  /** Outbox sender interval in ms (default 15 000). */
  queueTickMs?: number | undefined;
  /** Bounce mailbox poll interval in ms (default 300 000). */
  bouncePollMs?: number | undefined;
  /** The practice link (sync with the practice server); absent: no practice sync. */
  practiceLink?: Pick<PracticeLinkService, 'tick' | 'onOnline'> | undefined;
  /** Practice sync interval in ms (default 30 000); sign-in is noticed within 1 s. */
  practiceSyncMs?: number | undefined;
}

/** A pass run every `ms` while `due()` says so, one at a time; `stop` waits for the pass in progress. */
class Poll {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly ms: number,
    private readonly due: () => boolean,
    private readonly pass: () => Promise<unknown>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.ms);
    this.timer.unref?.();
  }

  /** Run a pass now unless one is running or it is not due (only while started). */
  kick(): void {
    if (!this.timer || this.running || !this.due()) return;
    this.running = this.pass().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** See the module comment. */
export class Background {
  private readonly queue: Poll;
  private readonly bounceWatch: Poll;
  private readonly practiceSync: Poll | null = null;
  private signInWatch: NodeJS.Timeout | null = null;
  private offOnline: (() => void) | null = null;

  constructor(private readonly d: BackgroundDeps) {
    const { session, releases, bounces, logger } = d;
    const unlocked = () => session.state === 'unlocked';
    const routed = () => d.link !== undefined && d.link.state() !== 'local';
    // One sender per pass: the practice route while a practice server is linked, else this workstation's own outbox.
    this.queue = new Poll(d.queueTickMs ?? 15_000, unlocked, () => (routed() ? releases.workflow.practice.cycle() : releases.workflow.runDue()));
    d.link?.onOnline(() => this.queue.kick());
    this.bounceWatch = new Poll(
      d.bouncePollMs ?? 300_000,
      () => unlocked() && bounces.settings() !== null,
      () => bounces.checkNow('mailbox').catch((e: unknown) => logger.warn('bounces.check_failed', { code: (e as { code?: string })?.code ?? 'INTERNAL' })),
    );
    const link = d.practiceLink;
    if (link) this.practiceSync = new Poll(d.practiceSyncMs ?? 30_000, unlocked, () => link.tick());
  }

  /**
   * Start synchronising with the practice server: every `practiceSyncMs` while unlocked, configured and joined; at
   * each sign-in; and when the link comes back online. Failures turn the link offline and are logged as codes
   * (practice-link-service.ts tick); nothing is thrown and nothing is lost.
   */
  readonly startPracticeSync = (): void => {
    const link = this.d.practiceLink;
    if (!link || !this.practiceSync || this.signInWatch) return;
    this.practiceSync.start();
    // A sign-in opens a new vault object: a change of it (even a lock and unlock between two checks) is a sign-in.
    const openVault = () => (this.d.session.state === 'unlocked' ? this.d.session.require() : null);
    let seen = openVault();
    this.signInWatch = setInterval(() => {
      const now = openVault();
      if (now && now !== seen) void link.tick();
      seen = now;
    }, 1000);
    this.signInWatch.unref?.();
    this.offOnline = link.onOnline(() => void link.tick());
  };

  /** Stop the practice sync and wait for a pass in progress. */
  readonly stopPracticeSync = async (): Promise<void> => {
    if (this.signInWatch) clearInterval(this.signInWatch);
    this.signInWatch = null;
    this.offOnline?.();
    this.offOnline = null;
    await this.practiceSync?.stop();
  };

  /** Start the outbox sender: every `queueTickMs` it delivers the queued releases that are due, while the vault is unlocked. */
  readonly startQueue = (): void => this.queue.start();

  /** Stop the outbox sender and wait for a run in progress. */
  readonly stopQueue = (): Promise<void> => this.queue.stop();

  /**
   * Start reading the bounce mailbox every `bouncePollMs` while the vault is unlocked and a mailbox is set.
   * Failures are audited by BounceService.checkNow and logged as codes; nothing is thrown.
   */
  readonly startBounceWatch = (): void => this.bounceWatch.start();

  /** Stop the bounce poll and wait for a check in progress. */
  readonly stopBounceWatch = (): Promise<void> => this.bounceWatch.stop();

  /**
   * Start the packaging worker thread, if any, and get it ready (PackagingWorker.warm: modules, fonts and qpdf's
   * WebAssembly loaded, a small synthetic packet made and dropped), so the first release of the day does not wait for
   * it. Called once when the window opens; a failure is logged as a code and the first job starts the worker instead.
   */
  readonly warmPackaging = (): void => {
    const { packaging, logger } = this.d;
    if (!(packaging instanceof PackagingWorker)) return;
    packaging.warm(this.d.assetsRoot).catch((e: unknown) => logger.warn('packaging.warm_failed', { code: isAppError(e) ? e.code : 'INTERNAL' }));
  };

  /** End the packaging worker thread, if any (at quit). Jobs still running fail with PACKAGING_CANCELLED. */
  readonly stopPackaging = async (): Promise<void> => {
    if (this.d.packaging instanceof PackagingWorker) await this.d.packaging.close();
  };
}
