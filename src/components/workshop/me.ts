// "Am I in a workshop?", asked once per page load. Lab pages never wait for it:
// on a static host, offline, or before joining, the answer is null and the
// course works exactly as it does without a workshop.
import { api, ApiError } from './api.ts';
import type { Me } from './types.ts';

export type SessionAnswer = { me: Me } | { me: null; reason: 'not_joined' | 'no_server' | 'unreachable' | 'error'; message: string };

let cached: Promise<SessionAnswer> | null = null;

export function workshopSession(refresh = false): Promise<SessionAnswer> {
  if (refresh) cached = null;
  return (cached ??= api<Me>('GET', '/me').then(
    (me) => ({ me }),
    (e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
      const reason = err.status === 401 ? 'not_joined' : err.code === 'no_server' || err.status === 404 ? 'no_server' : err.status === 0 ? 'unreachable' : 'error';
      return { me: null, reason, message: err.message };
    },
  ));
}

/** After joining or leaving on this page. */
export function setSession(me: Me | null): void {
  cached = Promise.resolve(me ? { me } : { me: null, reason: 'not_joined', message: '' });
}
