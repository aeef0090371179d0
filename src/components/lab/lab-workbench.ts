// The lab page's interactive part, loaded only on lab pages: the editor (Monaco,
// on first touch), the Check button that grades in a worker, the results list,
// hints one at a time, and progress kept in localStorage.
import { markDone } from '../site/progress.ts';
import { forgetSource, savedSource, saveSource } from '../playground/source-store.ts';
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import { GradeClient } from './grade-client.ts';
import { loadProgress, recordResult, saveProgress } from './lab-progress.ts';
import { checkRow, pendingRows, summaryText } from './render-results.ts';
import { workshopSync } from './workshop-sync.ts';

interface CheckInfo {
  name: string;
  max_score: number;
}

type Editor = { getValue(): string; setValue(v: string): void; focus(): void };

function readJson<T>(root: ParentNode, selector: string): T | null {
  const el = root.querySelector<HTMLScriptElement>(selector);
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as T;
  } catch {
    return null;
  }
}

function setupHints(lab: string): void {
  const box = document.querySelector<HTMLElement>(`[data-lab-hints="${lab}"]`);
  if (!box) return;
  const items = [...box.querySelectorAll<HTMLElement>('[data-hint]')];
  const button = box.querySelector<HTMLButtonElement>('[data-next-hint]');
  if (!button || items.length === 0) return;
  const render = () => {
    const shown = Math.min(loadProgress(lab).hintsShown, items.length);
    items.forEach((li, i) => (li.hidden = i >= shown));
    button.hidden = shown >= items.length;
    button.textContent = shown === 0 ? `Show a hint (${items.length} available)` : `Show hint ${shown + 1} of ${items.length}`;
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
  const starter = readJson<string>(root, '[data-starter]') ?? '';
  const checks = readJson<CheckInfo[]>(root, '[data-checks]') ?? [];
  const storeId = `lab-${lab}`;
  const list = root.querySelector<HTMLOListElement>('[data-results]')!;
  const status = root.querySelector<HTMLElement>('[data-status]')!;
  const best = root.querySelector<HTMLElement>('[data-best]');
  const checkButton = root.querySelector<HTMLButtonElement>('[data-action="check"]')!;
  const stopButton = root.querySelector<HTMLButtonElement>('[data-action="stop"]')!;
  const resetButton = root.querySelector<HTMLButtonElement>('[data-action="reset"]')!;
  const editorHost = root.querySelector<HTMLElement>('[data-editor]')!;
  root.querySelector<HTMLElement>('[data-controls]')!.hidden = false;

  const client = new GradeClient();
  const workshop = workshopSync(root, lab);
  let stopped = false;
  let editor: Editor | null = null;
  let editorLoading: Promise<Editor | null> | null = null;
  // Until Monaco arrives, the learner's text lives here (the saved edits or the starter).
  let text = savedSource(storeId) ?? starter;

  const showBest = () => {
    const p = loadProgress(lab);
    if (best) best.textContent = p.checkedAt ? `Best so far: ${p.bestScore}/${p.maxScore} points.` : '';
  };

  const showResult = (result: GradeResult) => {
    list.replaceChildren(...result.tests.map((t) => checkRow(document, t)));
    status.textContent = summaryText(result);
    root.dataset.state = result.status;
  };

  const loadEditor = () =>
    (editorLoading ??= import('../playground/monaco-setup.ts')
      .then(({ monaco }) => {
        const model = monaco.editor.createModel(text, 'typescript', monaco.Uri.parse(`file:///labs/${fileName}`));
        editorHost.replaceChildren();
        editorHost.classList.add('is-live');
        const ed = monaco.editor.create(editorHost, {
          model,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 14,
          scrollBeyondLastLine: false,
          tabSize: 2,
          theme: document.documentElement.dataset.theme === 'dark' ? 'vs-dark' : 'vs',
        });
        window.addEventListener('closing-time:theme', (e) => monaco.editor.setTheme((e as CustomEvent).detail === 'dark' ? 'vs-dark' : 'vs'));
        model.onDidChangeContent(() => {
          text = model.getValue();
          saveSource(storeId, text, starter);
        });
        ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => check());
        editor = { getValue: () => model.getValue(), setValue: (v) => model.setValue(v), focus: () => ed.focus() };
        return editor;
      })
      .catch((e: Error) => {
        status.textContent = `The editor could not load (${e.message}); Check still grades the code shown.`;
        return null;
      }));

  const finishRun = () => {
    checkButton.disabled = false;
    stopButton.disabled = true;
    root.removeAttribute('aria-busy');
  };

  const check = () => {
    const source = editor?.getValue() ?? text;
    list.replaceChildren(...pendingRows(document, checks));
    status.textContent = 'Checking…';
    root.dataset.state = 'running';
    root.setAttribute('aria-busy', 'true');
    checkButton.disabled = true;
    stopButton.disabled = false;
    stopped = false;
    workshop.started();
    client.grade(lab, source, fileName, {
      onResult(result: TestResult, index: number) {
        const row = list.children[index];
        const fresh = checkRow(document, result);
        if (row) row.replaceWith(fresh);
        else list.append(fresh);
        status.textContent = `Checking… ${index + 1} of ${checks.length || '?'} done`;
      },
      onDone(result: GradeResult) {
        finishRun();
        showResult(result);
        saveProgress(lab, recordResult(loadProgress(lab), result));
        if (result.status === 'pass') markDone(`lab:${lab}`);
        showBest();
        workshop.checked(source, result);
      },
      onError(message: string) {
        finishRun();
        status.textContent = message;
        root.dataset.state = 'error';
        list.querySelectorAll('[data-status="pending"]').forEach((li) => li.remove());
        // The browser could not grade it (the worker failed): the server's sandbox still can.
        // A Stop is the learner taking the Check back, so nothing is sent.
        if (!stopped) workshop.checked(source, null);
      },
    });
  };

  checkButton.addEventListener('click', () => check());
  stopButton.addEventListener('click', () => {
    stopped = true;
    client.stop('Stopped. The checks that finished are listed above.');
  });
  resetButton.addEventListener('click', () => {
    if (!confirm('Put back the starter? Your edits to this lab will be lost.')) return;
    forgetSource(storeId);
    text = starter;
    editor?.setValue(starter);
    const staticCode = editorHost.querySelector('pre code');
    if (!editor && staticCode) staticCode.textContent = starter;
  });
  const wake = () => {
    client.warm();
    void loadEditor();
  };
  root.addEventListener('pointerenter', wake, { once: true });
  root.addEventListener('focusin', wake, { once: true });
  editorHost.addEventListener('click', () => void loadEditor().then((ed) => ed?.focus()));

  // Someone who edited before sees their version, not the starter, even before Monaco loads.
  if (text !== starter) {
    const code = editorHost.querySelector('pre');
    if (code) {
      const pre = document.createElement('pre');
      pre.className = 'lab-bench__saved';
      pre.textContent = text;
      code.replaceWith(pre);
    }
  }
  const previous = loadProgress(lab).lastResult;
  if (previous && previous.lab === lab) showResult(previous);
  else list.replaceChildren(...pendingRows(document, checks));
  showBest();
}

document.querySelectorAll<HTMLElement>('[data-lab-bench]').forEach((root) => {
  setupBench(root);
  setupHints(root.dataset.lab!);
});
