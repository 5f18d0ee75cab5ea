import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from '../log';

const PATH = '/socket.io/';

export interface SocketProxy {
  /** true when the request was socket.io's and has been passed on */
  request(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Cuts every passed-on WebSocket (at shutdown: an upgraded socket keeps a server open). */
  close(): void;
}

/**
 * The web run apart from the CTI passes socket.io to it: long-polling requests one by one and
 * WebSocket upgrades as a byte pipe. Why a pass-through rather than sending browsers to the CTI's
 * port: the browser keeps one origin, so its HttpOnly session cookie goes with the connection,
 * no CORS and no second certificate are needed, and only the web's port faces the public; the
 * CTI checks the cookie against the shared sessions table itself. Headers are passed as they
 * came (cookie included), with the client's address added in X-Forwarded-For.
 */
export function createSocketProxy(server: http.Server, target: URL, logger: Logger): SocketProxy {
  const log = logger.child({ part: 'web', module: 'socket-proxy' });
  const secure = target.protocol === 'https:';
  const port = Number(target.port) || (secure ? 443 : 80);
  const host = target.hostname;
  const upgraded = new Set<Duplex>();

  const forwardedFor = (req: http.IncomingMessage): string =>
    [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter((v) => typeof v === 'string' && v !== '').join(', ');

  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(PATH)) {
      client.destroy();
      return;
    }
    const upstream = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    const drop = (err?: Error) => {
      if (err) log.warn({ err: err.message }, 'socket.io WebSocket to the CTI ended');
      upstream.destroy();
      client.destroy();
      upgraded.delete(client);
    };
    upgraded.add(client);
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [`${req.method ?? 'GET'} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i]!.toLowerCase() === 'x-forwarded-for') continue;
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', drop);
    client.on('error', drop);
    upstream.on('close', () => drop());
    client.on('close', () => drop());
  });

  return {
    request(req, res) {
      if (!req.url?.startsWith(PATH)) return false;
      const headers = { ...req.headers, 'x-forwarded-for': forwardedFor(req) };
      const options: http.RequestOptions = { host, port, method: req.method, path: req.url, headers };
      const onResponse = (up: http.IncomingMessage) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      };
      const onError = (err: Error) => {
        log.warn({ err: err.message }, 'the CTI did not answer a socket.io request');
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('the live connection service is not reachable');
      };
      const upReq = (secure ? https : http).request(options, onResponse);
      upReq.on('error', onError);
      req.pipe(upReq);
      return true;
    },
    close() {
      for (const s of upgraded) s.destroy();
      upgraded.clear();
    },
  };
}
