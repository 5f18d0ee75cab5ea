import { newBranch } from './sip/builders';

/** How the ACD names itself in Via and Contact on a transport. */
export class LocalAddress {
  constructor(
    private readonly transport: () => string,
    private readonly hostPort: () => string,
  ) {}

  via(branch: string = newBranch()): string {
    return `SIP/2.0/${this.transport()} ${this.hostPort()};branch=${branch};rport`;
  }

  contact(): string {
    return `<sip:acd@${this.hostPort()};transport=${this.transport().toLowerCase()}>`;
  }
}
