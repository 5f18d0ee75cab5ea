import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from '../log';

const PATH = '/socket.io/';
/** A CTI node that does not accept the connection within this is skipped for the next one. */
const CONNECT_TIMEOUT_MS = 2_000;

export interface SocketProxy {
  /** true when the request was socket.io's and has been passed on */
  request(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Cuts every passed-on WebSocket (at shutdown: an upgraded socket keeps a server open). */
  close(): void;
}

interface Target {
  url: URL;
  secure: boolean;
  host: string;
  port: number;
}

/**
 * Which CTI node a browser's socket.io goes to first: by its session cookie, so a console keeps
 * to one node across reconnects and long-polling requests (a polling session lives on one node)
 * while the consoles spread over the nodes. The others follow in order, for failover.
 */
export function targetOrder(cookieHeader: string | undefined, n: number): number[] {
  const session = /(?:^|;\s*)pb_session=([^;]*)/.exec(cookieHeader ?? '')?.[1] ?? '';
  const first = n <= 1 ? 0 : createHash('sha256').update(session).digest().readUInt32BE(0) % n;
  return Array.from({ length: n }, (_, i) => (first + i) % n);
}

/**
 * The web run apart from the CTI passes socket.io to it: long-polling requests one by one and
 * WebSocket upgrades as a byte pipe. Why a pass-through rather than sending browsers to the CTI's
 * port: the browser keeps one origin, so its HttpOnly session cookie goes with the connection,
 * no CORS and no second certificate are needed, and only the web's port faces the public; the
 * CTI checks the cookie against the shared sessions table itself. Headers are passed as they
 * came (cookie included), with the client's address added in X-Forwarded-For.
 *
 * Several CTI nodes (CTI_URL a list): each connection goes to the node `targetOrder` names first;
 * a node that refuses or does not accept within 2 s is passed over for the next. A node killed
 * mid-call cuts its WebSockets; the console's socket.io reconnects on its own, and that reconnect
 * lands on a live node, which gives the operator their call back (docs/cti.md, "Several CTI nodes").
 */
export function createSocketProxy(server: http.Server, targets: URL[], logger: Logger): SocketProxy {
  const log = logger.child({ part: 'web', module: 'socket-proxy' });
  const nodes: Target[] = targets.map((url) => {
    const secure = url.protocol === 'https:';
    return { url, secure, host: url.hostname, port: Number(url.port) || (secure ? 443 : 80) };
  });
  const upgraded = new Set<Duplex>();

  const forwardedFor = (req: http.IncomingMessage): string =>
    [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter((v) => typeof v === 'string' && v !== '').join(', ');

  /** A TCP (or TLS) connection to the first node in `order` that accepts one; null when none does. */
  const connectUpstream = (order: number[], done: (up: Duplex | null, node: Target | null) => void): void => {
    const next = (i: number): void => {
      const node = nodes[order[i]!];
      if (!node) return done(null, null);
      const up = node.secure ? tls.connect({ host: node.host, port: node.port, servername: node.host }) : net.connect({ host: node.host, port: node.port });
      const timer = setTimeout(() => up.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
      const failed = (err: Error) => {
        clearTimeout(timer);
        up.destroy();
        if (nodes.length > 1) log.warn({ cti: node.url.origin, err: err.message }, 'a CTI node did not accept the connection; trying the next');
        next(i + 1);
      };
      up.once('error', failed);
      up.once(node.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        up.off('error', failed);
        done(up, node);
      });
    };
    next(0);
  };

  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(PATH)) {
      client.destroy();
      return;
    }
    upgraded.add(client);
    let upstream: Duplex | null = null;
    const drop = (err?: Error) => {
      if (err) log.warn({ err: err.message }, 'socket.io WebSocket to the CTI ended');
      upstream?.destroy();
      client.destroy();
      upgraded.delete(client);
    };
    client.on('error', drop);
    client.on('close', () => drop());
    connectUpstream(targetOrder(req.headers.cookie, nodes.length), (up) => {
      if (!up) return drop(new Error('no CTI node accepted the connection'));
      if (client.destroyed) return void up.destroy();
      upstream = up;
      const lines = [`${req.method ?? 'GET'} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i]!.toLowerCase() === 'x-forwarded-for') continue;
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
      up.on('error', drop);
      up.on('close', () => drop());
    });
  });

  return {
    request(req, res) {
      if (!req.url?.startsWith(PATH)) return false;
      const headers = { ...req.headers, 'x-forwarded-for': forwardedFor(req) };
      const onError = (err: Error) => {
        log.warn({ err: err.message }, 'the CTI did not answer a socket.io request');
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('the live connection service is not reachable');
      };
      // the node is chosen by connecting first, so a dead one is passed over before the request is sent
      connectUpstream(targetOrder(req.headers.cookie, nodes.length), (up, node) => {
        if (!up || !node) return onError(new Error('no CTI node accepted the connection'));
        const options: http.RequestOptions = { method: req.method, path: req.url, headers, createConnection: () => up as net.Socket, host: node.host, port: node.port };
        const upReq = (node.secure ? https : http).request(options, (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        });
        upReq.on('error', onError);
        req.pipe(upReq);
      });
      return true;
    },
    close() {
      for (const s of upgraded) s.destroy();
      upgraded.clear();
    },
  };
}
