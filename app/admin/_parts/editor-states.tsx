import { PageFrame, Banner } from './page-frame';

/** What an editor page shows before its object is there: the load error, or "Loading…". */
export function EditorPending({ title, error }: { title: string; error: string | null }) {
  return <PageFrame title={title}>{error ? <Banner>{error}</Banner> : <p className="text-muted">Loading…</p>}</PageFrame>;
}
