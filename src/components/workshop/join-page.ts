// The join page: the form, the "you are in …" view with the server's grades,
// and Leave. Everything from the server is written as text.
import { api, ApiError, localMessageOf } from './api.ts';
import { pageLocale, translator } from '../../i18n/index.ts';
import { say } from './element.ts';
import { joinCodeProblem, normalizeJoinCode } from './join-code.ts';
import { setSession, workshopSession } from './me.ts';
import { relativeTime } from './relative-time.ts';
import { points } from './dashboard-model.ts';
import type { JoinResponse, Me, MySubmissions } from './types.ts';

/** The page's edition (<html lang>) and its strings. */
const locale = pageLocale();
const tr = translator(locale);
const shown = (e: unknown) => localMessageOf(e, tr, locale);

const page = document.querySelector<HTMLElement>('[data-join-page]');
if (page) init(page);

function init(root: HTMLElement): void {
  const q = <T extends HTMLElement>(s: string) => root.querySelector<T>(s)!;
  const meStatus = q<HTMLElement>('[data-me-status]');
  const joinPanel = q<HTMLElement>('[data-join-panel]');
  const joinedPanel = q<HTMLElement>('[data-joined-panel]');
  const form = q<HTMLFormElement>('[data-join-form]');
  const fields = q<HTMLFieldSetElement>('[data-join-fields]');
  const codeInput = form.elements.namedItem('code') as HTMLInputElement;
  const nameInput = form.elements.namedItem('name') as HTMLInputElement;
  const joinError = q<HTMLElement>('[data-join-error]');
  const joinedError = q<HTMLElement>('[data-joined-error]');
  const rows = [...root.querySelectorAll<HTMLTableRowElement>('[data-my-labs] tbody tr')];
  let me: Me | null = null;
  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  // A join link (…/workshop/?code=KX7P-QM4W) fills the code in.
  const linked = normalizeJoinCode(new URLSearchParams(location.search).get('code') ?? '');
  if (linked) codeInput.value = linked;

  const showForm = () => {
    me = null;
    joinedPanel.hidden = true;
    joinPanel.hidden = false;
    fields.disabled = false;
    (codeInput.value ? nameInput : codeInput).focus({ preventScroll: true });
  };

  const showJoined = (m: Me) => {
    me = m;
    joinPanel.hidden = true;
    joinedPanel.hidden = false;
    q<HTMLElement>('[data-workshop-title]').textContent = m.workshop.title;
    q<HTMLElement>('[data-learner-name]').textContent = m.name;
    q<HTMLElement>('[data-closed-note]').hidden = !m.workshop.closed;
    say(joinedError, '');
    void loadGrades();
  };

  const loadGrades = async () => {
    if (pollTimer) clearTimeout(pollTimer);
    try {
      const { labs } = await api<MySubmissions>('GET', '/me/submissions');
      let pending = false;
      for (const row of rows) {
        const s = labs[row.dataset.lab!];
        const cell = (name: string) => row.querySelector<HTMLElement>(`[data-cell="${name}"]`)!;
        row.dataset.progress = !s || s.attempts === 0 ? 'none' : s.max > 0 && s.best >= s.max ? 'done' : s.best > 0 ? 'partial' : 'started';
        cell('best').textContent = s && s.attempts > 0 ? `${points(s.best)}/${points(s.max || Number(row.dataset.max))}` : '–';
        cell('attempts').textContent = String(s?.attempts ?? 0);
        const last = s?.last;
        if (!last) cell('last').textContent = tr('wsJoin.notChecked');
        else if (last.status !== 'done') {
          pending = true;
          cell('last').textContent = last.status === 'queued' ? tr('wsJoin.waiting') : tr('wsJoin.grading');
        } else cell('last').textContent = `${points(last.score ?? 0)}/${points(last.max_score ?? s.max)}${locale === 'en' ? ', ' : '，'}${relativeTime(last.createdAt, undefined, locale)}`;
      }
      // The grader is usually a few seconds behind: look again until it has caught up.
      if (pending) pollTimer = setTimeout(() => void loadGrades(), 3000);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setSession(null);
        say(meStatus, tr('wsJoin.removed'), 'bad');
        showForm();
        return;
      }
      say(joinedError, tr('wsJoin.gradesFailed', { reason: shown(e) }), 'bad');
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    say(joinError, '');
    const problem = joinCodeProblem(codeInput.value, tr);
    if (problem) {
      say(joinError, problem, 'bad');
      codeInput.focus();
      return;
    }
    const name = nameInput.value.trim();
    if (!name) {
      say(joinError, tr('wsJoin.nameMissing'), 'bad');
      nameInput.focus();
      return;
    }
    const code = normalizeJoinCode(codeInput.value)!;
    codeInput.value = code;
    fields.disabled = true;
    try {
      const joined = await api<JoinResponse>('POST', `/workshops/${encodeURIComponent(code)}/join`, { name });
      const fresh = await workshopSession(true);
      const m: Me = fresh.me ?? { learnerId: joined.learnerId, name: joined.name, workshop: { ...joined.workshop, closed: false } };
      setSession(m);
      say(meStatus, '');
      showJoined(m);
      q<HTMLElement>('#joined-heading').focus();
    } catch (err) {
      fields.disabled = false;
      say(joinError, shown(err), 'bad');
      if (err instanceof ApiError && err.code.includes('name')) nameInput.focus();
    }
  });

  q<HTMLButtonElement>('[data-refresh]').addEventListener('click', () => {
    void workshopSession(true).then((a) => (a.me ? showJoined(a.me) : showForm()));
  });

  q<HTMLButtonElement>('[data-leave]').addEventListener('click', async (e) => {
    if (!me) return;
    if (!confirm(tr('wsJoin.leaveConfirm', { title: me.workshop.title }))) return;
    const button = e.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      await api('POST', '/me/leave', {});
      codeInput.value = me.workshop.code;
      setSession(null);
      say(meStatus, tr('wsJoin.left', { title: me.workshop.title }), 'ok');
      showForm();
    } catch (err) {
      say(joinedError, shown(err), 'bad');
    } finally {
      button.disabled = false;
    }
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && me) void loadGrades();
  });

  say(meStatus, tr('wsJoin.looking'));
  void workshopSession().then((answer) => {
    if (answer.me) {
      say(meStatus, '');
      showJoined(answer.me);
      return;
    }
    if (answer.reason === 'not_joined') say(meStatus, '');
    else if (answer.reason === 'no_server') {
      say(meStatus, tr('wsJoin.noServer'), 'bad');
      joinPanel.hidden = false;
      return; // the form stays disabled: a join could only fail
    } else say(meStatus, locale === 'en' ? answer.message : tr('wsError.http_error'), 'bad');
    showForm();
  });
}
