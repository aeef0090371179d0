// The browser's side of the workshop HTTP API: same-origin JSON requests with
// the session cookies, errors turned into ApiError carrying the server's
// message (which is what people are shown), and Retry-After kept for 429s.
import { catalogues, type Locale, type UiKey } from '../../i18n/index.ts';
import { href } from '../links.ts';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** The server's machine-readable code ('not_joined', 'closed', ...). */
    readonly code: string,
    message: string,
    /** Seconds from Retry-After (429, 503), when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const apiUrl = (path: string) => href(`/api${path.startsWith('/') ? path : `/${path}`}`);

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const n = Number(value.trim());
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface RequestOptions {
  /** A secret presented once (admin token, instructor token); never put in a URL. */
  bearer?: string;
  signal?: AbortSignal;
}

/**
 * One API call. State-changing calls always send a JSON body (`{}` when there
 * is nothing to say): the server accepts only application/json there, which
 * with SameSite cookies is what stops cross-site form posts.
 */
export async function api<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'The workshop server cannot be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  // A static host without the workshop server answers /api/ with its HTML 404 page.
  const data: unknown = type.includes('application/json') ? await res.json().catch(() => null) : null;
  if (res.ok && data !== null) return data as T;
  const err = (data ?? {}) as { error?: unknown; message?: unknown };
  const code = typeof err.error === 'string' ? err.error : data === null ? 'no_server' : 'http_error';
  const message =
    typeof err.message === 'string' && err.message
      ? err.message
      : code === 'no_server'
        ? 'This copy of the course runs without a workshop server.'
        : `The server answered ${res.status} ${res.statusText}.`;
  throw new ApiError(res.status, code, message, retryAfterSeconds(res.headers.get('retry-after')));
}

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * What a workshop page shows for an error, in the page's language: a known API
 * error code by the page's catalogue, anything else as the server worded it.
 */
export function localMessageOf(e: unknown, tr: (key: UiKey) => string, locale: Locale): string {
  if (locale !== 'en' && e instanceof ApiError) {
    const key = `wsError.${e.code}`;
    if (key in catalogues.en) return tr(key as UiKey);
  }
  return messageOf(e);
}
