// One learner's latest submission to each lab, for the instructor: the server's
// check results and the code. The code is untrusted: it is put in a <pre> as
// text and never evaluated, because this page holds the instructor's session.
import { checkRow, summaryText } from '../lab/render-results.ts';
import { LANG_TAG, translator, type Locale } from '../../i18n/index.ts';
import { api, localMessageOf } from './api.ts';
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
  /** The page's edition. */
  locale?: Locale;
}

export function learnerDialog(dialog: HTMLDialogElement, opts: LearnerDialogOptions) {
  const title = dialog.querySelector<HTMLElement>('[data-learner-name]')!;
  const body = dialog.querySelector<HTMLElement>('[data-learner-body]')!;
  const status = dialog.querySelector<HTMLElement>('[data-learner-status]')!;
  const remove = dialog.querySelector<HTMLButtonElement>('[data-remove]')!;
  const locale = opts.locale ?? 'en';
  const tr = translator(locale);
  const shown = (e: unknown) => localMessageOf(e, tr, locale);
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
    if (!confirm(tr('wsDash.removeConfirm', { name }))) return;
    remove.disabled = true;
    try {
      await api('POST', `/workshops/${encodeURIComponent(opts.code())}/learners/${encodeURIComponent(current)}/remove`, {});
      dialog.close();
      opts.onRemoved();
    } catch (e) {
      say(status, shown(e), 'bad');
    } finally {
      remove.disabled = false;
    }
  });

  async function open(id: string, lab?: string): Promise<void> {
    current = id;
    const mine = ++serial;
    title.textContent = opts.nameOf(id);
    body.replaceChildren();
    say(status, tr('wsDash.loadingShort'));
    if (!dialog.open) dialog.showModal();
    try {
      const detail = await api<LearnerDetail>('GET', `/workshops/${encodeURIComponent(opts.code())}/learners/${encodeURIComponent(id)}`);
      if (mine !== serial) return;
      say(status, '');
      render(detail);
      if (lab) dialog.querySelector(`[data-detail-lab="${CSS.escape(lab)}"]`)?.scrollIntoView({ block: 'start' });
    } catch (e) {
      if (mine === serial) say(status, shown(e), 'bad');
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
              ? tr('wsDash.detailGrading')
              : tr('wsDash.detailWaiting')
            : summaryText(sub.result);
        return el(
          'section',
          { class: 'ws-detail', 'data-detail-lab': id },
          el('h3', { class: 'ws-detail__title' }, labTitle),
          el('p', { class: 'ws-detail__state', 'data-status': sub.result?.status ?? sub.status }, state, ' ', el('span', { class: 'ws-detail__when', title: exactTime(sub.createdAt, locale) }, tr('wsDash.sent', { when: relativeTime(sub.createdAt, undefined, locale) })), sub.lang && sub.lang.toLowerCase() !== LANG_TAG[locale].toLowerCase() && el('span', { class: 'ws-detail__lang', 'data-lang': sub.lang }, tr('wsDash.langNote', { lang: sub.lang }))),
          sub.result && sub.result.tests.length > 0 && el('ol', { class: 'ws-detail__checks' }, ...sub.result.tests.map((t) => checkRow(document, t))),
          el('details', { class: 'ws-detail__code', open: true }, el('summary', {}, tr(lines === 1 ? 'wsDash.codeOne' : 'wsDash.codeMany', { n: lines })), el('pre', { class: 'ws-code' }, el('code', {}, sub.source))),
        );
      });
    body.replaceChildren(...(sections.length ? sections : [el('p', { class: 'ws-empty' }, tr('wsDash.noSubmission'))]));
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
