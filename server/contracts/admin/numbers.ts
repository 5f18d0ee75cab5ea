import { z } from 'zod';
import { AudioName, E164Number, RowId, Version, listQuery, type ChangeStamp } from './paging';

/** Numbers (DIDs): which queue answers each, through which trunk, with which hold audio. */
const NumberFields = {
  queueId: RowId,
  trunkId: RowId.nullable(),
  holdAudio: AudioName,
};

/** POST /api/admin/numbers */
export const NumberCreate = z.object({ e164: E164Number, ...NumberFields }).strict();
export type NumberCreate = z.infer<typeof NumberCreate>;
/** PATCH /api/admin/numbers/:e164 — the number itself is the key: to change it, add a new one. */
export const NumberUpdate = z.object({ ...NumberFields, version: Version }).strict();
export type NumberUpdate = z.infer<typeof NumberUpdate>;

export const NumbersQuery = listQuery(['e164', 'queue'], 'e164');
export type NumbersQuery = z.infer<typeof NumbersQuery>;

export interface NumberRow extends ChangeStamp {
  e164: string;
  queueId: string;
  queueName: string;
  trunkId: string | null;
  trunkName: string | null;
  holdAudio: string;
}

export interface TrunkOption {
  id: string;
  name: string;
}
