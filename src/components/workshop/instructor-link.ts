// The instructor link carries its secret in the URL fragment
// (…/workshop/instructor/#code=KX7P-QM4W&token=…), which browsers never send to
// a server or put in a Referer. The dashboard reads it once, removes it from the
// address bar and history, trades the token for an HttpOnly cookie, and from then
// on only the code (not a secret) is kept, in ?code= and sessionStorage.
import { normalizeJoinCode } from './join-code.ts';

export interface InstructorCredentials {
  code: string;
  token: string;
}

/** The code and token in a fragment such as '#code=KX7P-QM4W&token=abc'; null when either is missing. */
export function credentialsFromFragment(hash: string): InstructorCredentials | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const code = normalizeJoinCode(params.get('code') ?? '');
  const token = (params.get('token') ?? '').trim();
  return code && token ? { code, token } : null;
}

/** The credentials in a pasted instructor link (the whole URL, or only its fragment). */
export function credentialsFromLink(text: string): InstructorCredentials | null {
  const t = text.trim();
  const i = t.indexOf('#');
  return i < 0 ? null : credentialsFromFragment(t.slice(i));
}

const CODE_KEY = 'closing-time:instructor-code';

/** The workshop this tab was last the instructor of: ?code= first, then this tab's storage. */
export function rememberedCode(search: string): string | null {
  const fromQuery = normalizeJoinCode(new URLSearchParams(search).get('code') ?? '');
  if (fromQuery) return fromQuery;
  try {
    return normalizeJoinCode(sessionStorage.getItem(CODE_KEY) ?? '');
  } catch {
    return null;
  }
}

export function rememberCode(code: string): void {
  try {
    sessionStorage.setItem(CODE_KEY, code);
  } catch {
    // Without storage, ?code= in the address still finds the workshop after a reload.
  }
}

/**
 * Replaces the address with one that holds no secret: the same page, `?code=`
 * only. replaceState also rewrites the current history entry, so Back does
 * not bring the token back either.
 */
export function scrubAddress(code: string | null): void {
  const url = new URL(location.href);
  url.hash = '';
  url.search = code ? `?code=${encodeURIComponent(code)}` : '';
  history.replaceState(null, '', url.pathname + url.search);
}
