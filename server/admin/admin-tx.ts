import type { Prisma, PrismaClient } from '../db/generated/client';

/** A Prisma interactive transaction: every admin write runs in one (row, audit, version bump). */
export type Tx = Prisma.TransactionClient;

export type { PrismaClient };

/** The signed-in admin a write is done by (the route has already checked the role). */
export interface Actor {
  id: string;
  name: string;
}
