/**
 * A TCP relay on 127.0.0.1 that records every byte the client sent on the wire,
 * before and after TLS (after TLS it is ciphertext). Put it between the client and
 * any test server to prove that no password and no message byte crossed in cleartext:
 *
 *   const wire = await startWireRecorder(srv.port);
 *   await sendRawMessage({ …, port: wire.port }, …);
 *   expect(wire.fromClient().includes(Buffer.from(SMTP_PASSWORD))).toBe(false);
 *
 * A server-side close or reset is passed on to the client as a close.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface WireRecorder {
  port: number;
  /** All bytes the client sent, over every connection, in order. */
  fromClient(): Buffer;
  close(): Promise<void>;
}

/** Relay 127.0.0.1:<returned port> → 127.0.0.1:`targetPort`, recording what the client sends. */
export async function startWireRecorder(targetPort: number): Promise<WireRecorder> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (c: Buffer) => {
      chunks.push(Buffer.from(c));
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => client.write(c));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    fromClient: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
