// The playground's console: an xterm that streams the coloured trace and runs
// the commands of console-commands.ts. Input comes through a prompt field under
// the terminal (keys typed into the terminal are forwarded to it), which keeps
// it usable with a screen reader and a keyboard.
import { Terminal, type IMarker, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { SsRow, TraceEvent } from '../../../types/closing-time.d.ts';
import type { RunSummary } from '../../sim/world-types.ts';
import { countersFromTrace, createFormatter, formatNstat, formatSsTable, formatSummary, makeNstatTable, paint, type TraceFormatter } from '../../console/index.ts';
import { parseCommand, ssStates, type ConsoleCommand } from './console-commands.ts';
import { pageLocale, t, type UiKey } from '../../i18n/index.ts';

const tr = (key: UiKey, vars?: Record<string, string | number>) => t(pageLocale(), key, vars);
import { socketsFromTrace, sockstatEntriesFromTrace } from './live-ss.ts';
import { filterRows } from '../../console/ss-filter.ts';
import { formatSsSummary, sockstat, sockstatEntriesFromRows, type SockstatEntry } from '../../console/ss-summary.ts';
import { wrapToColumns } from './console-wrap.ts';

const LIGHT: ITheme = {
  background: '#fbfaf7', foreground: '#1f2328', cursor: '#b4530d', selectionBackground: '#f5c27a88',
  black: '#1f2328', red: '#c0262d', green: '#1a7f37', yellow: '#9a6700', blue: '#0b5cad', magenta: '#8250df', cyan: '#0b6b77', white: '#646b74',
  brightBlack: '#646b74', brightRed: '#a40e26', brightGreen: '#116329', brightYellow: '#7d4e00', brightBlue: '#0550ae', brightMagenta: '#6639ba', brightCyan: '#1b7c83', brightWhite: '#1f2328',
};
const DARK: ITheme = {
  background: '#0b1016', foreground: '#e6e8eb', cursor: '#f5a04a', selectionBackground: '#f5a04a55',
  black: '#484f58', red: '#ff7b72', green: '#4ac26b', yellow: '#e3b341', blue: '#79a8ff', magenta: '#d2a8ff', cyan: '#5cc8d6', white: '#b1bac4',
  brightBlack: '#8b949e', brightRed: '#ffa198', brightGreen: '#56d364', brightYellow: '#f0c45a', brightBlue: '#a5c8ff', brightMagenta: '#e2c5ff', brightCyan: '#76e3ea', brightWhite: '#ffffff',
};

/**
 * Dim text (timestamps, timers being set, causes) in bright black instead:
 * xterm draws SGR 2 at half opacity, 3.1:1 on the light background; bright
 * black is 5.2:1 there and 6.2:1 on the dark one (WCAG AA asks 4.5:1).
 */
export function legible(text: string): string {
  let dim = false;
  return text.replace(/\x1b\[(2|22)m/g, (sgr, code: string) => {
    if (code === '2') {
      dim = true;
      return '\x1b[90m';
    }
    if (!dim) return sgr;
    dim = false;
    return '\x1b[39m';
  });
}

/** Continuation rows of a folded console line start this much further in. */
const WRAP_INDENT = 2;

/** Lines written before the console stops echoing a huge trace (commands still see all of it). */
const MAX_LINES = 20_000;
/** Trace positions we keep a terminal marker for, so scrubbing can find the line. */
const MAX_MARKERS = 3_000;

export interface TraceConsoleSource {
  events(): readonly TraceEvent[];
  summary(): RunSummary | null;
  /** The trace position selected in the diagram, if any. */
  selectedN(): number | null;
  fileName(): string;
}

export class TraceConsole {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private formatter: TraceFormatter;
  private filterHost: string | null = null;
  private absoluteSeq = false;
  private lines = 0;
  private truncated = false;
  private markers = new Map<number, IMarker>();
  private readonly ro: ResizeObserver;

  constructor(
    private readonly host: HTMLElement,
    private readonly input: HTMLInputElement,
    private readonly source: TraceConsoleSource,
    dark: boolean,
  ) {
    this.term = new Terminal({
      convertEol: true,
      disableStdin: false,
      cursorBlink: false,
      cursorStyle: 'bar',
      cursorInactiveStyle: 'none',
      fontFamily: 'ui-monospace, "JetBrains Mono", "Cascadia Code", Menlo, Consolas, monospace',
      fontSize: 12.5,
      lineHeight: 1.2,
      scrollback: MAX_LINES + 500,
      theme: dark ? DARK : LIGHT,
      allowProposedApi: false,
      screenReaderMode: false,
    });
    this.term.loadAddon(this.fit);
    host.replaceChildren();
    this.term.open(host);
    this.formatter = this.newFormatter();
    this.ro = new ResizeObserver(() => {
      try {
        this.fit.fit();
      } catch {
        // Not laid out yet (hidden): the next resize fits it.
      }
    });
    this.ro.observe(host);
    // Typing into the terminal goes to the prompt.
    this.term.onData((data) => {
      if (data === '\r') {
        this.submit();
      } else if (data === '\x7f') {
        this.input.value = this.input.value.slice(0, -1);
      } else if (data >= ' ' && !data.startsWith('\x1b')) {
        this.input.value += data;
      }
      this.input.focus();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.submit();
      }
    });
    this.println(paint('dim', t(pageLocale(), 'console.start'), true));
  }

  setDark(dark: boolean): void {
    this.term.options.theme = dark ? DARK : LIGHT;
  }

  private newFormatter(): TraceFormatter {
    return createFormatter({ color: true, fileName: this.source.fileName(), timeWidth: 9, absoluteSeq: this.absoluteSeq, hosts: this.filterHost ? [this.filterHost] : undefined });
  }

  /** Absolute sequence numbers (tcpdump -S) or relative ones; redraws the trace so far. */
  setAbsoluteSeq(absolute: boolean): void {
    if (absolute === this.absoluteSeq) return;
    this.absoluteSeq = absolute;
    if (this.source.events().length > 0) this.run('replay');
    else this.formatter = this.newFormatter();
  }

  /** A new run: fresh numbering, fresh screen. */
  reset(): void {
    this.term.reset();
    this.formatter = this.newFormatter();
    this.lines = 0;
    this.truncated = false;
    this.markers.forEach((m) => m.dispose());
    this.markers.clear();
  }

  /** A line as the console shows it: legible colours, folded at spaces to the terminal's width. */
  private fold(text: string): string {
    return wrapToColumns(legible(text), this.term.cols, WRAP_INDENT);
  }

  println(text: string): void {
    this.term.write(`${this.fold(text)}\n`);
    this.lines += text.split('\n').length;
  }

  writeEvents(events: readonly TraceEvent[]): void {
    let chunk = '';
    for (const ev of events) {
      const line = this.formatter.format(ev);
      if (line === null) continue;
      if (this.lines >= MAX_LINES) {
        if (!this.truncated) {
          this.truncated = true;
          chunk += `${this.fold(paint('yellow', `… the console stops here after ${MAX_LINES} lines; the run goes on. Use filter HOST, replay or ss -tan.`, true))}\n`;
        }
        continue;
      }
      const wantsMarker = (ev.kind === 'segment' || ev.kind === 'state') && this.markers.size < MAX_MARKERS;
      if (wantsMarker) {
        if (chunk) this.term.write(chunk);
        chunk = '';
        const n = ev.n;
        // The callback runs once everything before it is parsed: the cursor is at this line's start.
        this.term.write('', () => {
          const m = this.term.registerMarker(0);
          if (m) this.markers.set(n, m);
        });
      }
      chunk += `${this.fold(line)}\n`;
      this.lines += 1 + (line.match(/\n/g)?.length ?? 0);
    }
    if (chunk) this.term.write(chunk);
  }

  /** Scrolls to and selects the line of trace position n. Returns false if that line is not on screen. */
  highlight(n: number): boolean {
    const m = this.markers.get(n);
    if (!m || m.isDisposed || m.line < 0) return false;
    this.term.scrollToLine(Math.max(0, m.line - Math.floor(this.term.rows / 2)));
    this.term.selectLines(m.line, m.line);
    return true;
  }

  /** The plain text of the line for trace position n (tests and the diagram caption use it). */
  lineText(n: number): string | null {
    const m = this.markers.get(n);
    if (!m || m.line < 0) return null;
    return this.term.buffer.active.getLine(m.line)?.translateToString(true) ?? null;
  }

  /** Everything in the console's buffer, scrollback included, as plain text. */
  text(): string {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buf.length; i++) out.push(buf.getLine(i)?.translateToString(true) ?? '');
    return out.join('\n').replace(/\n+$/, '');
  }

  selection(): string {
    return this.term.getSelection();
  }

  printSummary(summary: RunSummary): void {
    this.println('');
    this.println(formatSummary(summary, { color: true, tables: false, fileName: this.source.fileName(), locale: pageLocale() }));
  }

  private submit(): void {
    const text = this.input.value;
    this.input.value = '';
    this.println(`${paint('bold', '$', true)} ${text}`);
    this.run(text);
  }

  run(text: string): void {
    const cmd = parseCommand(text);
    switch (cmd.kind) {
      case 'empty':
        return;
      case 'help':
        // In the page's language; the commands themselves stay as typed.
        t(pageLocale(), 'console.help').split('\n').forEach((l) => this.println(l));
        return;
      case 'clear':
        this.term.clear();
        return;
      case 'filter':
        this.filterHost = cmd.host;
        this.println(cmd.host ? tr('console.filterOn', { host: cmd.host }) : tr('console.filterOff'));
        return;
      case 'replay': {
        this.reset();
        const events = this.source.events();
        this.writeEvents(events);
        const s = this.source.summary();
        if (s) this.printSummary(s);
        return;
      }
      case 'unknown':
        this.println(paint('red', cmd.message, true));
        return;
      case 'ss':
        this.printSockets(cmd, text.trim().startsWith('netstat'));
        return;
      case 'nstat':
        this.printCounters(cmd.host, cmd.zeros);
        return;
    }
  }

  /** Each host's counters at the selected position (or the end), rebuilt from the trace (console/nstat.ts). */
  private printCounters(host: string | undefined, zeros: boolean): void {
    const events = this.source.events();
    if (events.length === 0) {
      this.println(tr('console.noCounters'));
      return;
    }
    const selected = this.source.selectedN();
    const t = selected === null ? events[events.length - 1]!.t : (events.find((e) => e.n === selected)?.t ?? 0);
    const byHost = countersFromTrace(events, selected ?? Infinity);
    let names = [...new Set(events.flatMap((e) => ('host' in e && e.host ? [e.host] : [])))];
    if (host) {
      names = names.filter((n) => n === host);
      if (names.length === 0) {
        this.println(paint('red', tr('console.noHost', { host }), true));
        return;
      }
    }
    this.println(paint('dim', tr(selected === null ? 'console.countersEnd' : 'console.countersAt', { s: (t / 1000).toFixed(3) }), true));
    for (const name of names) {
      this.println(paint('bold', `# ${name}`, true));
      const table = byHost.get(name) ?? makeNstatTable([]);
      this.println(formatNstat(table, zeros));
    }
  }

  private printSockets(cmd: Extract<ConsoleCommand, { kind: 'ss' }>, netstat: boolean): void {
    const { host, timers } = cmd;
    const summary = this.source.summary();
    const selected = this.source.selectedN();
    let tables: { name: string; rows: readonly SsRow[]; stat: () => SockstatEntry[] }[];
    let note: string;
    if (summary && selected === null) {
      tables = summary.hosts.map((h) => ({ name: h.name, rows: h.ss, stat: () => sockstatEntriesFromRows(h.ss) }));
      note = tr('console.socketsEnd', { s: (summary.virtualMs / 1000).toFixed(3) });
    } else {
      const events = this.source.events();
      if (events.length === 0) {
        this.println(tr('console.noSockets'));
        return;
      }
      const upTo = selected ?? Infinity;
      const t = selected === null ? events[events.length - 1]!.t : (events.find((e) => e.n === selected)?.t ?? 0);
      const byHost = socketsFromTrace(events, upTo, t);
      let stats: Map<string, SockstatEntry[]> | null = null;
      const names = [...new Set(events.flatMap((e) => ('host' in e && e.host ? [e.host] : [])))];
      tables = names.map((name) => ({ name, rows: byHost.get(name) ?? [], stat: () => (stats ??= sockstatEntriesFromTrace(events, upTo)).get(name) ?? [] }));
      note = tr('console.socketsAt', { s: (t / 1000).toFixed(3) });
    }
    if (host) {
      tables = tables.filter((t) => t.name === host);
      if (tables.length === 0) {
        this.println(paint('red', tr('console.noHost', { host }), true));
        return;
      }
    }
    const states = ssStates(cmd, netstat);
    const filter = cmd.filter ?? { states: null, conditions: [] };
    const onlySummary = cmd.summary && !cmd.filter;
    this.println(paint('dim', `# ${note}`, true));
    for (const t of tables) {
      this.println(paint('bold', `# ${t.name}`, true));
      if (cmd.summary) this.println(formatSsSummary(sockstat(t.stat())));
      if (onlySummary) continue;
      if (netstat) {
        this.println(formatNetstat(t.rows.filter((r) => states.includes(r.state))));
      } else {
        const rows = filterRows(t.rows, filter, states);
        this.println(formatSsTable(rows, { timers, processes: cmd.processes, state: states.length !== 1 }).replace(/\n$/, ''));
      }
    }
  }

  focusInput(): void {
    this.input.focus();
  }

  dispose(): void {
    this.ro.disconnect();
    this.term.dispose();
  }
}

const NETSTAT_STATE: Record<string, string> = {
  ESTAB: 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2',
  'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK', 'TIME-WAIT': 'TIME_WAIT', CLOSING: 'CLOSING', LISTEN: 'LISTEN', UNCONN: 'CLOSE',
};

/** netstat -tan's layout (net-tools): Proto Recv-Q Send-Q Local Address Foreign Address State. */
export function formatNetstat(rows: readonly SsRow[]): string {
  const head = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ';
  const body = rows.map((r) => {
    const peer = r.peer === '*:*' ? '0.0.0.0:*' : r.peer;
    const local = r.local.startsWith('*:') ? `0.0.0.0${r.local.slice(1)}` : r.local;
    return `tcp   ${String(r.recvQ).padStart(6)} ${String(r.sendQ).padStart(6)} ${local.padEnd(23)} ${peer.padEnd(23)} ${NETSTAT_STATE[r.state] ?? r.state}`;
  });
  return ['Active Internet connections (servers and established)', head, ...body].join('\n');
}
