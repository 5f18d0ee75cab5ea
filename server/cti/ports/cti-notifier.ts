import type { MonitorView } from '../../contracts/monitor';
import type { QueueTile } from '../../contracts/wallboard';
import type { AgentView, CallOffer, CallView, MobileStatus } from '../../contracts/socket-events';

/**
 * Where the service's updates go (the socket layer implements it: `socketNotifier()`).
 * MUST NOT throw; the service guards each call anyway and logs what escapes.
 */
export interface CtiNotifier {
  /** an operator changed: to that operator and to admins */
  agentChanged(view: AgentView): void;
  /** a call is being offered to an operator (their device rings next) */
  callOffered(operatorId: string, offer: CallOffer): void;
  /** a call changed: to its operator (if any) and to admins */
  callChanged(view: CallView, operatorId: string | null): void;
  /** the operator's mobile verification changed: to that operator only */
  mobileChanged?(operatorId: string, status: MobileStatus): void;
  /** a deactivated person (an operator once signed out, or staff at once): close their sockets; their web sessions are gone already */
  userRemoved?(userId: string, reason: string, by?: 'administrator' | 'supervisor'): void;
  /** a supervisor's monitoring of a call changed: to that supervisor only */
  monitorChanged?(supervisorId: string, view: MonitorView): void;
  /** a supervisor's own mobile (the monitoring phone) changed its verification: to them only */
  monitorMobileChanged?(supervisorId: string, status: MobileStatus): void;
  /** the wallboard's queue tiles changed: to admins and supervisors */
  queuesChanged?(tiles: QueueTile[]): void;
  /** these calls' rows were just stored (a journal batch committed): to the history pages */
  historyStored?(callIds: string[]): void;
}
