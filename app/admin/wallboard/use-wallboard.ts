'use client';
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AgentView, CallView, ClientEvents, ServerEvents, WallboardSnapshot } from '@/server/contracts/socket-events';
import type { QueueTile } from '@/server/contracts/wallboard';
import { ask } from '../../_lib/cti-socket';

type PbSocket = Socket<ServerEvents, ClientEvents>;
export type Link = { kind: 'connecting' } | { kind: 'live' } | { kind: 'down'; reason: string };

/**
 * The wallboard's live data: `wallboard:subscribe` gives the tiles and the roster, then
 * `admin:queues` replaces the tiles and `admin:agent` / `admin:call` single rows. Every
 * (re)connection asks for the snapshot again, so a dropped socket never leaves stale figures.
 */
export function useWallboard() {
  const [link, setLink] = useState<Link>({ kind: 'connecting' });
  const [error, setError] = useState<string | null>(null);
  const [tiles, setTiles] = useState<QueueTile[] | null>(null);
  const [agents, setAgents] = useState<Map<string, AgentView>>(new Map());
  const [calls, setCalls] = useState<Map<string, CallView>>(new Map());

  useEffect(() => {
    const socket: PbSocket = io({ withCredentials: true });
    const apply = (s: WallboardSnapshot) => {
      setTiles(s.queues);
      setAgents(new Map(s.agents.map((a) => [a.operatorId, a])));
      setCalls(new Map(s.calls.filter((c) => c.status !== 'ended').map((c) => [c.callId, c])));
    };
    socket.on('connect', () => {
      void ask(socket, 'wallboard:subscribe', {}).then((res) => {
        if (!res.ok) return setError(res.error.message);
        setError(null);
        setLink({ kind: 'live' });
        apply(res.data);
      });
    });
    socket.on('disconnect', (reason) => setLink({ kind: 'down', reason }));
    socket.on('connect_error', (err) => setLink({ kind: 'down', reason: err.message }));
    socket.on('admin:queues', (t) => setTiles(t));
    socket.on('admin:agents', (list) =>
      setAgents((m) => {
        const next = new Map(m);
        for (const a of list) next.set(a.operatorId, a);
        return next;
      }),
    );
    // only live calls: the roster shows an operator's current call
    socket.on('admin:call', (c) =>
      setCalls((m) => {
        const next = new Map(m);
        if (c.status === 'ended') next.delete(c.callId);
        else next.set(c.callId, c);
        return next;
      }),
    );
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  return { link, error, tiles, agents, calls };
}
