/** Ports for test servers started as child processes (Dovecot, PostgreSQL): a free one, and waiting until it listens. */
import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

/**
 * Wait until `child` (named `name` in errors) accepts TCP connections on 127.0.0.1:`port`, polling every 100 ms.
 * @param log the server's own log, quoted (last 2,000 characters) when it exits or does not listen in time
 * @throws Error when the child exits first or `ms` pass
 */
export async function waitForPort(name: string, port: number, child: ChildProcess, ms: number, log: () => string = () => ''): Promise<void> {
  const until = Date.now() + ms;
  const tail = () => (log() ? `: ${log().slice(-2000)}` : '');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}${tail()}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${name} did not start listening${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
