// The dashboard's live feed: the workshop's server-sent events, with the state of
// the connection for the indicator. EventSource reconnects by itself after a
// network error; when the server refuses the stream (a 401 once the instructor
// cookie expired, a restart answering 503) it gives up, so we retry with back-off.

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveHandlers {
  /** Something changed (or may have, while we were disconnected): refetch. */
  onChange(kind: string): void;
  onState(state: ConnectionState): void;
}

export const EVENT_KINDS = ['submission', 'learner', 'workshop'] as const;

export function watchEvents(url: string, handlers: LiveHandlers): { close(): void } {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let delay = 1000;
  let closed = false;
  let everOpen = false;
  // The browser retries a dropped stream every few seconds, staying "connecting"
  // meanwhile; after a while without success the indicator says offline.
  let offlineTimer: ReturnType<typeof setTimeout> | null = null;
  const clearOffline = () => {
    if (offlineTimer) clearTimeout(offlineTimer);
    offlineTimer = null;
  };

  const connect = () => {
    if (closed) return;
    handlers.onState(everOpen ? 'reconnecting' : 'connecting');
    const es = new EventSource(url);
    source = es;
    es.addEventListener('open', () => {
      delay = 1000;
      clearOffline();
      handlers.onState('live');
      // Events sent while we were away are lost: one refetch brings the page up to date.
      if (everOpen) handlers.onChange('reconnect');
      everOpen = true;
    });
    for (const kind of EVENT_KINDS) es.addEventListener(kind, () => handlers.onChange(kind));
    es.addEventListener('error', () => {
      if (closed) return;
      if (es.readyState === EventSource.CONNECTING) {
        if (!offlineTimer) {
          handlers.onState('reconnecting');
          offlineTimer = setTimeout(() => handlers.onState('offline'), 8000);
        }
        return;
      }
      clearOffline();
      // CLOSED: the server refused the stream (an ended session answers 401) and the
      // browser will not try again on its own. A refetch finds out why.
      es.close();
      handlers.onState('offline');
      handlers.onChange('refused');
      retry = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  connect();
  return {
    close() {
      closed = true;
      clearOffline();
      if (retry) clearTimeout(retry);
      source?.close();
    },
  };
}

/**
 * Calls `fn` once things have been quiet for `quietMs`, but at least every
 * `maxWaitMs` while events keep coming, so a busy room still refreshes.
 */
export function coalesce(fn: () => void, quietMs = 300, maxWaitMs = 1500): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first = 0;
  return () => {
    const now = Date.now();
    if (timer === null) first = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(quietMs, first + maxWaitMs - now));
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, wait);
  };
}
