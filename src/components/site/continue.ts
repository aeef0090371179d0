// The home page's Start / Continue button and progress summary. The page ships a
// plain link to the first lesson (so Start works without JavaScript) and the course's
// reading order as JSON; here the link moves to the first lesson or lab not yet
// finished, by the same progress the sidebar's check marks show.
import { isDone, type ProgressKey } from './progress.ts';
import { pageLocale, translator } from '../../i18n/index.ts';

interface OrderItem {
  key: ProgressKey;
  kind: 'lesson' | 'lab';
  title: string;
  href: string;
}


export function initContinue(root: HTMLElement): void {
  const link = root.querySelector<HTMLAnchorElement>('[data-continue-link]');
  const verb = root.querySelector<HTMLElement>('[data-continue-verb]');
  const what = root.querySelector<HTMLElement>('[data-continue-title]');
  const summary = root.querySelector<HTMLElement>('[data-progress-summary]');
  let order: OrderItem[];
  try {
    order = JSON.parse(root.querySelector('[data-course-order]')?.textContent ?? '[]') as OrderItem[];
  } catch {
    return;
  }
  if (!link || !verb || !what || !summary || order.length === 0) return;
  const lessons = order.filter((i) => i.kind === 'lesson');
  const labs = order.filter((i) => i.kind === 'lab');
  const tr = translator(pageLocale());
  const label = (item: OrderItem) =>
    item.kind === 'lesson' ? tr('home.lessonItem', { n: lessons.indexOf(item) + 1, title: item.title }) : tr('home.labItem', { title: item.title });

  const render = () => {
    const done = new Set(order.filter((i) => isDone(i.key)).map((i) => i.key));
    const lessonsDone = lessons.filter((i) => done.has(i.key)).length;
    const labsDone = labs.filter((i) => done.has(i.key)).length;
    const next = order.find((i) => !done.has(i.key));
    if (done.size === 0) {
      verb.textContent = tr('home.start');
      link.href = order[0]!.href;
      what.textContent = label(order[0]!);
    } else if (next) {
      verb.textContent = tr('home.continue');
      link.href = next.href;
      what.textContent = label(next);
    } else {
      // Everything finished: offer the list of labs to revisit rather than a dead end.
      verb.textContent = tr('home.courseFinished');
      link.href = root.dataset.labsHref ?? `${document.documentElement.dataset.base ?? '/'}labs/`;
      what.textContent = tr('home.revisitLabs');
    }
    link.dataset.state = done.size === 0 ? 'start' : next ? 'continue' : 'finished';
    const lessonCount = tr(lessons.length === 1 ? 'home.lessonCount1' : 'home.lessonCountN', { n: lessons.length });
    const labCount = tr(labs.length === 1 ? 'home.labCount1' : 'home.labCountN', { n: labs.length });
    summary.textContent = tr('home.progress', { lessonsDone, lessons: lessonCount, labsDone, labs: labCount });
    summary.hidden = false;
  };
  render();
  window.addEventListener('closing-time:progress', render);
  window.addEventListener('storage', (e) => {
    if (e.key === 'closing-time:progress' || e.key?.startsWith('closing-time:lab:')) render();
  });
}
