import type { ReachNotice } from '../../shared/sip-reach';

interface NodeReach {
  epoch: string;
  /** the highest version applied of this epoch */
  version: number;
  /** device AOR user → whether the node holds a live binding of it, and the version that said so */
  devices: Map<string, { active: boolean; version: number }>;
}

/**
 * Which ACD nodes can ring each device (docs/cti.md, "Several ACD nodes"), from the nodes' own
 * reach notices (server/shared/sip-reach.ts). No IO: the bank set feeds it and asks it.
 *
 * Ordering: notices of one node may arrive on different bank UAs' connections, so out of order.
 * Each AOR keeps the version of the notice that last set it; an older notice does not undo a
 * newer one, and a full state sets only the AORs no newer partial notice has set. A new epoch (the
 * node restarted: its registrar is empty and its versions start again) replaces everything known
 * of the node.
 */
export class DeviceReach {
  private readonly nodes = new Map<string, NodeReach>();

  /** Applies a node's notice; true when any AOR's reach from that node changed. */
  apply(node: string, n: ReachNotice): boolean {
    let r = this.nodes.get(node);
    let changed = false;
    if (!r || r.epoch !== n.epoch) {
      changed = r !== undefined && [...r.devices.values()].some((d) => d.active);
      r = { epoch: n.epoch, version: -1, devices: new Map() };
      this.nodes.set(node, r);
    }
    r.version = Math.max(r.version, n.version);
    const set = (aor: string, active: boolean) => {
      const was = r.devices.get(aor);
      if (was && was.version > n.version) return;
      if ((was?.active ?? false) !== active) changed = true;
      // an AOR said terminated is kept too (with its version), so an older "active" cannot revive it
      r.devices.set(aor, { active, version: n.version });
    };
    if (n.state === 'full') {
      const listed = new Set(n.devices.filter((d) => d.state === 'active').map((d) => d.aor));
      for (const aor of [...r.devices.keys()]) if (!listed.has(aor)) set(aor, false);
      for (const aor of listed) set(aor, true);
      // what a full state says is gone needs no tombstone unless a newer notice set it
      for (const [aor, d] of r.devices) if (!d.active && d.version <= n.version) r.devices.delete(aor);
    } else {
      for (const d of n.devices) set(d.aor, d.state === 'active');
    }
    return changed;
  }

  /** Whether `node` last said it holds a binding of the device AOR user. */
  reaches(node: string, aor: string): boolean {
    return this.nodes.get(node)?.devices.get(aor)?.active === true;
  }

  /** The nodes that hold a binding of the AOR, in the order they first reported. */
  nodesOf(aor: string): string[] {
    const out: string[] = [];
    for (const [node, r] of this.nodes) if (r.devices.get(aor)?.active) out.push(node);
    return out;
  }

  /** A node given up (its legs gone): nothing is known of its devices until it reports again. True when that changed anything. */
  forget(node: string): boolean {
    const r = this.nodes.get(node);
    this.nodes.delete(node);
    return r !== undefined && [...r.devices.values()].some((d) => d.active);
  }
}
