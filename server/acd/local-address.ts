import { newBranch } from './sip/builders';
import type { Flow } from './transport/flow';

/**
 * How the ACD names itself in Via and Contact. Both depend on the flow a message leaves
 * on: its transport token and the port of our listening socket on that transport.
 */
export class LocalAddress {
  constructor(private readonly host: () => string) {}

  hostPort(flow: Flow): string {
    return `${this.host()}:${flow.localPort}`;
  }

  via(flow: Flow, branch: string = newBranch()): string {
    return `SIP/2.0/${flow.transport} ${this.hostPort(flow)};branch=${branch};rport`;
  }

  contact(flow: Flow): string {
    return `<sip:acd@${this.hostPort(flow)};transport=${flow.transport.toLowerCase()}>`;
  }
}
