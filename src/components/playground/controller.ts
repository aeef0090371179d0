// A playground brought to life: Monaco editor, xterm console, live ladder
// diagram and the "what to look for" list, all fed by one run in the runner's
// Web Worker. Loaded (dynamic import) only when the reader touches a playground.
import type { ProcessEvent, TraceEvent } from '../../../types/closing-time.d.ts';
import type { RunSummary } from '../../sim/world-types.ts';
import { RunnerClient, type WorkerFactory } from '../../runner/browser/client.ts';
import type { Diagnostic } from '../../runner/browser/protocol.ts';
import { capturedSegments, paint, runEndSentence, tracePcap } from '../../console/index.ts';
import { ExpectationTracker, parseExpectations, type Expectation } from './expectations.ts';
import { LadderView } from './ladder-view.ts';
import { TraceConsole } from './trace-console.ts';
import { savedSource, saveSource, forgetSource } from './source-store.ts';
import { pageLocale, translator } from '../../i18n/index.ts';

/** The page's UI strings (src/i18n), in the language of its <html lang>. */
const tr = translator(pageLocale());

type Monaco = typeof import('monaco-editor/editor/editor.api');
type Editor = import('monaco-editor/editor/editor.api').editor.IStandaloneCodeEditor;
type MonacoSetup = typeof import('./monaco-setup.ts');

/** Events kept for the diagram, replay and ss; a lab making 100k connections stops recording here. */
const MAX_EVENTS = 400_000;
const MARKER_OWNER = 'closing-time-run';

/** Virtual time as the clock and the stop message write it. */
const formatClock = (ms: number) => `t = ${(ms / 1000).toFixed(3)} s`;

const $ = <T extends Element>(root: ParentNode, sel: string) => root.querySelector<T>(sel)!;
const isDark = () => document.documentElement.dataset.theme === 'dark';

export class PlaygroundController {
  readonly id: string;
  private readonly original: string;
  private readonly expectations: Expectation[];
  private readonly seed?: number;
  private readonly untilMs?: number;
  private readonly scenario?: string;
  private readonly client: RunnerClient;
  private monaco: Monaco | null = null;
  private editor: Editor | null = null;
  /** Settles with the editor once Monaco has loaded (null if it could not). */
  private editorReady: Promise<Editor | null> = Promise.resolve(null);
  private editorTheme: MonacoSetup['editorTheme'] = (dark) => (dark ? 'vs-dark' : 'vs');
  private console!: TraceConsole;
  private ladder!: LadderView;
  private events: TraceEvent[] = [];
  private summary: RunSummary | null = null;
  private tracker: ExpectationTracker;
  private selectedN: number | null = null;
  private runStartedAt = 0;
  private firstBatchSeen = false;
  /** The learner pressed Stop during this run. */
  private stopRequested = false;
  /** Virtual time of the last event shown in this run. */
  private lastShownMs = 0;
  /**
   * The virtual clock beside the controls. In a paced run it runs on between
   * batches from the last point the worker gave (a batch's clockMs, a skip's
   * toMs) at the run's speed; otherwise it shows the last event's time.
   */
  private clock = { speed: 0, anchorMs: 0, anchorAt: 0, shownMs: 0, frame: 0, live: false };
  private readonly els: {
    run: HTMLButtonElement;
    stop: HTMLButtonElement;
    reset: HTMLButtonElement;
    pcap: HTMLButtonElement;
    speed: HTMLSelectElement;
    status: HTMLElement;
    clock: HTMLElement | null;
    editorHost: HTMLElement;
  };

  constructor(
    private readonly root: HTMLElement,
    options: PlaygroundOptions = {},
  ) {
    this.id = root.dataset.id!;
    this.client = new RunnerClient(options.workerFactory);
    this.scenario = root.dataset.scenario || undefined;
    this.onCheckCommand = options.onCheckCommand;
    this.original = JSON.parse($<HTMLScriptElement>(root, 'script[data-source]').textContent ?? '""');
    this.expectations = parseExpectations(JSON.parse(root.dataset.expect ?? '[]'), `playground ${this.id}`);
    this.seed = root.dataset.seed ? Number(root.dataset.seed) : undefined;
    this.untilMs = root.dataset.until ? Number(root.dataset.until) : undefined;
    this.tracker = new ExpectationTracker(this.expectations, pageLocale());
    this.els = {
      run: $(root, '[data-action="run"]'),
      stop: $(root, '[data-action="stop"]'),
      reset: $(root, '[data-action="reset"]'),
      pcap: $(root, '[data-action="pcap"]'),
      speed: $(root, '[data-speed]'),
      status: $(root, '[data-status]'),
      clock: root.querySelector<HTMLElement>('[data-clock]'),
      editorHost: $(root, '[data-editor]'),
    };
  }

  private readonly onCheckCommand?: () => void;

  get fileName(): string {
    return this.root.dataset.file || `${this.id}.ts`;
  }

  /** Console, diagram and worker now; the editor as soon as Monaco has loaded. */
  async init(): Promise<void> {
    this.client.warm();
    const panes = $<HTMLElement>(this.root, '.playground__panes');
    panes.hidden = false;
    this.console = new TraceConsole($(this.root, '[data-console]'), $(this.root, '[data-prompt]'), {
      events: () => this.events,
      summary: () => this.summary,
      selectedN: () => this.selectedN,
      fileName: () => this.fileName,
    }, isDark());
    this.ladder = new LadderView(
      $(this.root, '[data-ladder]'),
      $(this.root, '[data-scrub]'),
      $(this.root, '[data-scrub-caption]'),
      () => this.events,
      (n) => {
        this.selectedN = n;
        if (n !== null) this.console.highlight(n);
      },
    );
    this.ladder.onNumbering = (absolute) => this.console.setAbsoluteSeq(absolute);
    this.ladder.clear();
    this.els.stop.addEventListener('click', () => this.stop());
    this.els.reset.addEventListener('click', () => this.reset());
    this.els.pcap.addEventListener('click', () => this.downloadPcap());
    window.addEventListener('closing-time:theme', () => {
      this.console.setDark(isDark());
      this.monaco?.editor.setTheme(this.editorTheme(isDark()));
    });
    this.root.dataset.state = 'ready';
    this.editorReady = this.loadEditor();
  }

  private async loadEditor(): Promise<Editor | null> {
    this.root.dataset.editor = 'loading';
    let setup: MonacoSetup;
    try {
      setup = await import('./monaco-setup.ts');
    } catch (e) {
      this.root.dataset.editor = 'failed';
      this.console.println(paint('red', tr('pg.editorFailed', { error: (e as Error).message }), true));
      return null;
    }
    const { monaco } = setup;
    this.monaco = monaco;
    this.editorTheme = setup.editorTheme;
    const host = this.els.editorHost;
    const value = savedSource(this.id) ?? this.original;
    const uri = monaco.Uri.parse(`file:///playground/${this.fileName}`);
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(value, 'typescript', uri);
    model.setValue(value);
    host.replaceChildren();
    const lineHeight = 19;
    const fitHeight = () => {
      host.style.height = `${Math.min(560, Math.max(160, model.getLineCount() * lineHeight + 24))}px`;
    };
    fitHeight();
    const editor = monaco.editor.create(host, {
      model,
      theme: setup.editorTheme(isDark()),
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13.5,
      lineHeight,
      scrollBeyondLastLine: false,
      tabSize: 2,
      fixedOverflowWidgets: true,
      ariaLabel: tr('pg.editorAria', { file: this.fileName }),
      scrollbar: { alwaysConsumeMouseWheel: false },
      padding: { top: 8, bottom: 8 },
    });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => this.run());
    const check = this.onCheckCommand;
    if (check) editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => check());
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      clearTimeout(saveTimer);
      saveTimer = undefined;
      saveSource(this.id, model.getValue(), this.original);
    };
    model.onDidChangeContent(() => {
      fitHeight();
      monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 300);
    });
    // A reload or a closed tab within the debounce keeps the last keystrokes.
    window.addEventListener('pagehide', () => saveTimer !== undefined && save());
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && saveTimer !== undefined && save());
    // IntelliSense only once the learner works in the editor: a Run needs none of it.
    const intelliSense = () => {
      setup.loadIntelliSense().then(
        () => (this.root.dataset.intellisense = 'ready'),
        () => (this.root.dataset.intellisense = 'failed'),
      );
      focused.dispose();
      edited.dispose();
    };
    const focused = editor.onDidFocusEditorText(intelliSense);
    const edited = model.onDidChangeContent(intelliSense);
    this.editor = editor;
    this.root.dataset.editor = 'ready';
    return editor;
  }

  /** The console's text and selection: what a reader sees, for tests and assistive tools. */
  consoleText(): string {
    return this.console.text();
  }

  consoleSelection(): string {
    return this.console.selection();
  }

  /** The run's error markers in the editor (line and message). */
  errorMarkers(): { line: number; message: string }[] {
    const model = this.editor?.getModel();
    if (!this.monaco || !model) return [];
    return this.monaco.editor.getModelMarkers({ owner: MARKER_OWNER, resource: model.uri }).map((m) => ({ line: m.startLineNumber, message: m.message }));
  }

  /**
   * Focuses the editor once it has loaded: at `offset` (a character offset
   * into the program, where the reader clicked the static code) or where the
   * caret was, then types what the reader typed while it loaded.
   */
  async focusEditor(options: { offset?: number; typed?: () => string } = {}): Promise<void> {
    const editor = await this.editorReady;
    const model = editor?.getModel();
    if (!editor || !model) return;
    if (options.offset !== undefined) editor.setPosition(model.getPositionAt(options.offset));
    editor.focus();
    const text = options.typed?.();
    if (text) editor.trigger('keyboard', 'type', { text });
  }

  source(): string {
    return this.editor?.getValue() ?? savedSource(this.id) ?? this.original;
  }

  run(): void {
    this.root.querySelector('.playground__expect')?.removeAttribute('hidden');
    delete this.root.dataset.view;
    const source = this.source();
    saveSource(this.id, source, this.original);
    this.clearMarkers();
    this.events = [];
    this.summary = null;
    this.selectedN = null;
    this.tracker = new ExpectationTracker(this.expectations, pageLocale());
    this.renderExpectations();
    this.console.reset();
    this.ladder.clear();
    this.shownError = null;
    this.firstBatchSeen = false;
    this.runStartedAt = performance.now();
    this.stopRequested = false;
    this.lastShownMs = 0;
    delete this.root.dataset.runLatencyMs;
    this.setRunning(true, tr('pg.running'));
    const speed = Number(this.els.speed.value) || 0;
    this.startClock(speed);
    this.client.run(
      { source, fileName: this.fileName, seed: this.seed, untilMs: this.untilMs, speed, ...(this.scenario ? { scenario: this.scenario } : {}) },
      {
        onEvents: (events, clockMs) => this.onEvents(events, clockMs),
        onSkip: (skip) => this.onSkip(skip),
        onDiagnostics: (d) => this.onDiagnostics(d),
        onDone: (s) => this.onDone(s),
        onError: (e) => this.onError(e),
        onStopped: ({ forced }) => {
          const at = this.stoppedAt();
          this.console.println(
            paint('yellow', forced ? tr('pg.workerShutDown', { at }) : at, true),
          );
          this.finish(forced ? tr('pg.workerRestarted', { at }) : at);
        },
      },
    );
  }

  stop(): void {
    if (!this.client.running) return;
    this.stopRequested = true;
    this.els.status.textContent = tr('pg.stopping');
    this.client.stop();
  }

  /** Puts the original back as one edit, so Ctrl+Z (or Undo) brings the learner's version back. */
  reset(): void {
    const model = this.editor?.getModel();
    if (this.editor && model) {
      if (model.getValue() === this.original) {
        this.els.status.textContent = tr('pg.nothingToReset');
        return;
      }
      this.editor.pushUndoStop();
      this.editor.executeEdits('reset', [{ range: model.getFullModelRange(), text: this.original }]);
      this.editor.pushUndoStop();
      this.showUndo();
    } else {
      forgetSource(this.id);
    }
    this.clearMarkers();
    this.els.status.textContent = this.scenario ? tr('pg.starterBack') : tr('pg.programBack');
  }

  private showUndo(): void {
    let undo = this.root.querySelector<HTMLButtonElement>('[data-action="undo-reset"]');
    if (!undo) {
      undo = document.createElement('button');
      undo.type = 'button';
      undo.className = 'pg-btn';
      undo.dataset.action = 'undo-reset';
      undo.textContent = tr('pg.undoReset');
      undo.addEventListener('click', () => {
        this.editor?.trigger('undo-reset', 'undo', null);
        undo!.hidden = true;
        this.els.status.textContent = tr('pg.versionBack');
        this.editor?.focus();
      });
      this.els.reset.after(undo);
    }
    undo.hidden = false;
    const model = this.editor?.getModel();
    const sub = model?.onDidChangeContent(() => {
      if (model.getValue() !== this.original) {
        undo!.hidden = true;
        sub?.dispose();
      }
    });
  }

  /** Marks places in the learner's file (a Check's compile error) as the run's own errors are marked. */
  markProblems(list: { line: number; column: number; message: string }[]): void {
    this.clearMarkers();
    if (list.length) this.setMarkers(list.map((p) => ({ ...p, error: true })));
  }

  /**
   * Shows a finished trace as if it had just run (a lab check's world): the
   * console, the diagram and `ss` work on it; `markN` is selected and
   * announced as the moment of `note`.
   */
  showTrace(events: TraceEvent[], summary: RunSummary, options: { title: string; note: string; markN?: number }): void {
    // A run still going is dropped: its late events and summary must not land on the check's trace.
    if (this.client.running) this.client.abandon();
    this.events = events.slice(0, MAX_EVENTS);
    this.summary = summary;
    this.selectedN = null;
    this.tracker = new ExpectationTracker([]);
    this.root.querySelector('.playground__expect')?.setAttribute('hidden', '');
    this.console.reset();
    this.ladder.clear();
    this.console.println(paint('cyan', options.title, true));
    this.console.writeEvents(this.events);
    this.ladder.update();
    this.ladder.flush();
    this.console.printSummary(summary);
    this.settleClock(summary.virtualMs);
    if (options.markN !== undefined) {
      this.selectedN = options.markN;
      this.ladder.select(options.markN);
      this.console.highlight(options.markN);
    }
    this.console.println(paint('yellow', options.note, true));
    for (const f of summary.failed ?? []) this.markFailure(f);
    this.root.dataset.events = String(this.events.length);
    this.setRunning(false, options.title);
    this.root.dataset.view = 'check';
    this.root.querySelector<HTMLElement>('.playground__panes')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  /**
   * The last run's segments as a capture file (see src/console/pcap.ts), saved
   * as <playground id>.pcap through a Blob URL.
   */
  downloadPcap(): void {
    if (this.client.running || capturedSegments(this.events).length === 0) return;
    const blob = new Blob([tracePcap(this.events)], { type: 'application/vnd.tcpdump.pcap' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${this.id}.pcap`;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    // The download has its own reference to the blob by now; the URL is not needed after this task.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  private onEvents(events: TraceEvent[], clockMs?: number): void {
    const last = events[events.length - 1];
    if (last) this.lastShownMs = Math.max(this.lastShownMs, last.t);
    this.advanceClock(clockMs ?? this.lastShownMs);
    if (!this.firstBatchSeen) {
      this.firstBatchSeen = true;
      this.root.dataset.firstBatchMs = String(Math.round((performance.now() - this.runStartedAt) * 10) / 10);
      // Run → first trace line, for the site's performance budget (scripts/bench-site.ts).
      this.console.term.write('', () => {
        this.root.dataset.runLatencyMs = String(Math.round((performance.now() - this.runStartedAt) * 10) / 10);
      });
    }
    const room = MAX_EVENTS - this.events.length;
    if (room > 0) this.events.push(...(events.length > room ? events.slice(0, room) : events));
    this.console.writeEvents(events);
    this.ladder.update();
    for (const i of this.tracker.feed(events)) this.renderExpectation(i);
    for (const ev of events) {
      if (ev.kind === 'process' && ev.action === 'fail') this.markFailure(ev);
    }
    this.root.dataset.events = String(this.events.length);
  }

  /** The first error diagnostic of this run, as printed: the run's error repeats it. */
  private shownError: Diagnostic | null = null;

  private onDiagnostics(diagnostics: Diagnostic[]): void {
    this.shownError ??= diagnostics.find((d) => d.severity === 'error') ?? null;
    for (const d of diagnostics) {
      this.console.println(paint(d.severity === 'warning' ? 'yellow' : 'red', `${this.fileName}:${d.line}:${d.column} ${d.severity}: ${d.message}`, true));
    }
    this.setMarkers(diagnostics.map((d) => ({ line: d.line, column: d.column, message: d.message, error: d.severity !== 'warning' })));
  }

  /** A paced run jumped over a quiet stretch: the console says so, the clock jumps with it. */
  private onSkip({ fromMs, toMs }: { fromMs: number; toMs: number }): void {
    this.console.println(paint('dim', tr('pg.skipped', { s: ((toMs - fromMs) / 1000).toFixed(1) }), true));
    this.advanceClock(toMs);
  }

  private startClock(speed: number): void {
    cancelAnimationFrame(this.clock.frame);
    this.clock = { speed, anchorMs: 0, anchorAt: performance.now(), shownMs: 0, frame: 0, live: false };
    this.showClock(0);
    if (speed > 0) {
      // It runs from the worker's first word on: the pace starts once the program has compiled.
      const tick = () => {
        const c = this.clock;
        if (c.live) this.showClock(c.anchorMs + (performance.now() - c.anchorAt) * c.speed);
        c.frame = requestAnimationFrame(tick);
      };
      this.clock.frame = requestAnimationFrame(tick);
    }
  }

  /** The worker's word on where virtual time is now. */
  private advanceClock(ms: number): void {
    this.clock.anchorMs = Math.max(ms, this.clock.shownMs);
    this.clock.anchorAt = performance.now();
    this.clock.live = true;
    this.showClock(this.clock.anchorMs);
  }

  /** Stops the clock's ticking and shows `ms` (the run's end or where it stopped). */
  private settleClock(ms: number): void {
    cancelAnimationFrame(this.clock.frame);
    this.clock.frame = 0;
    this.clock.shownMs = ms;
    this.writeClock(ms);
  }

  private showClock(ms: number): void {
    if (ms < this.clock.shownMs) return;
    this.clock.shownMs = ms;
    this.writeClock(ms);
  }

  private writeClock(ms: number): void {
    const el = this.els.clock;
    if (!el) return;
    el.textContent = formatClock(ms);
    el.dataset.ms = String(Math.round(ms));
  }

  /** Where a stopped run stopped: the last event the learner saw, not the simulation's end. */
  private stoppedAt(): string {
    this.settleClock(this.lastShownMs);
    return tr('pg.stoppedAt', { clock: formatClock(this.lastShownMs) });
  }

  private onDone(summary: RunSummary): void {
    if (this.stopRequested) return this.onStoppedDone();
    this.summary = summary;
    this.settleClock(summary.virtualMs);
    this.console.printSummary(summary);
    this.ladder.flush();
    for (const i of this.tracker.finish()) this.renderExpectation(i);
    for (const f of summary.failed ?? []) this.markFailure(f);
    const met = this.tracker.results.filter((r) => r.met).length;
    const total = this.tracker.results.length;
    const verdict = total ? tr('pg.seen', { met, total }) : '';
    // A run that ends normally can still have failed processes: the status says so, not only the console.
    const failed = summary.failed?.length ?? 0;
    const failures = failed ? (failed === 1 ? tr('pg.failed1') : tr('pg.failedN', { n: failed })) : '';
    this.finish(`${runEndSentence(summary, pageLocale())}${failures}${verdict}`);
    this.root.dataset.endedBy = summary.endedBy;
  }

  /**
   * A run the learner stopped. The worker's summary describes the simulation,
   * which may have run on past what was shown (a paced run is simulated
   * ahead): it is not shown, and `ss` rebuilds the sockets from the trace seen.
   */
  private onStoppedDone(): void {
    this.summary = null;
    const at = this.stoppedAt();
    this.console.println(paint('yellow', at, true));
    this.ladder.flush();
    this.finish(at);
    this.root.dataset.endedBy = 'stopped';
  }

  private onError(e: { message: string; line?: number; column?: number }): void {
    this.settleClock(this.lastShownMs);
    // A compile error's message already says where, and its diagnostic is on the console.
    const located = e.message.startsWith(`${this.fileName}:`);
    const where = e.line !== undefined && !located ? `${this.fileName}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}: ` : '';
    const shown = this.shownError !== null && this.shownError.line === e.line && this.shownError.column === e.column;
    if (!shown) this.console.println(paint('red', `${where}${e.message}`, true));
    if (e.line !== undefined) this.setMarkers([{ line: e.line, column: e.column ?? 1, message: e.message, error: true }]);
    this.ladder.flush();
    this.finish(e.line !== undefined && !located ? tr('pg.errorOnLine', { line: e.line, message: e.message }) : tr('pg.error', { message: e.message }));
    this.root.dataset.endedBy = 'error';
  }

  private markFailure(ev: ProcessEvent): void {
    const err = ev.error;
    if (!err || err.line === undefined) return;
    this.setMarkers([{ line: err.line, column: err.column ?? 1, message: `${err.name}: ${err.message}`, error: true }], true);
  }

  private finish(status: string): void {
    this.setRunning(false, status);
    this.renderExpectations();
  }

  private setRunning(running: boolean, status: string): void {
    this.els.run.disabled = running;
    this.els.stop.disabled = !running;
    // A capture of the run so far makes sense only once it is over and sent something.
    this.els.pcap.disabled = running || !this.events.some((e) => e.kind === 'segment' && e.action === 'send');
    this.els.status.textContent = status;
    this.root.dataset.state = running ? 'running' : 'done';
  }

  private setMarkers(list: { line: number; column: number; message: string; error: boolean }[], append = false): void {
    this.root.dataset.errorLine = list.length ? String(list[0]!.line) : '';
    const monaco = this.monaco;
    const model = this.editor?.getModel();
    if (!monaco || !model) return;
    const prev = append ? monaco.editor.getModelMarkers({ owner: MARKER_OWNER, resource: model.uri }) : [];
    const markers = list.map((m) => {
      const line = Math.min(Math.max(1, m.line), model.getLineCount());
      return {
        severity: m.error ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: m.message,
        startLineNumber: line,
        startColumn: Math.max(1, m.column),
        endLineNumber: line,
        endColumn: model.getLineMaxColumn(line),
      };
    });
    monaco.editor.setModelMarkers(model, MARKER_OWNER, [...prev, ...markers]);
    this.editor?.revealLineInCenterIfOutsideViewport(markers[0]?.startLineNumber ?? 1);
  }

  private clearMarkers(): void {
    this.root.dataset.errorLine = '';
    const model = this.editor?.getModel();
    if (this.monaco && model) this.monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
  }

  private renderExpectations(): void {
    this.tracker.results.forEach((_, i) => this.renderExpectation(i));
  }

  private renderExpectation(i: number): void {
    const li = this.root.querySelector<HTMLElement>(`[data-expect-index="${i}"]`);
    const r = this.tracker.results[i];
    if (!li || !r) return;
    li.dataset.met = String(r.met);
    li.classList.toggle('is-met', r.met);
    li.classList.toggle('is-missed', !r.met && this.root.dataset.state === 'done');
    const mark = li.querySelector('.expect__mark');
    if (mark) mark.textContent = r.met ? '✓' : '○';
  }
}

export interface PlaygroundOptions {
  /** The runner's worker (a lab's runs its scenario); default the playground runner. */
  workerFactory?: WorkerFactory;
  /** Ctrl+Shift+Enter in the editor (a lab's Check). */
  onCheckCommand?: () => void;
}

export async function activatePlayground(root: HTMLElement, options: PlaygroundOptions = {}): Promise<PlaygroundController> {
  const c = new PlaygroundController(root, options);
  // Reachable from the element (document.querySelector('[data-playground]').playground) for tests and debugging.
  (root as HTMLElement & { playground?: PlaygroundController }).playground = c;
  await c.init();
  return c;
}
