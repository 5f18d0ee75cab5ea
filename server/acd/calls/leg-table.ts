import { dialogKey, type Dialog } from '../dialog';
import type { MessageFields } from '../sip/message-fields';
import type { Dial } from './dials/dial';
import type { Leg, LegSnapshot } from './leg';

/** Which side of a leg a dialog is: the party's (caller, device) or the controller's. */
export type DialogRole = 'party' | 'control';
export interface DialogEntry {
  leg: Leg;
  role: DialogRole;
}

/** Everything the ACD holds about calls, and the lookups into it. No behaviour. */
export class LegTable {
  private readonly byId = new Map<string, Leg>();
  private readonly dialogs = new Map<string, DialogEntry>();
  private readonly pendingDials = new Set<Dial>();

  addLeg(leg: Leg): void {
    this.byId.set(leg.id, leg);
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
    this.byId.clear();
    this.dialogs.clear();
    this.pendingDials.clear();
  }
}
