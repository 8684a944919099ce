'use client';
/** React binding of JobSocket: one connection per URL, its state as React state. */
import { useEffect, useRef, useState } from 'react';
import { type ConnectionState, JobSocket, type JobSocketOptions } from './job-socket';

const IDLE: ConnectionState = { status: 'idle', attempt: 0, retryAt: null, lastMessageAt: null };

export function useJobSocket(
  url: string | null,
  options: Omit<JobSocketOptions, 'url'> = {},
): { socket: JobSocket | null; connection: ConnectionState } {
  // Options are read once per connection: a new object each render must not reconnect.
  const optionsRef = useRef(options);
  const [socket, setSocket] = useState<JobSocket | null>(null);
  const [connection, setConnection] = useState<ConnectionState>(IDLE);

  useEffect(() => {
    if (url === null) return;
    const created = new JobSocket({ ...optionsRef.current, url });
    const off = created.onStateChange((state) => setConnection(state));
    setSocket(created);
    created.connect();
    return () => {
      off();
      created.close();
      setSocket(null);
      setConnection(IDLE);
    };
  }, [url]);

  return { socket, connection };
}
