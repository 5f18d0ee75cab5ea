'use client';
import { useEffect, useRef, useState } from 'react';
import type { CallView } from '@/server/contracts/socket-events';
import type { useCallControls } from './use-call-controls';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
type Controls = ReturnType<typeof useCallControls>;

/** A key typed anywhere but in a text field (shortcuts must not eat the operator's notes). */
function isTyping(t: EventTarget | null): boolean {
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

/**
 * Hold, Mute, Keypad and Transfer for the answered call, with keyboard shortcuts (H, M, K, T;
 * digits while the keypad is open; Esc closes it). Each disabled button says why in its tooltip.
 */
export function CallControls(props: { view: CallView | null; controls: Controls }) {
  const { view, controls } = props;
  const [open, setOpen] = useState<'keypad' | 'transfer' | null>(null);
  const [sent, setSent] = useState('');
  const answered = view?.status === 'connected' || view?.status === 'held';
  const held = view?.status === 'held';
  const muted = view?.muted ?? false;
  const notYet = !answered ? 'Answer the call first' : controls.busy ? 'Wait a moment: your last request is being carried out' : null;
  const keypadWhy = notYet ?? (held ? 'Take the call off hold to use the keypad' : null);
  const consulting = view?.consult ? 'Finish or cancel the consultation first' : null;

  // fresh state per call
  const callId = view?.callId ?? null;
  useEffect(() => {
    setOpen(null);
    setSent('');
  }, [callId]);

  const act = useRef({ hold: () => {}, mute: () => {}, keypad: () => {}, transfer: () => {}, digit: (_d: string) => {}, close: () => {} });
  act.current = {
    hold: () => !notYet && !consulting && void controls.hold(!held),
    mute: () => !notYet && void controls.mute(!muted),
    keypad: () => !keypadWhy && setOpen((o) => (o === 'keypad' ? null : 'keypad')),
    transfer: () => {
      if (notYet || consulting) return;
      setOpen((o) => (o === 'transfer' ? null : 'transfer'));
      if (open !== 'transfer') void controls.loadTargets();
    },
    digit: (d) => {
      if (keypadWhy) return;
      setSent((s) => (s + d).slice(-24));
      void controls.dtmf(d);
    },
    close: () => setOpen(null),
  };

  useEffect(() => {
    if (!answered) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const k = e.key;
      if (open === 'keypad' && (KEYS as readonly string[]).includes(k)) act.current.digit(k);
      else if (k === 'h' || k === 'H') act.current.hold();
      else if (k === 'm' || k === 'M') act.current.mute();
      else if (k === 'k' || k === 'K') act.current.keypad();
      else if (k === 't' || k === 'T') act.current.transfer();
      else if (k === 'Escape') act.current.close();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [answered, open]);

  if (!view || view.status === 'ended') return null;
  return (
    <div className="call-controls" data-testid="call-controls">
      {held && (
        <p className="alert alert-info hold-note" role="status" data-testid="call-held">
          The caller is on hold and hears music. They cannot hear you.
        </p>
      )}
      {muted && (
        <p className="alert alert-info hold-note" role="status" data-testid="call-muted">
          You are muted: the caller hears silence. You still hear them.
        </p>
      )}
      <div className="btn-row">
        <button type="button" className={`btn ${held ? 'btn-primary' : 'btn-quiet'}`} aria-pressed={held} onClick={() => act.current.hold()} disabled={(notYet ?? consulting) !== null} title={notYet ?? consulting ?? (held ? 'Take the caller back (H)' : 'Put the caller on hold: they hear music (H)')} data-testid="call-hold">
          {held ? 'Resume' : 'Hold'} <kbd>H</kbd>
        </button>
        <button type="button" className={`btn ${muted ? 'btn-primary' : 'btn-quiet'}`} aria-pressed={muted} onClick={() => act.current.mute()} disabled={notYet !== null} title={notYet ?? (muted ? 'Let the caller hear you again (M)' : 'The caller hears silence; you still hear them (M)')} data-testid="call-mute">
          {muted ? 'Unmute' : 'Mute'} <kbd>M</kbd>
        </button>
        <button type="button" className={`btn ${open === 'keypad' ? 'btn-primary' : 'btn-quiet'}`} aria-expanded={open === 'keypad'} onClick={() => act.current.keypad()} disabled={keypadWhy !== null} title={keypadWhy ?? 'Send keypad tones to the caller’s side, e.g. to answer a phone menu (K)'} data-testid="call-keypad">
          Keypad <kbd>K</kbd>
        </button>
        <button type="button" className={`btn ${open === 'transfer' ? 'btn-primary' : 'btn-quiet'}`} aria-expanded={open === 'transfer'} onClick={() => act.current.transfer()} disabled={(notYet ?? consulting) !== null} title={notYet ?? consulting ?? 'Hand the caller to another operator or a queue (T)'} data-testid="call-transfer">
          Transfer <kbd>T</kbd>
        </button>
      </div>
      {controls.error && (
        <p className="alert alert-error" role="alert" data-testid="call-control-error">
          {controls.error}
        </p>
      )}
      {open === 'keypad' && (
        <div className="keypad" role="group" aria-label="Keypad" data-testid="keypad">
          <output className="keypad-sent num" aria-live="polite" data-testid="keypad-sent">
            {sent || 'Press keys to send them to the caller’s side'}
          </output>
          <div className="keypad-keys">
            {KEYS.map((k) => (
              <button key={k} type="button" className="btn btn-quiet" onClick={() => act.current.digit(k)} disabled={keypadWhy !== null} title={keypadWhy ?? `Send ${k}`} data-testid={`keypad-${k === '*' ? 'star' : k === '#' ? 'hash' : k}`}>
                {k}
              </button>
            ))}
          </div>
        </div>
      )}
      {view.consult && <ConsultPanel view={view} controls={controls} />}
      {open === 'transfer' && !view.consult && <TransferPicker controls={controls} onDone={() => setOpen(null)} />}
    </div>
  );
}

function TransferPicker(props: { controls: Controls; onDone: () => void }) {
  const { controls } = props;
  const t = controls.targets;
  const go = async (to: Parameters<Controls['transfer']>[0], label: string) => {
    if (await controls.transfer(to, label)) props.onDone();
  };
  return (
    <div className="transfer-picker" role="group" aria-label="Transfer the call" data-testid="transfer-picker">
      <div className="transfer-head">
        <h3>Transfer to</h3>
        <button type="button" className="btn btn-quiet" onClick={() => void controls.loadTargets()} title="See who is Ready now">
          Refresh
        </button>
      </div>
      {!t ? (
        <p className="muted" role="status">
          Looking for who is Ready…
        </p>
      ) : (
        <>
          <h4>Operators who are Ready</h4>
          {t.operators.length === 0 ? (
            <p className="muted" data-testid="transfer-no-operators">
              Nobody else is Ready right now. Choose a queue, or press Refresh in a moment.
            </p>
          ) : (
            <ul className="transfer-list">
              {t.operators.map((o) => (
                <li key={o.operatorId} className="transfer-choice">
                  <button type="button" className="btn btn-quiet" disabled={controls.busy !== null} onClick={() => void go({ kind: 'operator', operatorId: o.operatorId }, o.name)} title={`Hand the caller to ${o.name} now`} data-testid="transfer-operator" data-operator={o.operatorId}>
                    {o.name}
                  </button>
                  <button
                    type="button"
                    className="btn btn-quiet"
                    disabled={controls.busy !== null}
                    onClick={() => void controls.consult(o.operatorId).then((ok) => ok && props.onDone())}
                    title={`Talk to ${o.name} first; the caller waits on hold`}
                    data-testid="consult-operator"
                    data-operator={o.operatorId}
                  >
                    Talk first
                  </button>
                </li>
              ))}
            </ul>
          )}
          <h4>An outside number</h4>
          {t.numbers ? <NumberTransfer controls={controls} onGo={go} onDone={props.onDone} /> : <p className="small muted">Calls to outside numbers are not set up here.</p>}
          <h4>Queues</h4>
          <p className="small muted">The caller waits first in line, with music.</p>
          <ul className="transfer-list">
            {t.queues.map((q) => (
              <li key={q.id}>
                <button type="button" className="btn btn-quiet" disabled={controls.busy !== null} onClick={() => void go({ kind: 'queue', queueId: q.id }, q.name)} data-testid="transfer-queue" data-queue={q.id}>
                  {q.name}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** An outside number, typed in international form (the CTI checks it again): hand the caller over, or talk to it first. */
function NumberTransfer(props: { controls: Controls; onGo: (to: { kind: 'number'; e164: string }, label: string) => Promise<void>; onDone: () => void }) {
  const [number, setNumber] = useState('');
  const clean = number.replace(/[\s.-]/g, '');
  const why = /^\+[1-9]\d{6,14}$/.test(clean) ? null : 'Enter the number in international form, e.g. +447700900123';
  return (
    <form
      className="transfer-number"
      onSubmit={(e) => {
        e.preventDefault();
        if (!why) void props.onGo({ kind: 'number', e164: clean }, clean);
      }}
    >
      <label htmlFor="transfer-number">Number</label>
      <input id="transfer-number" className="input num" inputMode="tel" autoComplete="off" placeholder="+447700900123" value={number} onChange={(e) => setNumber(e.target.value)} data-testid="transfer-number" />
      <button type="submit" className="btn btn-quiet" disabled={why !== null || props.controls.busy !== null} title={why ?? 'Hand the caller to this number'} data-testid="transfer-number-go">
        Transfer
      </button>
      <button
        type="button"
        className="btn btn-quiet"
        disabled={why !== null || props.controls.busy !== null}
        title={why ?? 'Call this number first; the caller waits on hold'}
        onClick={() => void props.controls.consult({ number: clean }).then((ok) => ok && props.onDone())}
        data-testid="transfer-number-consult"
      >
        Talk first
      </button>
    </form>
  );
}

const CONSULT_TEXT = {
  dialing: (n: string) => `Ringing ${n}… The caller is on hold.`,
  consulting: (n: string) => `You are talking to ${n}. The caller is on hold.`,
  swapped: (n: string) => `You are back with the caller. ${n} is on hold.`,
  conference: (n: string) => `Three-way call: you, the caller and ${n} hear each other.`,
} as const;

/** While consulting a second operator or an outside number: complete the transfer, swap, make it three-way, or cancel. */
function ConsultPanel(props: { view: CallView; controls: Controls }) {
  const k = props.view.consult!;
  const { controls } = props;
  const waiting = k.state === 'dialing' ? `${k.name} has not answered yet` : null;
  const busy = controls.busy ? 'Wait a moment: your last request is being carried out' : null;
  return (
    <div className="transfer-picker consult-panel" role="group" aria-label="Consultation" data-testid="consult-panel" data-state={k.state}>
      <p className="consult-state" role="status" data-testid="consult-state">
        {CONSULT_TEXT[k.state](k.name)}
      </p>
      <div className="btn-row">
        <button type="button" className="btn btn-primary" disabled={!!(waiting ?? busy)} title={waiting ?? busy ?? `The caller goes to ${k.name}; you wrap up`} onClick={() => void controls.consultStep('complete', k.name)} data-testid="consult-complete">
          Complete transfer
        </button>
        <button type="button" className="btn btn-quiet" disabled={!!(waiting ?? busy ?? (k.state === 'conference' ? 'Everyone hears each other already' : null))} title={waiting ?? busy ?? (k.state === 'conference' ? 'Everyone hears each other already' : k.state === 'swapped' ? `Back to ${k.name}; the caller waits on hold` : `Back to the caller; ${k.name} waits on hold`)} onClick={() => void controls.consultStep('swap', k.name)} data-testid="consult-swap">
          {k.state === 'swapped' ? `Back to ${k.name}` : 'Back to the caller'}
        </button>
        <button type="button" className="btn btn-quiet" disabled={!!(waiting ?? busy ?? (k.state === 'conference' ? 'This is already a three-way call' : null))} title={waiting ?? busy ?? (k.state === 'conference' ? 'This is already a three-way call' : `You, the caller and ${k.name} all hear each other`)} onClick={() => void controls.consultStep('conference', k.name)} data-testid="consult-conference">
          Three-way call
        </button>
        <button type="button" className="btn btn-quiet" disabled={!!busy} title={busy ?? `Let ${k.name} go; you stay with the caller`} onClick={() => void controls.consultStep('cancel', k.name)} data-testid="consult-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}
