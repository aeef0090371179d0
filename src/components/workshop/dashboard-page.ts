// The instructor dashboard's controller: trades the link's token for the
// instructor cookie, loads the dashboard, keeps it live over server-sent events
// (refetching rather than patching, so it is always what the server says), and
// runs the instructor's actions.
import { LANG_TAG, pageLocale, translator } from '../../i18n/index.ts';
import { api, apiUrl, ApiError, localMessageOf } from './api.ts';
import { displayNames, inCourseOrder, pendingCount } from './dashboard-model.ts';
import { renderGrid, renderSticking, type ViewOptions } from './dashboard-view.ts';
import { say } from './element.ts';
import { credentialsFromFragment, credentialsFromLink, rememberCode, rememberedCode, scrubAddress, type InstructorCredentials } from './instructor-link.ts';
import { learnerDialog } from './learner-dialog.ts';
import { coalesce, watchEvents, type ConnectionState } from './live-events.ts';
import type { Dashboard } from './types.ts';

const PROJECTOR_KEY = 'closing-time:projector';

const locale = pageLocale();
const tr = translator(locale);
const shown = (e: unknown) => localMessageOf(e, tr, locale);

const LIVE_TEXT: Record<ConnectionState, string> = {
  connecting: tr('wsDash.liveConnecting'),
  live: tr('wsDash.liveLive'),
  reconnecting: tr('wsDash.liveReconnecting'),
  offline: tr('wsDash.liveOffline'),
};

const rootEl = document.querySelector<HTMLElement>('[data-dashboard]');
if (rootEl) init(rootEl);

function init(root: HTMLElement): void {
  const q = <T extends HTMLElement>(s: string) => root.querySelector<T>(s)!;
  const boot = q<HTMLElement>('[data-boot-status]');
  const authPanel = q<HTMLElement>('[data-auth-panel]');
  const authStatus = q<HTMLElement>('[data-auth-status]');
  const authForm = q<HTMLFormElement>('[data-auth-form]');
  const view = q<HTMLElement>('[data-view]');
  const actionStatus = q<HTMLElement>('[data-action-status]');
  const grid = q<HTMLTableElement>('[data-grid]');
  const gridEmpty = q<HTMLElement>('[data-grid-empty]');
  const sticking = q<HTMLElement>('[data-sticking]');
  const live = q<HTMLElement>('[data-live]');
  const projectorButton = q<HTMLButtonElement>('[data-projector]');
  const closeButton = q<HTMLButtonElement>('[data-toggle-closed]');
  const solutionsButton = q<HTMLButtonElement>('[data-toggle-solutions]');

  let code = '';
  let dashboard: Dashboard | null = null;
  let events: { close(): void } | null = null;
  let loading: Promise<void> | null = null;
  let again = false;
  let loadError = '';
  let projector = readProjector();
  const courseLabs = readCourseLabs(root);

  const viewOptions: ViewOptions = {
    locale,
    projector,
    allSticking: false,
    toggleSticking: () => {
      viewOptions.allSticking = !viewOptions.allSticking;
      draw();
    },
    openLearner: (id, lab) => void dialog.open(id, lab),
  };
  const nameOf = (id: string) => (dashboard ? displayNames(dashboard.learners, projector, locale).get(id) : undefined) ?? tr('wsDash.thisLearner');
  const dialog = learnerDialog(q<HTMLDialogElement>('[data-learner-dialog]'), {
    locale,
    code: () => code,
    dashboard: () => dashboard,
    nameOf,
    projector: () => projector,
    onRemoved: () => {
      say(actionStatus, tr('wsDash.removed'), 'ok');
      refresh();
    },
  });

  const showAuth = (message: string, tone: 'info' | 'bad' = 'bad') => {
    events?.close();
    events = null;
    view.hidden = true;
    boot.hidden = true;
    authPanel.hidden = false;
    say(authStatus, message, tone);
    (authForm.elements.namedItem('link') as HTMLInputElement).focus();
  };

  const draw = () => {
    if (!dashboard) return;
    const d = dashboard;
    viewOptions.projector = projector;
    root.classList.toggle('is-projector', projector);
    document.title = tr('wsDash.docTitle', { title: d.workshop.title });
    q<HTMLElement>('[data-title]').textContent = d.workshop.title;
    q<HTMLElement>('[data-join-code]').textContent = d.workshop.code;
    // The join address without the code: the room types the code, the address is for the eye.
    q<HTMLElement>('[data-join-url]').textContent = d.workshop.joinUrl.replace(/\?.*$/, '');
    const pill = q<HTMLElement>('[data-state-pill]');
    pill.textContent = tr(d.workshop.closed ? 'wsDash.pillClosed' : 'wsDash.pillOpen');
    pill.className = `ws-pill ws-pill--${d.workshop.closed ? 'closed' : 'open'}`;
    const pending = pendingCount(d);
    q<HTMLElement>('[data-counts]').textContent =
      tr(d.learners.length === 1 ? 'wsDash.learnersOne' : 'wsDash.learnersMany', { n: d.learners.length }) + (pending ? tr('wsDash.beingGraded', { n: pending }) : '');
    closeButton.textContent = tr(d.workshop.closed ? 'wsDash.reopen' : 'wsDash.close');
    solutionsButton.textContent = tr(d.workshop.solutions === false ? 'wsDash.solutionsHidden' : 'wsDash.solutionsShown');
    solutionsButton.setAttribute('aria-pressed', String(d.workshop.solutions !== false));
    renderSticking(sticking, d, viewOptions);
    // Redrawing replaces the grid's buttons: keep the keyboard focus where it was.
    const focused = document.activeElement?.closest<HTMLElement>('tr[data-learner] th, tr[data-learner] td[data-lab]');
    const focusKey = focused ? [focused.closest('tr')!.dataset.learner!, focused.dataset.lab ?? ''] : null;
    renderGrid(grid, gridEmpty, d, viewOptions);
    if (focusKey) {
      const row = grid.querySelector(`tr[data-learner="${CSS.escape(focusKey[0]!)}"]`);
      row?.querySelector<HTMLElement>(focusKey[1] ? `td[data-lab="${CSS.escape(focusKey[1])}"] button` : 'th button')?.focus();
    }
    dialog.relabel();
  };

  /** One dashboard fetch at a time; a refresh asked for meanwhile runs right after. */
  const load = (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const d = await api<Dashboard>('GET', `/workshops/${encodeURIComponent(code)}/dashboard${locale === 'en' ? '' : `?lang=${LANG_TAG[locale]}`}`);
        dashboard = { ...d, labs: inCourseOrder(d.labs, courseLabs) };
        loadError = '';
        if (actionStatus.dataset.tone === 'bad' && actionStatus.dataset.kind === 'refresh') say(actionStatus, '');
        draw();
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          // 401: this browser never signed in (no cookie); 403: its session was refused or has ended.
          showAuth(shown(e), e.status === 401 ? 'info' : 'bad');
          return;
        }
        loadError = shown(e);
        say(actionStatus, tr('wsDash.refreshFailed', { reason: loadError }), 'bad');
        actionStatus.dataset.kind = 'refresh';
      } finally {
        loading = null;
        if (again) {
          again = false;
          void load();
        }
      }
    })();
    return loading;
  };
  const refresh = coalesce(() => void load(), 300);

  const setLive = (state: ConnectionState) => {
    live.dataset.live = state;
    q<HTMLElement>('[data-live-text]').textContent = LIVE_TEXT[state];
  };

  const openDashboard = async (c: string): Promise<void> => {
    code = c;
    rememberCode(c);
    say(boot, tr('wsDash.loading'));
    dashboard = null;
    await load();
    if (!dashboard) {
      if (authPanel.hidden) say(boot, tr('wsDash.loadFailed', { reason: loadError }), 'bad');
      return;
    }
    boot.hidden = true;
    authPanel.hidden = true;
    view.hidden = false;
    q<HTMLAnchorElement>('[data-export="csv"]').href = apiUrl(`/workshops/${encodeURIComponent(c)}/export.csv`);
    q<HTMLAnchorElement>('[data-export="json"]').href = apiUrl(`/workshops/${encodeURIComponent(c)}/export.json`);
    events?.close();
    events = watchEvents(apiUrl(`/workshops/${encodeURIComponent(c)}/events`), { onChange: () => refresh(), onState: setLive });
  };

  /** Presents the token once; the server answers with the HttpOnly instructor cookie. */
  const signIn = async (creds: InstructorCredentials): Promise<void> => {
    say(boot, tr('wsDash.signingIn'));
    try {
      await api('POST', `/workshops/${encodeURIComponent(creds.code)}/instructor-session`, {}, { bearer: creds.token });
    } catch (e) {
      showAuth(shown(e));
      return;
    }
    await openDashboard(creds.code);
  };

  const start = () => {
    // The secret leaves the address bar (and this history entry) before anything else happens.
    const creds = credentialsFromFragment(location.hash);
    if (creds) {
      scrubAddress(creds.code);
      void signIn(creds);
      return;
    }
    const remembered = rememberedCode(location.search);
    if (remembered) {
      scrubAddress(remembered);
      void openDashboard(remembered);
    } else showAuth('');
  };

  authForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = authForm.elements.namedItem('link') as HTMLInputElement;
    const creds = credentialsFromLink(input.value);
    if (!creds) {
      say(authStatus, tr('wsDash.notALink'), 'bad');
      return;
    }
    input.value = '';
    scrubAddress(creds.code);
    authPanel.hidden = true;
    void signIn(creds);
  });

  // The link pasted into the address bar of an open dashboard only changes the fragment.
  window.addEventListener('hashchange', () => {
    if (credentialsFromFragment(location.hash)) start();
  });

  projectorButton.setAttribute('aria-pressed', String(projector));
  projectorButton.addEventListener('click', () => {
    projector = !projector;
    projectorButton.setAttribute('aria-pressed', String(projector));
    try {
      localStorage.setItem(PROJECTOR_KEY, projector ? '1' : '0');
    } catch {
      // remembered for this page only
    }
    draw();
  });

  closeButton.addEventListener('click', async () => {
    if (!dashboard) return;
    const closing = !dashboard.workshop.closed;
    if (closing && !confirm(tr('wsDash.closeConfirm'))) return;
    await act(closeButton, async () => {
      const r = await api<{ closed: boolean }>('POST', `/workshops/${encodeURIComponent(code)}/${closing ? 'close' : 'reopen'}`, {});
      return tr(r.closed ? 'wsDash.closedDone' : 'wsDash.reopenedDone');
    });
  });

  solutionsButton.addEventListener('click', async () => {
    if (!dashboard) return;
    const show = dashboard.workshop.solutions === false;
    await act(solutionsButton, async () => {
      const r = await api<{ solutions: boolean }>('POST', `/workshops/${encodeURIComponent(code)}/solutions`, { shown: show });
      return tr(r.solutions ? 'wsDash.solutionsShownDone' : 'wsDash.solutionsHiddenDone');
    });
  });

  q<HTMLButtonElement>('[data-regrade]').addEventListener('click', async (e) => {
    if (!confirm(tr('wsDash.regradeConfirm'))) return;
    await act(e.currentTarget as HTMLButtonElement, async () => {
      const r = await api<{ requeued: number }>('POST', `/workshops/${encodeURIComponent(code)}/regrade`, {});
      return tr(r.requeued === 1 ? 'wsDash.requeuedOne' : 'wsDash.requeuedMany', { n: r.requeued });
    });
  });

  const act = async (button: HTMLButtonElement, run: () => Promise<string>) => {
    button.disabled = true;
    try {
      say(actionStatus, await run(), 'ok');
      actionStatus.dataset.kind = 'action';
      refresh();
    } catch (err) {
      say(actionStatus, shown(err), 'bad');
      actionStatus.dataset.kind = 'action';
    } finally {
      button.disabled = false;
    }
  };

  // "2 min ago" ages without any event: redraw now and then.
  setInterval(() => {
    if (dashboard && document.visibilityState === 'visible') draw();
  }, 30_000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && dashboard) refresh();
  });

  start();
}

function readProjector(): boolean {
  try {
    return localStorage.getItem(PROJECTOR_KEY) === '1';
  } catch {
    return false;
  }
}

function readCourseLabs(root: ParentNode): { id: string; title: string }[] {
  try {
    const v = JSON.parse(root.ownerDocument!.querySelector('[data-course-labs]')?.textContent ?? '[]') as unknown;
    return Array.isArray(v) ? (v as { id: string; title: string }[]) : [];
  } catch {
    return [];
  }
}
