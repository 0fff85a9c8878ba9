/** A TCP relay to a server that a test can cut (refusing connections, dropping open ones) and restore on the same port. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Start a relay on 127.0.0.1 (a free port) to `target` on 127.0.0.1. */
export async function tcpRelay(target: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((ok) => {
      server = createServer((s) => {
        const up = createConnection({ host: '127.0.0.1', port: target });
        sockets.add(s).add(up);
        s.pipe(up).pipe(s);
        const end = () => {
          s.destroy();
          up.destroy();
          sockets.delete(s);
          sockets.delete(up);
        };
        s.on('error', end).on('close', end);
        up.on('error', end).on('close', end);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        ok();
      });
    });
  const cut = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    server = null;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
