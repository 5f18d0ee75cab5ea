// jssip-node-websocket 3.0.0 ships no types: it is the Socket JsSIP's UA accepts in `sockets`.
declare module 'jssip-node-websocket' {
  import { Socket } from 'jssip/lib/Socket';
  export default class NodeWebSocket extends Socket {
    constructor(url: string, options?: { origin?: string; requestOptions?: unknown });
  }
}
