import type { OfferDelayMeter } from '../overload/offer-delay';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';
import type { AcdConfig } from '../acd-config';
import type { ClientTransactions } from '../client-transactions';
import type { LocalAddress } from '../local-address';
import type { MediaEngine } from '../media/media-engine';
import type { Registrar } from '../registrar';
import type { AcdTimers } from '../timers';
import type { TransportSet } from '../transport/transport-set';
import type { TrunkSide } from '../trunks/trunk-side';
import type { CallbackLedger } from './callback-ledger';
import type { LegTable } from './leg-table';

/**
 * What every call module shares, built once by the Acd facade and handed to each module's
 * constructor (collaborators that are modules themselves are passed separately).
 */
export interface CallContext {
  readonly cfg: AcdConfig;
  readonly timers: AcdTimers;
  readonly log: Logger;
  readonly local: LocalAddress;
  readonly clientTx: ClientTransactions;
  readonly media: MediaEngine;
  readonly registrar: Registrar;
  readonly transports: TransportSet;
  readonly trunks: TrunkSide | null;
  readonly table: LegTable;
  /** the callers who pressed keys: what a callback dial may call (callback-ledger.ts) */
  readonly callbacks: CallbackLedger;
  /** every route-point offer reports its delay here: the overload guard's view of the controller */
  readonly offerDelay: OfferDelayMeter;
  /** a fresh single-use dial nonce (X-PB-Nonce in each route-point offer: the bank's first dial needs no 407) */
  dialNonce(): string;
  /** False once the ACD is stopping: nothing new is offered or dialled. */
  running(): boolean;
}

export function newLegId(): string {
  return `leg-${randomBytes(8).toString('hex')}`;
}

/** The host the ACD writes in SDP origins and Via/Contact. */
export function publicHost(cfg: AcdConfig): string {
  return cfg.publicHost ?? cfg.host;
}
