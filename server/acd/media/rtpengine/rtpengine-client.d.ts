// rtpengine-client 0.4.12 ships no types: the part of its API the NG channel uses.
declare module 'rtpengine-client' {
  import type { EventEmitter } from 'node:events';

  export interface NgDestination {
    port: number;
    host: string;
  }

  type Command = (dest: NgDestination, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

  export class Client extends EventEmitter {
    constructor(opts?: { timeout?: number; localPort?: number; localAddress?: string; rejectOnError?: boolean });
    ping: Command;
    offer: Command;
    answer: Command;
    delete: Command;
    query: Command;
    list: Command;
    statistics: Command;
    playMedia: Command;
    stopMedia: Command;
    playDTMF: Command;
    startRecording: Command;
    stopRecording: Command;
    close(): void;
  }
}
