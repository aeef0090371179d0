// A lab page inside a workshop: when the learner has joined one, every Check is
// also sent to the workshop's server, and a line beside the browser's result
// follows the server's grading (queued… grading… graded 7/9). Without a
// workshop (not joined, a static host, offline) nothing here shows and the page
// behaves exactly as before: nothing waits for the server.
import { href } from '../links.ts';
import { api, ApiError, messageOf } from '../workshop/api.ts';
import { points } from '../workshop/dashboard-model.ts';
import { compareGrades } from '../workshop/grade-compare.ts';
import { workshopSession } from '../workshop/me.ts';
import { POLL_GIVE_UP_MS, pollDelay } from '../workshop/poll-schedule.ts';
import type { Me, Submission } from '../workshop/types.ts';
import type { GradeResult } from '../../grading/result-types.ts';
import { LANG_TAG, pageLocale, translator } from '../../i18n/index.ts';

/** The page's UI strings, in its <html lang>. */
const tr = translator(pageLocale());
/** The language the workshop's grader answers this page in (its <html lang>: 'en', 'zh-CN'). */
const gradeLang = LANG_TAG[pageLocale()];

type Tone = 'info' | 'ok' | 'bad' | 'warn';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The server's message as a sentence, so another can follow it. */
const sentence = (m: string) => (/[.!?…]$/.test(m.trim()) ? m.trim() : `${m.trim()}.`);

export interface WorkshopSync {
  /** A Check finished in the browser (`result` null when the browser could not grade it). */
  checked(source: string, result: GradeResult | null): void;
  /** A new Check started: the previous submission's line is stale. */
  started(): void;
  /** May this learner see the reference solution? Not when their workshop's instructor turned solutions off. */
  solutionsAllowed(): Promise<boolean>;
  /** Where to fetch the solution from: the server's API when there is a server (it knows the workshop), else the static file. */
  solutionUrl(staticUrl: string): Promise<string>;
}

export function workshopSync(root: HTMLElement, lab: string): WorkshopSync {
  const badge = root.querySelector<HTMLElement>('[data-workshop-badge]');
  const line = root.querySelector<HTMLElement>('[data-workshop-status]');
  let me: Me | null = null;
  // Each Check gets a number; an older one's polling stops writing once a newer one exists.
  let generation = 0;

  const show = (text: string, tone: Tone, state: string) => {
    if (!line) return;
    line.textContent = text;
    line.dataset.tone = tone;
    line.dataset.state = state;
    line.hidden = text === '';
  };

  const showBadge = () => {
    if (!badge || !me) return;
    const link = document.createElement('a');
    link.href = href('/workshop/');
    link.textContent = me.workshop.title;
    const name = document.createElement('strong');
    name.textContent = me.name;
    // The sentence in the page's language, with the link and the name where its placeholders are.
    const parts = tr('ws.badge', { closed: me.workshop.closed ? tr('ws.closed') : '' }).split(/(\{title\}|\{name\})/);
    badge.replaceChildren(...parts.map((p) => (p === '{title}' ? link : p === '{name}' ? name : p)));
    badge.hidden = false;
  };

  const notJoined = (text: string) => {
    me = null;
    if (badge) badge.hidden = true;
    show(text, 'bad', 'not-joined');
  };

  // Asked once per page load, in the background.
  void workshopSession().then((a) => {
    if (a.me) {
      me = a.me;
      showBadge();
    }
  });

  const stale = (mine: number) => mine !== generation;

  async function countdown(mine: number, seconds: number, state: string, what: (s: number) => string): Promise<boolean> {
    for (let s = seconds; s > 0; s--) {
      if (stale(mine)) return false;
      show(what(s), 'warn', state);
      await sleep(1000);
    }
    return !stale(mine);
  }

  async function send(mine: number, source: string, result: GradeResult | null): Promise<void> {
    const browser = result ? { score: result.score, max_score: result.max_score, status: result.status } : undefined;
    const code = encodeURIComponent(me!.workshop.code);
    for (let attempt = 0; ; attempt++) {
      show(tr('ws.sending'), 'info', 'sending');
      try {
        const { id } = await api<{ id: string }>('POST', `/workshops/${code}/submissions`, { lab, source, browser, lang: gradeLang });
        // Accepted, so the workshop is open (again).
        if (me?.workshop.closed) {
          me.workshop.closed = false;
          showBadge();
        }
        if (!stale(mine)) await follow(mine, id, result);
        return;
      } catch (e) {
        if (stale(mine)) return;
        const err = e instanceof ApiError ? e : new ApiError(0, 'error', messageOf(e));
        if (err.status === 429 && attempt < 5) {
          const wait = err.retryAfter ?? 5;
          if (!(await countdown(mine, wait, 'retry-send', (s) => tr('ws.busy', { reason: sentence(err.message), s })))) return;
          continue;
        }
        if (err.status === 401) return notJoined(tr('ws.left', { title: me?.workshop.title ?? tr('ws.theWorkshop') }));
        if (err.status === 409) {
          if (me) me.workshop.closed = true;
          showBadge();
          return show(tr('ws.notSent', { reason: sentence(err.message) }), 'bad', 'closed');
        }
        return show(tr('ws.notSentCheck', { reason: sentence(err.message) }), 'bad', 'error');
      }
    }
  }

  async function follow(mine: number, id: string, browser: GradeResult | null): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < POLL_GIVE_UP_MS; attempt++) {
      let sub: Submission;
      try {
        sub = await api<Submission>('GET', `/submissions/${encodeURIComponent(id)}`);
      } catch (e) {
        if (stale(mine)) return;
        const err = e instanceof ApiError ? e : new ApiError(0, 'error', messageOf(e));
        if (err.status === 429) {
          if (!(await countdown(mine, err.retryAfter ?? 5, 'retry-poll', (s) => tr('ws.pollWait', { s })))) return;
          continue;
        }
        if (err.status === 401 || err.status === 404) return notJoined(tr('ws.notYours', { reason: sentence(err.message) }));
        // A dropped connection: keep asking, more slowly.
        show(tr('ws.unreachable', { reason: sentence(err.message) }), 'warn', 'unreachable');
        await sleep(pollDelay(attempt + 4));
        continue;
      }
      if (stale(mine)) return;
      if (sub.status === 'done' && sub.result) return graded(sub.result, browser);
      show(sub.status === 'grading' ? tr('ws.grading') : tr('ws.queued'), 'info', sub.status);
      await sleep(pollDelay(attempt));
    }
    if (!stale(mine)) show(tr('ws.slow'), 'warn', 'slow');
  }

  function graded(server: GradeResult, browser: GradeResult | null): void {
    const cmp = compareGrades(server, browser);
    if (line) line.dataset.agree = String(cmp.agree);
    if (server.status === 'error') {
      return show(`${tr('ws.serverError', { message: server.message ?? tr('results.unknownError') })}${cmp.agree ? '' : ` ${cmp.text}`}`, 'bad', 'done');
    }
    const text = tr('ws.graded', { score: points(server.score), max: points(server.max_score) });
    if (cmp.agree) show(text, server.status === 'pass' ? 'ok' : 'info', 'done');
    else show(`${text} ${cmp.text}`, 'warn', 'done');
  }

  return {
    async solutionsAllowed() {
      const a = await workshopSession();
      return !a.me || a.me.workshop.solutions !== false;
    },
    async solutionUrl(staticUrl) {
      const a = await workshopSession();
      return a.me || a.reason !== 'no_server' ? href(`/api/solutions/${encodeURIComponent(lab)}`) : staticUrl;
    },
    started() {
      generation++;
      if (me) show('', 'info', 'idle');
    },
    checked(source, result) {
      const mine = generation;
      // The answer is usually in long before a Check ends; if not, this waits for it (never the Check).
      void workshopSession().then((a) => {
        if (stale(mine) || !a.me) return;
        me = a.me;
        showBadge();
        // Sent even when the workshop looked closed at page load: it may have reopened; a 409 says if not.
        if (line) delete line.dataset.agree;
        void send(mine, source, result);
      });
    },
  };
}
