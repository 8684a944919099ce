'use client';
import type { ConnectionState } from '../lib/job-socket';
import { useNow } from '../lib/useNow';

const LABEL: Record<ConnectionState['status'], string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Live updates',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
};

/** The state of the live-update connection; while it reconnects, when it tries next and a way to try now. */
export function ConnectionBadge({
  connection,
  onReconnect,
}: {
  connection: ConnectionState;
  onReconnect: () => void;
}) {
  const waiting = connection.status === 'reconnecting' || connection.status === 'offline';
  const now = useNow(waiting && connection.retryAt !== null, 500);
  const seconds =
    connection.retryAt === null ? null : Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
  return (
    <div className={`connection connection--${connection.status}`} data-status={connection.status}>
      <span className="connection__dot" aria-hidden="true" />
      <span role="status" className="connection__label">
        {LABEL[connection.status]}
        {waiting && connection.attempt > 0 ? ` (attempt ${connection.attempt})` : ''}
      </span>
      {waiting && seconds !== null ? (
        <span className="connection__retry">next try in {seconds} s</span>
      ) : null}
      {waiting ? (
        <button type="button" className="button button--small" onClick={onReconnect}>
          Reconnect now
        </button>
      ) : null}
    </div>
  );
}
