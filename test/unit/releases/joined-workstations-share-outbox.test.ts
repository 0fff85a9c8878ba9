/**
 * The app as a practice runs it: two workstations (two vaults and service stacks, each with its OWN practice link, not
 * a test link) configured in Settings against one real PostgreSQL (TLS verified) and joined by their administrator.
 * A release sent on A goes to the shared outbox, is delivered exactly once (counted at a real SMTP server with
 * STARTTLS) by B's background worker, and comes back into A's vault as sent, naming B. Before A joins, a release waits
 * on A and nothing is delivered. Synthetic data only.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelInput } from '../../../src/shared/contract';
import { PASSPHRASE, readyAccessRelease, startBackend, type Backend } from '../../support/backend';
import { copiesAtServer } from '../../support/practice-queue';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres';
import { startSmtpServer, type RunningSmtpServer } from '../../support/smtp';
import { requireTool } from '../../support/tools';

const HAVE = requirePostgres() && ['openssl', 'qpdf'].every((t) => requireTool(t));
const PATIENT_ADDRESS = 'zyxwv.testpatient@patient.example.test';

describe.skipIf(!HAVE)('joined workstations send releases through the practice server’s shared outbox', () => {
  let pg: RunningPostgres;
  let smtp: RunningSmtpServer;
  let a: Backend;
  let b: Backend;

  beforeAll(async () => {
    [pg, smtp] = await Promise.all([startPostgres(), startSmtpServer()]);
    [a, b] = await Promise.all([startBackend({ smtpServer: smtp }), startBackend({ smtpServer: smtp })]);
    const settings: ChannelInput<'practiceServer.configure'> = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem };
    await a.call('practiceServer.configure', settings);
    await b.call('practiceServer.configure', settings);
  }, 120_000);
  afterAll(async () => {
    await a?.services.practiceLink.close();
    await b?.services.practiceLink.close();
    await a?.close();
    await b?.close();
    await smtp?.close();
    await pg?.stop();
  });

  it('a release sent before this workstation joins waits on it; nothing is delivered', async () => {
    expect(a.services.practiceLink.state()).toBe('not_joined');
    const before = smtp.received.length;
    const { rel } = await readyAccessRelease(a, PATIENT_ADDRESS);
    const out = await a.call('releases.send', { releaseId: rel.id, method: 'password-pdf' });
    expect(out.release.status).toBe('waiting_for_server');
    expect(smtp.received.length).toBe(before);
    // Background passes while not joined keep the release waiting, quietly: no warning pass after pass.
    const warn = vi.spyOn(a.services.logger, 'warn');
    try {
      for (let i = 0; i < 3; i++) await a.services.releases.workflow.practice.cycle();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect((await a.call('releases.get', { id: rel.id })).status).toBe('waiting_for_server');
  });

  it('after both join, A’s releases are delivered once by B and recorded on A as sent by B', async () => {
    await a.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk A' });
    await b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk B' });
    expect([a.services.practiceLink.state(), b.services.practiceLink.state()]).toEqual(['online', 'online']);
    const before = smtp.received.length;

    const { rel } = await readyAccessRelease(a, PATIENT_ADDRESS);
    expect((await a.call('releases.send', { releaseId: rel.id, method: 'password-pdf' })).release.status).toBe('with_practice_server');
    // A pushes what waited from before it joined; B's background pass drains the shared outbox; A's pulls the outcomes.
    expect(await a.services.releases.workflow.practice.pushWaiting()).toHaveLength(1);
    await b.services.releases.workflow.practice.cycle();
    await a.services.releases.workflow.practice.cycle();

    const waited = (await a.call('releases.list', {})).map((r) => r.id).filter((id) => id !== rel.id);
    for (const id of [rel.id, ...waited]) {
      const d = await a.call('releases.get', { id });
      expect(d.status).toBe('sent');
      expect(d.transmissions.at(-1)!.sentByWorkstation).toMatch(/Front desk B/);
    }
    const copies = copiesAtServer(smtp.received.slice(before));
    expect(copies.size).toBe(1 + waited.length);
    expect(Math.max(...copies.values())).toBe(1);
  });
});
