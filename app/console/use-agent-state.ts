'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentView } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';

/**
 * The operator's state as the CTI pushes it, and the Ready / Not ready (with a reason) / more
 * wrap-up time requests. The CTI decides every state; the console only asks and shows the answer.
 */
export function useAgentState(socket: CtiSocket | null, lineDown: boolean) {
  const [agent, setAgent] = useState<AgentView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!socket) return;
    socket.on('agent:state', setAgent);
    return () => {
      socket.off('agent:state', setAgent);
    };
  }, [socket]);

  const state = agent?.state;
  const setReady = useCallback(
    async (ready: boolean, code?: string) => {
      setError(null);
      const r = ready ? await ask(socket, 'agent:ready', {}) : await ask(socket, 'agent:not-ready', code ? { code } : {});
      if (r.ok) setAgent(r.data);
      // the state machine's refusal names its events and states: say it in the buttons' words
      else if (r.error.code === 'ILLEGAL_TRANSITION') setError(state === (ready ? 'ready' : 'not_ready') ? `You are already ${ready ? 'Ready' : 'Not ready'}.` : 'That change is not possible right now.');
      else setError(r.error.message);
      return r.ok;
    },
    [socket, state],
  );

  const extendWrapUp = useCallback(async () => {
    setError(null);
    const r = await ask(socket, 'agent:wrap-up-extend', {});
    if (r.ok) setAgent(r.data);
    else setError(r.error.code === 'ILLEGAL_TRANSITION' ? 'Your wrap-up is already over.' : r.error.message);
  }, [socket]);

  // A device that cannot ring must not be offered calls: the console tells the CTI (which
  // decides) whenever this browser's line goes down or comes back, and again on each reconnect
  // to it (a restarted CTI knows nothing of the line). Down while Ready makes them Not ready;
  // down in wrap-up, Not ready when it ends. Say so when it happens.
  const stateRef = useRef(state);
  stateRef.current = state;
  const onBrowser = agent?.device === 'browser';
  useEffect(() => {
    if (!socket || !onBrowser) return;
    const report = () => {
      const before = stateRef.current;
      void ask(socket, 'agent:line', { up: !lineDown }).then((r) => {
        if (!r.ok) return;
        setAgent(r.data);
        if (lineDown && before === 'ready' && r.data.state === 'not_ready') setError('Your phone line dropped, so you were set to Not ready. When it is back, press Ready.');
      });
    };
    report();
    socket.on('connect', report);
    return () => {
      socket.off('connect', report);
    };
  }, [lineDown, onBrowser, socket]);

  return { agent, error, setReady, extendWrapUp };
}
