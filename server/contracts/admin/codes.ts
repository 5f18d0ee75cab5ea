import { z } from 'zod';
import { Version } from './paging';

/** Not-ready reason codes and wrap-up dispositions: two admin-edited lists of one shape. */
export const CodeKind = z.enum(['not_ready', 'disposition']);
export type CodeKind = z.infer<typeof CodeKind>;
export const CODE_KIND_LABEL: Record<CodeKind, string> = { not_ready: 'Not-ready reasons', disposition: 'Wrap-up dispositions' };

const CodeFields = {
  code: z
    .string({ error: 'enter a code' })
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a code: lower-case letters, digits, dash, underscore (at most 32)'),
  label: z.string({ error: 'enter a label' }).trim().min(1, 'enter a label').max(60, 'at most 60 characters'),
  active: z.boolean(),
  position: z.number({ error: 'a position from 0 to 999' }).int().min(0, 'a position from 0 to 999').max(999, 'a position from 0 to 999'),
};

/** POST /api/admin/codes/:kind */
export const CodeCreate = z.object(CodeFields).strict();
export type CodeCreate = z.infer<typeof CodeCreate>;
/** PATCH /api/admin/codes/:kind/:id */
export const CodeUpdate = z.object({ ...CodeFields, version: Version }).strict();
export type CodeUpdate = z.infer<typeof CodeUpdate>;

export interface CodeRow extends CodeCreate {
  id: string;
  kind: CodeKind;
  version: number;
  updatedAt: number;
  updatedByName: string | null;
}
