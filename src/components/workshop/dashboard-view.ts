// Draws the dashboard from the server's answer: the learners × labs grid and the
// sticking points. Redrawn whole on every refresh (a class is a few dozen rows),
// so what is on screen is always exactly what the server said last.
import { translator, type Locale } from '../../i18n/index.ts';
import { el } from './element.ts';
import { displayNames, joinOrder, labStanding, points, progressOf, stickingGroups } from './dashboard-model.ts';
import { exactTime, relativeTime } from './relative-time.ts';
import type { Dashboard, StickingPoint } from './types.ts';

export interface ViewOptions {
  /** The page's edition: the words of the grid and the sticking points. */
  locale?: Locale;
  projector: boolean;
  /** All sticking points, or only the first few (a laptop screen keeps the grid in view). */
  allSticking: boolean;
  toggleSticking(): void;
  /** Opens a learner's latest code and checks, scrolled to `lab` when given. */
  openLearner(id: string, lab?: string): void;
}

/** How many sticking points show before "Show all": the top of the list is what to explain next. */
export const STICKING_SHOWN = 4;

const STATUS_KEY = { queued: 'wsDash.statusQueued', grading: 'wsDash.statusGrading' } as const;

export function renderGrid(table: HTMLTableElement, empty: HTMLElement, d: Dashboard, opts: ViewOptions): void {
  const locale = opts.locale ?? 'en';
  const tr = translator(locale);
  const names = displayNames(d.learners, opts.projector, locale);
  const totalMax = d.labs.reduce((s, l) => s + l.max_score, 0);
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', class: 'ws-grid__corner' }, tr('wsDash.colLearner')),
    ...d.labs.map((lab) => {
      const s = labStanding(d, lab.id);
      return el(
        'th',
        { scope: 'col', class: 'ws-grid__lab', 'data-lab': lab.id },
        el('span', { class: 'ws-grid__lab-title' }, lab.title),
        el('span', { class: 'ws-grid__lab-standing', title: tr('wsDash.labStandingTitle', { done: s.done, total: s.total, attempted: s.attempted }) }, tr('wsDash.labStanding', { done: s.done, total: s.total })),
      );
    }),
    el('th', { scope: 'col', class: 'ws-grid__total' }, tr('wsDash.colTotal')),
  );
  table.tHead!.replaceChildren(head);

  const rows = joinOrder(d.learners).map((learner) => {
    const name = names.get(learner.id)!;
    let total = 0;
    const cells = d.labs.map((lab) => {
      const c = learner.labs[lab.id];
      const progress = progressOf(c, lab.max_score);
      const td = el('td', { class: 'ws-cell', 'data-lab': lab.id, 'data-progress': progress });
      if (!c || c.attempts === 0) {
        td.append(el('span', { class: 'ws-cell__none', 'aria-label': tr('wsDash.notTried') }, '–'));
        return td;
      }
      total += c.best;
      const pending = c.lastStatus === 'queued' || c.lastStatus === 'grading' ? c.lastStatus : null;
      if (pending) td.dataset.pending = pending;
      const label = tr(c.attempts === 1 ? 'wsDash.cellLabelOne' : 'wsDash.cellLabelMany', {
        name,
        lab: lab.title ?? lab.id,
        best: points(c.best),
        max: points(c.max || lab.max_score),
        n: c.attempts,
        pending: pending ? tr('wsDash.cellPending', { status: tr(STATUS_KEY[pending]) }) : '',
      });
      const button = el(
        'button',
        { type: 'button', class: 'ws-cell__open', 'aria-label': label, title: c.last ? tr('wsDash.lastSent', { time: exactTime(c.last, locale) }) : undefined },
        el('span', { class: 'ws-cell__score', 'data-best': c.best }, `${points(c.best)}/${points(c.max || lab.max_score)}`),
        el('span', { class: 'ws-cell__meta' }, `${c.attempts}× · ${relativeTime(c.last, undefined, locale)}`),
        pending && el('span', { class: 'ws-cell__pending', 'aria-hidden': 'true', title: tr(STATUS_KEY[pending]) }),
      );
      button.addEventListener('click', () => opts.openLearner(learner.id, lab.id));
      td.append(button);
      return td;
    });
    const who = el('button', { type: 'button', class: 'ws-learner', 'data-learner-open': learner.id }, el('span', { class: 'ws-learner__name' }, name));
    who.append(el('span', { class: 'ws-learner__seen', title: tr('wsDash.lastSeen', { time: exactTime(learner.lastSeen, locale) }) }, relativeTime(learner.lastSeen, undefined, locale)));
    who.addEventListener('click', () => opts.openLearner(learner.id));
    return el(
      'tr',
      { 'data-learner': learner.id },
      el('th', { scope: 'row', class: 'ws-grid__who' }, who),
      ...cells,
      el('td', { class: 'ws-grid__total' }, `${points(total)}/${points(totalMax)}`),
    );
  });
  table.tBodies[0]!.replaceChildren(...rows);
  empty.hidden = rows.length > 0;
  table.hidden = rows.length === 0;
}

export function renderSticking(container: HTMLElement, d: Dashboard, opts: ViewOptions): void {
  const tr = translator(opts.locale ?? 'en');
  const groups = stickingGroups(d);
  if (groups.length === 0) {
    const graded = d.learners.some((l) => Object.values(l.labs).some((c) => c.attempts > 0));
    container.replaceChildren(el('p', { class: 'ws-empty' }, tr(graded ? 'wsDash.noFailing' : 'wsDash.nothingGraded')));
    return;
  }
  const total = d.learners.length;
  const count = groups.reduce((n, g) => n + g.points.length, 0);
  // Cut the list after the first few points, keeping the order across labs.
  let budget = opts.allSticking ? Infinity : STICKING_SHOWN;
  const shown = groups
    .map((g) => {
      const points = g.points.slice(0, Math.max(0, budget));
      budget -= points.length;
      return { ...g, points };
    })
    .filter((g) => g.points.length > 0);
  const children: Node[] = shown.map((g) =>
    el(
      'div',
      { class: 'ws-stick-group', 'data-lab': g.lab },
      el('h3', { class: 'ws-stick-group__title' }, g.title),
      el('ol', { class: 'ws-stick-list' }, ...g.points.map((p) => stickingItem(p, total, opts.projector, tr))),
    ),
  );
  if (count > STICKING_SHOWN) {
    const more = el('button', { type: 'button', class: 'ws-btn ws-btn--small ws-stick-more', 'aria-expanded': String(opts.allSticking) }, opts.allSticking ? tr('wsDash.showFew') : tr('wsDash.showAll', { n: count }));
    more.addEventListener('click', () => opts.toggleSticking());
    children.push(more);
  }
  container.replaceChildren(...children);
}

function stickingItem(p: StickingPoint, total: number, projector: boolean, tr: ReturnType<typeof translator>): HTMLLIElement {
  const share = total > 0 ? p.failures / total : 0;
  return el(
    'li',
    { class: 'ws-stick', 'data-check': p.check, 'data-failures': p.failures },
    el(
      'div',
      { class: 'ws-stick__head' },
      el('span', { class: 'ws-stick__count', 'aria-label': tr('wsDash.failCount', { n: p.failures }) }, p.failures),
      el('span', { class: 'ws-stick__check' }, p.check),
      el('span', { class: 'ws-stick__share' }, tr(total === 1 ? 'wsDash.shareOne' : 'wsDash.shareMany', { n: p.failures, total })),
    ),
    el('span', { class: 'ws-stick__bar', 'aria-hidden': 'true' }, bar(share)),
    p.message && el('p', { class: 'ws-stick__message' }, p.message),
    // The names stay off a projected screen.
    !projector && p.learners.length > 0 && el('p', { class: 'ws-stick__who' }, p.learners.join(tr('wsDash.nameSep'))),
  );
}

/** The share of the room failing a check, as a bar (set through the CSSOM, which a style-src policy does not restrict). */
function bar(share: number): HTMLSpanElement {
  const fill = el('span', { class: 'ws-stick__fill' });
  fill.style.width = `${Math.round(Math.min(1, share) * 100)}%`;
  return fill;
}
