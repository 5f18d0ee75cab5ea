import { describe } from 'vitest';
import { MemoryReservations } from './memory-reservation-store';
import { reservationContract } from './reservation-contract';

describe('MemoryReservations (the embedded default)', () => {
  reservationContract(async () => {
    const shared = new MemoryReservations();
    const a = shared.node('node-a');
    const b = shared.node('node-b');
    return {
      a,
      b,
      kill: async (node) => shared.kill(node.nodeId),
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });
});
