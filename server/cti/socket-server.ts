import { AdminAgentBatch } from './admin-agent-batch';
import type { Server, Socket } from 'socket.io';
import type { Logger } from '../log';
import type { AuthUser, SessionResolver } from '../contracts/auth';
import { AppError, fieldErrors, toErrorResponse, type Response } from '../contracts/result';
import {
  CLIENT_EVENTS,
  ClientEventName,
  type ClientEvents,
  type ParsedRequestOf,
  type ReplyOf,
  type ServerEvents,
} from '../contracts/socket-events';
import type { CtiNotifier, CtiService } from './cti-service';

/**
 * The socket.io edge of the CTI. Handlers only authenticate, authorise, parse and call the
 * service; they never touch the database or SIP. Roles, payload schemas and ack types all come
 * from one map, CLIENT_EVENTS (server/contracts/socket-events.ts). Every client event:
 *   1. role check (wrong role → FORBIDDEN; checked first so callers learn nothing about payloads
 *      of events they may not send),
 *   2. zod parse of the payload (bad → BAD_REQUEST with field messages),
 *   3. the service call, whose AppError becomes the ack's error (anything else: INTERNAL, logged).
 * A missing ack callback or a payload of any shape never throws out of a handler.
 */

type CtiServer = Server<ClientEvents, ServerEvents>;
type CtiSocket = Socket<ClientEvents, ServerEvents>;

export const rooms = {
  operator: (operatorId: string) => `op:${operatorId}`,
  /** every socket of one person, whatever their role (to close them on deactivation) */
  user: (userId: string) => `user:${userId}`,
  admins: 'admins',
  /** admins and supervisors on the call history page */
  history: 'history',
} as const;

/** What the service answers for one event (some calls read the database, so maybe later). */
type Handler<E extends ClientEventName> = (req: ParsedRequestOf<E>) => ReplyOf<E> | Promise<ReplyOf<E>>;
type Handlers = { [E in ClientEventName]: Handler<E> };

export interface CtiSocketDeps {
  cti: CtiService;
  sessions: SessionResolver;
  logger: Logger;
}

/** The notifier the service is built with: its updates go to the operator's room and to admins. */
export function socketNotifier(io: CtiServer): CtiNotifier {
  const toAdmins = new AdminAgentBatch((views) => io.to(rooms.admins).emit('admin:agents', views));
  return {
    agentChanged(view) {
      io.to(rooms.operator(view.operatorId)).emit('agent:state', view);
      toAdmins.add(view);
    },
    callOffered(operatorId, offer) {
      io.to(rooms.operator(operatorId)).emit('call:offer', offer);
    },
    callChanged(view, operatorId) {
      if (operatorId) io.to(rooms.operator(operatorId)).emit('call:update', view);
      io.to(rooms.admins).emit('admin:call', view);
    },
    mobileChanged(operatorId, status) {
      // never to admins: an operator's number is theirs
      io.to(rooms.operator(operatorId)).emit('agent:mobile', status);
    },
    userRemoved(userId, _reason, by = 'administrator') {
      // an operator's last agent:state (offline) went out first; then the words for the pages, then the close
      io.to(rooms.user(userId)).emit('user:signed-out', { by });
      io.in(rooms.user(userId)).disconnectSockets(true);
    },
    monitorChanged(supervisorId, view) {
      io.to(rooms.user(supervisorId)).emit('monitor:state', view);
    },
    monitorMobileChanged(supervisorId, status) {
      io.to(rooms.user(supervisorId)).emit('monitor:mobile', status);
    },
    queuesChanged(tiles) {
      // local: each node's tiles are already the whole center's (queue-board.ts), and through the
      // Redis adapter every node's would reach every supervisor
      io.local.to(rooms.admins).emit('admin:queues', tiles);
    },
    historyStored(callIds) {
      io.to(rooms.history).emit('history:stored', { callIds });
    },
  };
}

export function attachCtiSockets(io: CtiServer, deps: CtiSocketDeps): void {
  const log = deps.logger.child({ part: 'cti', module: 'socket' });
  const users = new WeakMap<CtiSocket, AuthUser>();

  io.use((socket, next) => {
    deps.sessions.resolve(socket.handshake.headers.cookie).then(
      (user) => {
        if (!user) {
          log.info({ address: socket.handshake.address }, 'socket refused: no valid session');
          next(new Error('UNAUTHENTICATED'));
          return;
        }
        users.set(socket, user);
        next();
      },
      (err: unknown) => {
        log.error({ err }, 'session lookup failed');
        next(new Error('UNAVAILABLE'));
      },
    );
  });

  io.on('connection', (socket) => {
    const user = users.get(socket);
    if (!user) {
      socket.disconnect(true);
      return;
    }
    const slog = log.child(user.role === 'OPERATOR' ? { operatorId: user.id } : { userId: user.id, role: user.role });
    slog.info({ socketId: socket.id }, 'socket connected');
    void socket.join(rooms.user(user.id));

    if (user.role === 'OPERATOR') {
      void socket.join(rooms.operator(user.id));
      const view = deps.cti.operatorConnected(user);
      socket.emit('agent:state', view);
      socket.on('disconnect', (reason) => {
        slog.info({ reason }, 'operator socket disconnected');
        deps.cti.operatorDisconnected(user.id);
      });
    }

    const on = <E extends ClientEventName>(event: E, run: Handler<E>): void => {
      const { roles, request } = CLIENT_EVENTS[event];
      const name: ClientEventName = event;
      // Read as unknown: a client may send any shape, with or without an ack (socket.io hands
      // the ack as the last argument when the client asked for one).
      socket.on(name, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? last : null;
        const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
        const reply = (r: Response<ReplyOf<E>>) => {
          if (!ack) {
            slog.warn({ event }, 'event without an ack callback');
            return;
          }
          try {
            ack(r);
          } catch (err) {
            slog.error({ err, event }, 'ack threw');
          }
        };
        if (!roles.includes(user.role)) {
          slog.warn({ event, role: user.role }, 'forbidden event');
          reply({ ok: false, error: { code: 'FORBIDDEN', message: `${event} is not allowed for ${user.role}` } });
          return;
        }
        const parsed = request.safeParse(payload);
        if (!parsed.success) {
          reply({ ok: false, error: { code: 'BAD_REQUEST', message: `invalid ${event} payload`, fields: fieldErrors(parsed.error) } });
          return;
        }
        const fail = (err: unknown) => {
          if (err instanceof AppError) slog.info({ event, code: err.code, message: err.message }, 'event refused');
          else slog.error({ err, event }, 'event failed');
          reply(toErrorResponse(err));
        };
        try {
          const data = run(parsed.data);
          // some service calls read the database (the operator's mobile): answer when they settle
          if (data instanceof Promise) data.then((d) => reply({ ok: true, data: d }), fail);
          else reply({ ok: true, data });
        } catch (err) {
          fail(err);
        }
      });
    };

    const handlers: Handlers = {
      'agent:device': (req) => (req.kind === 'mobile' ? deps.cti.chooseMobile(user.id, req.e164) : req.kind === 'sip_phone' ? deps.cti.chooseSipPhone(user.id) : deps.cti.chooseDevice(user.id, req.kind)),
      'agent:mobile-status': () => deps.cti.mobileStatus(user.id),
      'agent:mobile-verify': (req) => deps.cti.verifyMobile(user.id, req.e164),
      'agent:ready': () => deps.cti.setReady(user.id),
      'agent:not-ready': (req) => deps.cti.setNotReady(user.id, req),
      'agent:codes': () => deps.cti.consoleCodes(user.id),
      'agent:wrap-up-extend': () => deps.cti.extendWrapUp(user.id),
      'agent:line': (req) => deps.cti.lineChanged(user.id, req.up),
      'call:notes': (req) => deps.cti.saveCallNotes(user.id, req),
      'call:history': (req) => deps.cti.callerHistory(user.id, req.callId),
      'call:record': (req) => deps.cti.setRecording(user.id, req.on),
      'call:hold': (req) => deps.cti.holdCall(user.id, req.callId, true),
      'call:resume': (req) => deps.cti.holdCall(user.id, req.callId, false),
      'call:mute': (req) => deps.cti.muteCall(user.id, req.callId, true),
      'call:unmute': (req) => deps.cti.muteCall(user.id, req.callId, false),
      'call:dtmf': (req) => deps.cti.sendDtmf(user.id, req.callId, req.digits),
      'call:transfer-targets': () => deps.cti.transferTargets(user.id),
      'call:transfer': (req) => deps.cti.transferCall(user.id, req.callId, req.to),
      'call:consult': (req) => deps.cti.consultCall(user.id, req.callId, req.number !== undefined ? { number: req.number } : req.operatorId!),
      'call:consult-swap': (req) => deps.cti.consultStep(user.id, req.callId, 'swap'),
      'call:consult-complete': (req) => deps.cti.consultStep(user.id, req.callId, 'complete'),
      'call:consult-cancel': (req) => deps.cti.consultStep(user.id, req.callId, 'cancel'),
      'call:conference': (req) => deps.cti.consultStep(user.id, req.callId, 'conference'),
      'call:dial': (req) => deps.cti.dialNumber(user.id, req.number),
      'admin:subscribe': () => {
        void socket.join(rooms.admins);
        return deps.cti.supervisionSnapshot();
      },
      'wallboard:subscribe': () => {
        void socket.join(rooms.admins);
        return deps.cti.wallboardSnapshot();
      },
      'history:subscribe': () => {
        void socket.join(rooms.history);
        return { subscribed: true as const };
      },
      'monitor:device': (req) => (req.kind === 'mobile' ? deps.cti.monitorMobile(user, req.e164) : deps.cti.monitorDevice(user, req.kind)),
      'monitor:mobile-verify': (req) => deps.cti.verifyMonitorMobile(user, req.e164),
      'monitor:mobile-status': () => deps.cti.monitorMobileStatus(user),
      'monitor:start': (req) => deps.cti.startMonitor(user, req.callId, req.mode),
      'monitor:mode': (req) => deps.cti.setMonitorMode(user, req.callId, req.mode),
      'monitor:stop': (req) => deps.cti.stopMonitor(user, req.callId),
      'supervisor:not-ready': (req) => deps.cti.supervisorNotReady(user, req.operatorId),
      'supervisor:sign-out': (req) => deps.cti.supervisorSignOut(user, req.operatorId),
    };
    // generic per event, so each handler keeps its own event's types (no union of handlers)
    const bind = <E extends ClientEventName>(event: E) => on(event, handlers[event]);
    ClientEventName.options.forEach(bind);
  });
}
