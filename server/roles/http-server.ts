import http from 'node:http';

/**
 * An HTTP server for the web and for the CTI's socket.io. Idle keep-alive sockets live longer
 * than a load balancer's (60 s is common) and a browser's pauses: with Node's 5 s a client that
 * reuses a socket just as the server closes it gets a reset (seen as ECONNRESET in an e2e run).
 * headersTimeout must exceed keepAliveTimeout.
 */
export function createHttpServer(): http.Server {
  return http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 });
}

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Resolves once the server has closed (also when it was not listening). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((r) => server.close(() => r()));
}
