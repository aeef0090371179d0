// The admin page: keep the admin token for this tab, list workshops, create one
// and show its join code and (once) its instructor link.
import { href } from '../links.ts';
import { pageLocale, translator } from '../../i18n/index.ts';
import { api, ApiError, localMessageOf } from './api.ts';
import { copyText } from './copy-text.ts';
import { el, say } from './element.ts';
import { exactTime, relativeTime } from './relative-time.ts';
import type { CreatedWorkshop, WorkshopSummary } from './types.ts';

// sessionStorage, not localStorage: the token goes when the tab does, and other tabs never see it.
const TOKEN_KEY = 'closing-time:admin-token';

const locale = pageLocale();
const tr = translator(locale);
const shown = (e: unknown) => localMessageOf(e, tr, locale);

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // The token then lasts only as long as this page.
  }
}

export const joinUrlFor = (code: string) => `${location.origin}${href('/workshop/')}?code=${encodeURIComponent(code)}`;

const page = document.querySelector<HTMLElement>('[data-admin-page]');
if (page) init(page);

function init(root: HTMLElement): void {
  const q = <T extends HTMLElement>(s: string) => root.querySelector<T>(s)!;
  const tokenForm = q<HTMLFormElement>('[data-token-form]');
  const tokenFields = q<HTMLFieldSetElement>('[data-token-fields]');
  const tokenInput = tokenForm.elements.namedItem('token') as HTMLInputElement;
  const tokenStatus = q<HTMLElement>('[data-token-status]');
  const forget = q<HTMLButtonElement>('[data-forget]');
  const createCard = q<HTMLElement>('[data-create-card]');
  const createForm = q<HTMLFormElement>('[data-create-form]');
  const titleInput = createForm.elements.namedItem('title') as HTMLInputElement;
  const createStatus = q<HTMLElement>('[data-create-status]');
  const listCard = q<HTMLElement>('[data-list-card]');
  const listBody = q<HTMLElement>('[data-list] tbody');
  const listEmpty = q<HTMLElement>('[data-list-empty]');
  let token = storedToken();

  const signedIn = (on: boolean) => {
    createCard.hidden = !on;
    listCard.hidden = !on;
    forget.hidden = !on;
  };

  const loadList = async (): Promise<boolean> => {
    try {
      const { workshops } = await api<{ workshops: WorkshopSummary[] }>('GET', '/workshops', undefined, { bearer: token });
      const sorted = [...workshops].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      listBody.replaceChildren(
        ...sorted.map((w) =>
          el(
            'tr',
            { 'data-code': w.code },
            el('td', { class: 'ws-mono' }, w.code),
            el('td', {}, w.title),
            el('td', { title: exactTime(w.createdAt, locale) }, relativeTime(w.createdAt, undefined, locale)),
            el('td', { class: 'ws-num' }, w.learners),
            el('td', { class: 'ws-num' }, w.submissions),
            el('td', {}, el('span', { class: `ws-pill ws-pill--${w.closed ? 'closed' : 'open'}` }, tr(w.closed ? 'wsAdmin.stateClosed' : 'wsAdmin.stateOpen'))),
          ),
        ),
      );
      listEmpty.hidden = sorted.length > 0;
      return true;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        storeToken(null);
        token = '';
        signedIn(false);
        say(tokenStatus, tr('wsAdmin.refused', { reason: shown(e) }), 'bad');
        tokenInput.focus();
      } else say(tokenStatus, shown(e), 'bad');
      return false;
    }
  };

  tokenForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = tokenInput.value.trim();
    if (!t) {
      say(tokenStatus, tr('wsAdmin.pasteFirst'), 'bad');
      return;
    }
    token = t;
    say(tokenStatus, tr('wsAdmin.checking'));
    if (await loadList()) {
      storeToken(t);
      tokenInput.value = '';
      tokenInput.placeholder = tr('wsAdmin.inUse');
      signedIn(true);
      say(tokenStatus, tr('wsAdmin.accepted'), 'ok');
      titleInput.focus();
    }
  });

  forget.addEventListener('click', () => {
    storeToken(null);
    token = '';
    tokenInput.placeholder = '';
    signedIn(false);
    q<HTMLElement>('[data-created]').hidden = true;
    say(tokenStatus, tr('wsAdmin.forgotten'), 'ok');
  });

  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const title = titleInput.value.trim();
    if (!title) {
      say(createStatus, tr('wsAdmin.needTitle'), 'bad');
      titleInput.focus();
      return;
    }
    const button = createForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    button.disabled = true;
    say(createStatus, '');
    try {
      const w = await api<CreatedWorkshop>('POST', '/workshops', locale === 'en' ? { title } : { title, lang: locale }, { bearer: token });
      showCreated(w);
      titleInput.value = '';
      void loadList();
    } catch (err) {
      say(createStatus, shown(err), 'bad');
    } finally {
      button.disabled = false;
    }
  });

  const showCreated = (w: CreatedWorkshop) => {
    const box = q<HTMLElement>('[data-created]');
    q<HTMLElement>('[data-created-title]').textContent = w.title;
    q<HTMLElement>('[data-created-code]').textContent = w.code;
    const join = q<HTMLAnchorElement>('[data-created-join]');
    const joinUrl = w.joinUrl ?? joinUrlFor(w.code);
    join.href = joinUrl;
    join.textContent = joinUrl;
    q<HTMLInputElement>('[data-created-link]').value = w.instructorUrl;
    q<HTMLAnchorElement>('[data-open]').href = w.instructorUrl;
    say(q<HTMLElement>('[data-copy-status]'), '');
    box.hidden = false;
  };

  q<HTMLButtonElement>('[data-copy]').addEventListener('click', async () => {
    const field = q<HTMLInputElement>('[data-created-link]');
    const ok = await copyText(field.value, field);
    say(q<HTMLElement>('[data-copy-status]'), tr(ok ? 'wsAdmin.copied' : 'wsAdmin.copyFailed'), ok ? 'ok' : 'bad');
  });

  q<HTMLButtonElement>('[data-reload]').addEventListener('click', () => void loadList());

  tokenFields.disabled = false;
  if (token) {
    tokenInput.placeholder = tr('wsAdmin.inUse');
    void loadList().then((ok) => signedIn(ok));
  } else tokenInput.focus({ preventScroll: true });
}
