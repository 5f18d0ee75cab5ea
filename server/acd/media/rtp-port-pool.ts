import { createSocket, type Socket } from 'node:dgram';
import { MediaPortsExhaustedError, MediaStateError } from './media-errors';

/**
 * UDP sockets for plain RTP legs, bound on the media address from a port range (even ports,
 * RTP convention; RTCP's odd port is left alone). Binding is the allocation: a port another
 * process holds fails to bind and the next one is tried, so there is no test-bind race.
 * Without a range the OS picks an ephemeral port.
 */
export class RtpPortPool {
  private cursor: number;

  constructor(
    private readonly address: string,
    private readonly range: readonly [number, number] | undefined,
  ) {
    this.cursor = range ? evenAtLeast(range[0]) : 0;
  }

  async bind(): Promise<{ socket: Socket; port: number }> {
    if (!this.range) return this.tryBind(0).then((r) => r ?? Promise.reject(new MediaStateError('could not bind an RTP port')));
    const [lo, hi] = this.range;
    const first = evenAtLeast(lo);
    const slots = Math.floor((hi - first) / 2) + 1;
    for (let i = 0; i < slots; i++) {
      const port = this.cursor;
      this.cursor = port + 2 > hi ? first : port + 2;
      const r = await this.tryBind(port);
      if (r) return r;
    }
    throw new MediaPortsExhaustedError(`no free RTP port in ${lo}-${hi}`);
  }

  private tryBind(port: number): Promise<{ socket: Socket; port: number } | null> {
    return new Promise((resolve) => {
      const socket = createSocket({ type: 'udp4' });
      const onError = (): void => {
        socket.close();
        resolve(null);
      };
      socket.once('error', onError);
      socket.bind(port, this.address, () => {
        socket.off('error', onError);
        resolve({ socket, port: socket.address().port });
      });
    });
  }
}

function evenAtLeast(n: number): number {
  return n % 2 === 0 ? n : n + 1;
}
