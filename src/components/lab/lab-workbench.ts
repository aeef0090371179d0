// The lab page's interactive part, loaded only on lab pages: the learner's file
// in a playground (Monaco on first touch; Run drives its exports with the lab's
// scenario in the lab runner's worker), Check grading in a worker, the results
// list with a traced replay of each failed check, hints one at a time, the
// reference solution beside the learner's file after the last hint, and
// progress kept in localStorage.
import { markDone } from '../site/progress.ts';
import { savedSource } from '../playground/source-store.ts';
import type { PlaygroundController } from '../playground/controller.ts';
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import type { RunSummary } from '../../sim/world-types.ts';
import { GradeClient } from './grade-client.ts';
import type { CheckReplay } from './grade-protocol.ts';
import { loadProgress, recordResult, saveProgress } from './lab-progress.ts';
import { checkRow, pendingRows, summaryText } from './render-results.ts';
import { workshopSync, type WorkshopSync } from './workshop-sync.ts';
import { graderMessages, parseGradeLang } from '../../grading/messages.ts';
import { pageLocale, translator } from '../../i18n/index.ts';

/** The page's UI strings, in its <html lang>. */
const tr = translator(pageLocale());
/** What a check that did not run says, in every language (no replay for those). */
const NOT_RUN = new Set(Object.values(graderMessages).map((m) => m.notRun));

interface CheckInfo {
  name: string;
  /** The check's name in the page's language. */
  title?: string;
  max_score: number;
}

function readJson<T>(root: ParentNode, selector: string): T | null {
  const el = root.querySelector<HTMLScriptElement>(selector);
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as T;
  } catch {
    return null;
  }
}

const labRunner = () => new Worker(new URL('./lab-run-worker.ts', import.meta.url), { type: 'module', name: 'closing-time-lab-runner' });

/** Hints one at a time; after the last one, the solution step (when there is one to show). */
function setupHints(lab: string, onExhausted: (exhausted: boolean) => void): void {
  const box = document.querySelector<HTMLElement>(`[data-lab-hints="${lab}"]`);
  const items = box ? [...box.querySelectorAll<HTMLElement>('[data-hint]')] : [];
  const button = box?.querySelector<HTMLButtonElement>('[data-next-hint]');
  if (!box || !button || items.length === 0) {
    onExhausted(true);
    return;
  }
  const render = () => {
    const shown = Math.min(loadProgress(lab).hintsShown, items.length);
    items.forEach((li, i) => (li.hidden = i >= shown));
    button.hidden = shown >= items.length;
    button.textContent = shown === 0 ? tr('bench.showHintFirst', { n: items.length }) : tr('bench.showHintNext', { k: shown + 1, n: items.length });
    onExhausted(shown >= items.length);
  };
  button.hidden = false;
  button.addEventListener('click', () => {
    const p = loadProgress(lab);
    const next = Math.min(p.hintsShown + 1, items.length);
    saveProgress(lab, { ...p, hintsShown: next });
    render();
    items[next - 1]?.focus();
  });
  render();
}

function setupBench(root: HTMLElement): void {
  const lab = root.dataset.lab!;
  const fileName = root.dataset.file ?? `${lab}.ts`;
  const pgRoot = root.querySelector<HTMLElement>('[data-playground]')!;
  const starter = readJson<string>(pgRoot, 'script[data-source]') ?? '';
  const checks = readJson<CheckInfo[]>(root, '[data-checks]') ?? [];
  const storeId = pgRoot.dataset.id!;
  // The checker's messages in the page's language (LabWorkbench.astro's data-lang).
  const lang = parseGradeLang(root.dataset.lang) ?? 'en';
  const titleOf = (name: string) => checks.find((c) => c.name === name)?.title ?? name;
  const list = root.querySelector<HTMLOListElement>('[data-results]')!;
  const status = root.querySelector<HTMLElement>('[data-check-status]')!;
  const best = root.querySelector<HTMLElement>('[data-best]');
  const checkButton = root.querySelector<HTMLButtonElement>('[data-action="check"]')!;
  const stopButton = root.querySelector<HTMLButtonElement>('[data-action="stop-check"]')!;
  const runButton = pgRoot.querySelector<HTMLButtonElement>('[data-action="run"]');
  pgRoot.querySelector<HTMLElement>('.playground__controls')!.hidden = false;
  pgRoot.dataset.hydrated = 'true';

  const client = new GradeClient();
  const workshop = workshopSync(root, lab);
  let stopped = false;
  let lastSource = '';

  let controller: Promise<PlaygroundController | null> | null = null;
  const load = () =>
    (controller ??= import('../playground/controller.ts')
      .then((m) => m.activatePlayground(pgRoot, { workerFactory: labRunner, onCheckCommand: () => check() }))
      .then((c) => (ready = c))
      .catch((e: Error) => {
        status.textContent = tr('bench.editorFailed', { error: e.message });
        return null;
      }));
  let ready: PlaygroundController | null = null;
  const source = () => ready?.source() ?? savedSource(storeId) ?? starter;

  const showBest = () => {
    const p = loadProgress(lab);
    if (best) best.textContent = p.checkedAt ? tr('bench.best', { score: p.bestScore, max: p.maxScore }) : '';
  };

  const row = (t: TestResult) => {
    const li = checkRow(document, t);
    if (t.status === 'fail' || t.status === 'error') {
      if (t.message && !NOT_RUN.has(t.message)) {
        const replay = document.createElement('button');
        replay.type = 'button';
        replay.className = 'lab-check__replay';
        replay.dataset.replay = t.name;
        replay.textContent = tr('bench.replay');
        replay.title = tr('bench.replayTitle');
        replay.addEventListener('click', () => void replayCheck(t.name));
        li.querySelector('.lab-check__message')?.after(replay);
        if (!li.querySelector('.lab-check__replay')) li.append(replay);
      }
    }
    return li;
  };

  const showResult = (result: GradeResult) => {
    list.replaceChildren(...result.tests.map(row));
    status.textContent = summaryText(result);
    root.dataset.state = result.status;
    void load().then((c) => c?.markProblems(result.problems ?? []));
  };

  const busy = (on: boolean) => {
    checkButton.disabled = on;
    stopButton.hidden = !on;
    if (on) root.setAttribute('aria-busy', 'true');
    else root.removeAttribute('aria-busy');
  };

  const check = () => {
    const code = source();
    lastSource = code;
    list.replaceChildren(...pendingRows(document, checks));
    status.textContent = tr('bench.checking');
    root.dataset.state = 'running';
    busy(true);
    stopped = false;
    workshop.started();
    client.grade(lab, code, fileName, {
      onResult(result: TestResult, index: number) {
        const old = list.children[index];
        const fresh = row(result);
        if (old) old.replaceWith(fresh);
        else list.append(fresh);
        status.textContent = tr('bench.checkingN', { k: index + 1, n: checks.length || '?' });
      },
      onDone(result: GradeResult) {
        busy(false);
        showResult(result);
        saveProgress(lab, recordResult(loadProgress(lab), result));
        if (result.status === 'pass') markDone(`lab:${lab}`);
        showBest();
        workshop.checked(code, result);
      },
      onError(message: string) {
        busy(false);
        status.textContent = message;
        root.dataset.state = 'error';
        list.querySelectorAll('[data-status="pending"]').forEach((li) => li.remove());
        // The browser could not grade it (the worker failed): the server's sandbox still can.
        // A Stop is the learner taking the Check back, so nothing is sent.
        if (!stopped) workshop.checked(code, null);
      },
    }, lang);
  };

  /** Runs one check again on the code it graded and shows its world in the playground's console and diagram. */
  const replayCheck = async (name: string) => {
    const c = await load();
    if (!c) return;
    const code = lastSource || source();
    const button = list.querySelector<HTMLButtonElement>(`[data-replay="${CSS.escape(name)}"]`);
    if (button) {
      button.disabled = true;
      button.textContent = tr('bench.replaying');
    }
    const done = () => {
      if (button) {
        button.disabled = false;
        button.textContent = tr('bench.replay');
      }
    };
    let replay: CheckReplay | null = null;
    client.trace(lab, code, fileName, name, {
      onResult() {},
      onTrace(r) {
        replay = r;
      },
      onDone() {
        done();
        const r = replay as CheckReplay | null;
        if (!r || !r.summary) {
          status.textContent = tr('bench.noWorld', { name: titleOf(name) });
          return;
        }
        if (r.events.length === 0) {
          // A load test's world runs without recording (100,000 connections): there is no trace to show.
          status.textContent = tr('bench.noTrace', { name: titleOf(name) });
          return;
        }
        const last = r.events[r.events.length - 1];
        const markN = r.at ?? last?.n;
        const when = r.at !== undefined ? tr('bench.markedFailure') : tr('bench.markedEnd');
        const title = titleOf(name);
        const verdict = r.status === 'pass' ? tr('bench.passedThisTime', { name: title }) : tr('bench.failedVerdict', { name: title, message: r.message ?? tr('bench.failed') });
        c.showTrace(r.events, r.summary as unknown as RunSummary, {
          title: r.worlds > 1 ? tr('bench.replayOfLast', { name: title, n: r.worlds }) : tr('bench.replayOf', { name: title }),
          note: tr('bench.replayNote', { verdict, when }),
          markN,
        });
      },
      onError(message) {
        done();
        status.textContent = message;
      },
    }, lang);
  };

  checkButton.addEventListener('click', () => check());
  stopButton.addEventListener('click', () => {
    stopped = true;
    client.stop(tr('bench.stopped'));
  });
  runButton?.addEventListener('click', async () => (await load())?.run());
  pgRoot.querySelector('[data-editor]')?.addEventListener('click', async () => (await load())?.focusEditor());
  const wake = () => {
    client.warm();
    void load();
  };
  root.addEventListener('pointerenter', wake, { once: true });
  root.addEventListener('focusin', wake, { once: true });

  // Someone who edited before sees their version, not the starter, even before Monaco loads.
  const saved = savedSource(storeId);
  if (saved !== null && saved !== starter) {
    const code = pgRoot.querySelector('[data-editor] pre');
    if (code) {
      const pre = document.createElement('pre');
      pre.className = 'lab-bench__saved';
      pre.textContent = saved;
      code.replaceWith(pre);
    }
  }
  const previous = loadProgress(lab).lastResult;
  if (previous && previous.lab === lab) showResult(previous);
  else list.replaceChildren(...pendingRows(document, checks));
  showBest();

  setupSolution(root, lab, source, load, workshop);
}

/** "Show the solution": after the last hint, confirmed, as a side-by-side diff against the learner's file. */
function setupSolution(root: HTMLElement, lab: string, source: () => string, load: () => Promise<PlaygroundController | null>, workshop: Pick<WorkshopSync, 'solutionsAllowed' | 'solutionUrl'>): void {
  const url = root.dataset.solutionUrl;
  const panel = root.querySelector<HTMLElement>('[data-solution-panel]')!;
  const diffHost = root.querySelector<HTMLElement>('[data-solution-diff]')!;
  const button = document.querySelector<HTMLButtonElement>(`[data-lab-hints="${lab}"] [data-show-solution]`) ?? document.querySelector<HTMLButtonElement>('[data-show-solution]');
  let exhausted = false;
  let allowed = false;
  const render = () => {
    if (button) button.hidden = !(url && exhausted && allowed);
  };
  setupHints(lab, (e) => {
    exhausted = e;
    render();
  });
  if (!url || !button) return;
  void workshop.solutionsAllowed().then((ok) => {
    allowed = ok;
    render();
  });
  root.querySelector('[data-action="close-solution"]')?.addEventListener('click', () => {
    panel.hidden = true;
    button.focus();
  });
  button.addEventListener('click', async () => {
    if (!confirm(tr('bench.confirmSolution'))) return;
    button.disabled = true;
    try {
      const response = await fetch(await workshop.solutionUrl(url), { credentials: 'same-origin' });
      if (response.status === 403) throw new Error('your workshop has turned solutions off');
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const body = (await response.json()) as { source?: unknown };
      if (typeof body.source !== 'string') throw new Error('the solution file is not readable');
      await load();
      const { monaco, editorTheme } = await import('../playground/monaco-setup.ts');
      panel.hidden = false;
      diffHost.replaceChildren();
      const dark = document.documentElement.dataset.theme === 'dark';
      const diff = monaco.editor.createDiffEditor(diffHost, {
        readOnly: true,
        originalEditable: false,
        automaticLayout: true,
        renderSideBySide: diffHost.clientWidth >= 640,
        minimap: { enabled: false },
        fontSize: 13,
        scrollBeyondLastLine: false,
        theme: editorTheme(dark),
      });
      diff.setModel({
        original: monaco.editor.createModel(source(), 'typescript'),
        modified: monaco.editor.createModel(body.source, 'typescript'),
      });
      root.dataset.solution = 'shown';
      panel.scrollIntoView({ block: 'start', behavior: 'smooth' });
    } catch (e) {
      const status = root.querySelector<HTMLElement>('[data-check-status]');
      if (status) status.textContent = tr('bench.solutionFailed', { error: (e as Error).message });
    } finally {
      button.disabled = false;
    }
  });
}

document.querySelectorAll<HTMLElement>('[data-lab-bench]').forEach((root) => setupBench(root));
