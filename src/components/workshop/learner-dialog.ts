// One learner's latest submission to each lab, for the instructor: the server's
// check results and the code. The code is untrusted: it is put in a <pre> as
// text and never evaluated, because this page holds the instructor's session.
import { checkRow, summaryText } from '../lab/render-results.ts';
import { api, messageOf } from './api.ts';
import { el, say } from './element.ts';
import { exactTime, relativeTime } from './relative-time.ts';
import type { Dashboard, LearnerDetail } from './types.ts';

export interface LearnerDialogOptions {
  code: () => string;
  dashboard: () => Dashboard | null;
  /** The name to show (a pseudonym in projector mode). */
  nameOf: (id: string) => string;
  projector: () => boolean;
  onRemoved(): void;
}

export function learnerDialog(dialog: HTMLDialogElement, opts: LearnerDialogOptions) {
  const title = dialog.querySelector<HTMLElement>('[data-learner-name]')!;
  const body = dialog.querySelector<HTMLElement>('[data-learner-body]')!;
  const status = dialog.querySelector<HTMLElement>('[data-learner-status]')!;
  const remove = dialog.querySelector<HTMLButtonElement>('[data-remove]')!;
  let current: string | null = null;
  let serial = 0;

  dialog.querySelector('[data-close-dialog]')!.addEventListener('click', () => dialog.close());
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });

  remove.addEventListener('click', async () => {
    if (!current) return;
    const name = opts.nameOf(current);
    if (!confirm(`Remove ${name} from the workshop? Their session ends at once and their submissions leave the dashboard. They can join again with the code.`)) return;
    remove.disabled = true;
    try {
      await api('POST', `/workshops/${encodeURIComponent(opts.code())}/learners/${encodeURIComponent(current)}/remove`, {});
      dialog.close();
      opts.onRemoved();
    } catch (e) {
      say(status, messageOf(e), 'bad');
    } finally {
      remove.disabled = false;
    }
  });

  async function open(id: string, lab?: string): Promise<void> {
    current = id;
    const mine = ++serial;
    title.textContent = opts.nameOf(id);
    body.replaceChildren();
    say(status, 'Loading…');
    if (!dialog.open) dialog.showModal();
    try {
      const detail = await api<LearnerDetail>('GET', `/workshops/${encodeURIComponent(opts.code())}/learners/${encodeURIComponent(id)}`);
      if (mine !== serial) return;
      say(status, '');
      render(detail);
      if (lab) dialog.querySelector(`[data-detail-lab="${CSS.escape(lab)}"]`)?.scrollIntoView({ block: 'start' });
    } catch (e) {
      if (mine === serial) say(status, messageOf(e), 'bad');
    }
  }

  function render(detail: LearnerDetail): void {
    const labs = opts.dashboard()?.labs ?? [];
    const known = new Set(labs.map((l) => l.id));
    // The dashboard's order of labs, then any the dashboard does not list.
    const order = [...labs.map((l) => l.id), ...Object.keys(detail.labs).filter((k) => !known.has(k))];
    const sections = order
      .filter((id) => detail.labs[id])
      .map((id) => {
        const sub = detail.labs[id]!.submission;
        const labTitle = labs.find((l) => l.id === id)?.title ?? id;
        const lines = sub.source.split('\n').length;
        const state =
          sub.status !== 'done' || !sub.result
            ? sub.status === 'grading'
              ? 'Being graded…'
              : 'Waiting for the grader…'
            : summaryText(sub.result);
        return el(
          'section',
          { class: 'ws-detail', 'data-detail-lab': id },
          el('h3', { class: 'ws-detail__title' }, labTitle),
          el('p', { class: 'ws-detail__state', 'data-status': sub.result?.status ?? sub.status }, state, ' ', el('span', { class: 'ws-detail__when', title: exactTime(sub.createdAt) }, `Sent ${relativeTime(sub.createdAt)}.`), sub.lang && sub.lang !== 'en' && el('span', { class: 'ws-detail__lang', lang: sub.lang, 'data-lang': sub.lang }, ` The checker's messages are in the learner's language (${sub.lang}).`)),
          sub.result && sub.result.tests.length > 0 && el('ol', { class: 'ws-detail__checks' }, ...sub.result.tests.map((t) => checkRow(document, t))),
          el('details', { class: 'ws-detail__code', open: true }, el('summary', {}, `Code (${lines} line${lines === 1 ? '' : 's'})`), el('pre', { class: 'ws-code' }, el('code', {}, sub.source))),
        );
      });
    body.replaceChildren(...(sections.length ? sections : [el('p', { class: 'ws-empty' }, 'No submission yet.')]));
  }

  return {
    open,
    /** Names may have changed (projector mode): refresh the heading. */
    relabel() {
      if (current && dialog.open) title.textContent = opts.nameOf(current);
    },
    get openFor() {
      return dialog.open ? current : null;
    },
  };
}
