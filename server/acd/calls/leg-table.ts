import { dialogKey, type Dialog } from '../dialog';
import type { MessageFields } from '../sip/message-fields';
import type { Dial } from './dials/dial';
import type { Leg, LegCensus, LegKind, LegSnapshot, LegState } from './leg';

/** Which side of a leg a dialog is: the party's (caller, device) or the controller's. */
export type DialogRole = 'party' | 'control';
export interface DialogEntry {
  leg: Leg;
  role: DialogRole;
}

/**
 * Callers waiting to be bridged — answered but not yet ACKed, or parked with music — counted as
 * legs move (no scan per call): what the overload guard compares with its ceiling.
 */
export class WaitingCallers implements LegCensus {
  count = 0;

  added(kind: LegKind, state: LegState): void {
    if (kind === 'caller' && waits(state)) this.count += 1;
  }

  moved(kind: LegKind, from: LegState, to: LegState): void {
    if (kind !== 'caller') return;
    this.count += (waits(to) ? 1 : 0) - (waits(from) ? 1 : 0);
  }
}

const waits = (s: LegState): boolean => s === 'answering' || s === 'parked';

/** Everything the ACD holds about calls, and the lookups into it. No behaviour. */
export class LegTable {
  readonly waiting = new WaitingCallers();
  private readonly byId = new Map<string, Leg>();
  private readonly dialogs = new Map<string, DialogEntry>();
  private readonly pendingDials = new Set<Dial>();

  addLeg(leg: Leg): void {
    this.byId.set(leg.id, leg);
    if (!leg.census) {
      leg.census = this.waiting;
      this.waiting.added(leg.kind, leg.state);
    }
  }

  leg(id: string): Leg | undefined {
    return this.byId.get(id);
  }

  removeLeg(leg: Leg): void {
    this.byId.delete(leg.id);
  }

  legs(): IterableIterator<Leg> {
    return this.byId.values();
  }

  addDialog(dialog: Dialog, leg: Leg, role: DialogRole): void {
    this.dialogs.set(dialog.key, { leg, role });
  }

  removeDialog(dialog: Dialog): void {
    this.dialogs.delete(dialog.key);
  }

  /** The dialog an in-dialog request belongs to (our tag is its To tag). */
  dialogOf(fields: MessageFields): DialogEntry | undefined {
    const toTag = fields.toTag;
    return toTag ? this.dialogs.get(dialogKey(fields.callId, toTag, fields.fromTag ?? '')) : undefined;
  }

  addDial(dial: Dial): void {
    this.pendingDials.add(dial);
  }

  removeDial(dial: Dial): void {
    this.pendingDials.delete(dial);
  }

  /** A snapshot of the pending dials (safe to end them while iterating). */
  dials(): Dial[] {
    return [...this.pendingDials];
  }

  dialOfLeg(leg: Leg): Dial | undefined {
    for (const d of this.pendingDials) if (d.leg === leg) return d;
    return undefined;
  }

  /** True when a dial towards this caller is under way. */
  isBeingDialled(caller: Leg): boolean {
    for (const d of this.pendingDials) if (d.caller === caller) return true;
    return false;
  }

  snapshots(): LegSnapshot[] {
    return [...this.byId.values()].map((l) => l.snapshot());
  }

  get sizes(): { legs: number; dialogs: number; dials: number } {
    return { legs: this.byId.size, dialogs: this.dialogs.size, dials: this.pendingDials.size };
  }

  clear(): void {
    for (const leg of this.byId.values()) leg.census = null;
    this.waiting.count = 0;
    this.byId.clear();
    this.dialogs.clear();
    this.pendingDials.clear();
  }
}
