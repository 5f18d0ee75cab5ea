import type { MixMode } from '../../shared/sip-control-ops';

/**
 * The controller's in-call requests on a leg, as the CTI sees them (the ACD's side:
 * docs/sip-control-dialect.md, "In-call requests"). `ua-bank/leg-controls.ts` implements it
 * over the legs' control dialogs. Every method names legs only — never an operator.
 *
 * Contract:
 * - A method MUST NOT throw: every failure resolves `{ ok: false }` with the ACD's status and
 *   reason (status 0 when nothing was sent: the bank holds no control dialog for the leg).
 * - A request is sent on the control dialog of the leg it acts on.
 */
export type ControlResult = { ok: true } | { ok: false; status: number; reason: string };

/** What a leg contributes in a mixing bridge; `whisperTo` names the one leg that hears a whisper. */
export type MixRoleRequest = { mode: Exclude<MixMode, 'whisper'> } | { mode: 'whisper'; whisperTo: string };

export interface LegControlPort {
  /** Parks the bridged leg with its music; its peer is left alone (a device waits). 409 when already held. */
  hold(legId: string): Promise<ControlResult>;
  /** Re-bridges a held leg to the peer it was held from. */
  resume(legId: string): Promise<ControlResult>;
  /** Replaces the leg's audio by silence for everyone who hears it (or undoes that). */
  mute(legId: string, muted: boolean): Promise<ControlResult>;
  /** Sends digits toward the leg's party (RFC 4733, or SIP INFO when it negotiated none). */
  sendDtmf(legId: string, digits: string, durationMs?: number): Promise<ControlResult>;
  /** Bridges the leg to another leg that is alone or held; its previous peer is left alone. */
  bridge(legId: string, toLegId: string): Promise<ControlResult>;
  /** Puts the leg into the call of `withLegId` (a mixing bridge), in a mode. */
  join(legId: string, withLegId: string, role: MixRoleRequest): Promise<ControlResult>;
  /** Switches the leg's mode in its mixing bridge (listen / whisper / talk). */
  setMixMode(legId: string, role: MixRoleRequest): Promise<ControlResult>;
  /** Takes the leg out of its mixing bridge (it is left alone). */
  leave(legId: string): Promise<ControlResult>;
}
