// The playground console's little shell: parses what the learner types.
import type { SsState } from '../../../types/closing-time.d.ts';
import { SS_ALL, SS_CONN, SS_LISTENING, parseSsFilter, type SsFilter } from '../../console/ss-filter.ts';
import { pageLocale, t } from '../../i18n/index.ts';

export type ConsoleCommand =
  | { kind: 'help' }
  | {
      kind: 'ss';
      host?: string;
      timers: boolean;
      /** -a: every state (netstat: listeners too). */
      listeners: boolean;
      /** -l: listeners only. */
      listening?: boolean;
      /** -p: the owning process (users:(("name"))). */
      processes?: boolean;
      /** -s: the summary (ss -s) before any table. */
      summary?: boolean;
      /** `state ...`, `dport = :80` ...; absent when none was typed. */
      filter?: SsFilter;
    }
  | { kind: 'nstat'; host?: string; zeros: boolean }
  | { kind: 'clear' }
  | { kind: 'replay' }
  | { kind: 'filter'; host: string | null }
  | { kind: 'empty' }
  | { kind: 'unknown'; text: string; message: string };

/** The English help (the page shows its language's, src/i18n 'console.help'). */
export const HELP_TEXT = [
  'Commands:',
  '  ss -tan [HOST]        sockets of every host (or one), as `ss -tan` shows them; -o adds timers',
  '  ss -tan state time-wait   only one state (also close-wait, established, fin-wait-2, listening ...)',
  '  ss -tan dport = :80   filter by port (sport, dport) or address (src 10.0.0.1, dst 10.0.0.2:80)',
  '  ss -s [HOST]          the socket summary: TCP total, estab, orphaned, timewait',
  '  ss -tanp              ... with the process that holds each socket (none for TIME-WAIT and orphans)',
  '  netstat -tan [HOST]   the same sockets, netstat-style',
  '  nstat -az [HOST]      TCP counters of every host (or one), as `nstat -az` shows them; without -z, only those not 0',
  '  filter HOST           show only lines that involve HOST (filter off: show all)',
  '  replay                print the whole trace again (with the current filter)',
  '  clear                 clear the console',
  '  help                  this text',
  'While the diagram has a position selected, ss and nstat show that moment.',
];

export function parseCommand(input: string): ConsoleCommand {
  const text = input.trim();
  if (!text) return { kind: 'empty' };
  const [cmd, ...args] = text.split(/\s+/);
  switch (cmd) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'clear':
      return { kind: 'clear' };
    case 'replay':
      return { kind: 'replay' };
    case 'filter': {
      const host = args[0];
      if (!host || host === 'off' || host === 'none' || host === '*') return { kind: 'filter', host: null };
      return { kind: 'filter', host };
    }
    case 'ss':
    case 'netstat': {
      let timers = false;
      let listeners = false;
      let listening = false;
      let summary = false;
      let processes = false;
      let host: string | undefined;
      const words: string[] = [];
      if (args.some((a) => a.startsWith('|'))) {
        return { kind: 'unknown', text, message: `${cmd}: the console has no pipes; count rows in your program with os.ss() instead (the lesson shows how)` };
      }
      for (const a of args) {
        if (a.startsWith('-') && a.length > 1) {
          const letters = a.slice(1);
          const allowed = cmd === 'ss' ? 'tanuolps' : 'tanuolp';
          const bad = [...letters].filter((l) => !allowed.includes(l));
          if (bad.length) return { kind: 'unknown', text, message: `${cmd}: unsupported option -- '${bad[0]}' (try ${cmd} -tan)` };
          if (letters.includes('o')) timers = true;
          if (letters.includes('a')) listeners = true;
          if (letters.includes('l')) listening = true;
          if (letters.includes('s')) summary = true;
          if (letters.includes('p')) processes = true;
        } else words.push(a);
      }
      let filter: SsFilter | undefined;
      let rest = words;
      if (cmd === 'ss') {
        const parsed = parseSsFilter(words);
        if (!parsed.ok) return { kind: 'unknown', text, message: parsed.message };
        if (parsed.filter.states !== null || parsed.filter.conditions.length > 0) filter = parsed.filter;
        rest = parsed.rest;
      }
      for (const a of rest) {
        if (!host) host = a;
        else return { kind: 'unknown', text, message: `${cmd}: one host at most (got '${host}' and '${a}')` };
      }
      const out: ConsoleCommand = { kind: 'ss', host, timers, listeners };
      if (listening) out.listening = true;
      if (summary) out.summary = true;
      if (processes && cmd === 'ss') out.processes = true;
      if (filter) out.filter = filter;
      return out;
    }
    case 'nstat': {
      let zeros = false;
      let host: string | undefined;
      for (const a of args) {
        if (a.startsWith('-')) {
          const letters = a.slice(1);
          // -a: absolute values (the console keeps no history, so they always are); -z: zeros too; -s: no history update.
          const bad = [...letters].filter((l) => !'azs'.includes(l));
          if (bad.length) return { kind: 'unknown', text, message: `nstat: unsupported option -- '${bad[0]}' (try nstat -az)` };
          if (letters.includes('z')) zeros = true;
        } else if (!host) host = a;
        else return { kind: 'unknown', text, message: `nstat: one host at most (got '${host}' and '${a}')` };
      }
      return { kind: 'nstat', host, zeros };
    }
    default:
      return { kind: 'unknown', text, message: t(pageLocale(), 'console.notFound', { cmd }) };
  }
}

/**
 * The states an ss command lists: its `state`/`exclude` words, else -a (all),
 * -l (listeners), or plain ss's SS_CONN, which leaves out LISTEN, TIME_WAIT and
 * SYN_RECV (misc/ss.c main). netstat -tn shows every state but LISTEN; -a adds it.
 */
export function ssStates(cmd: Extract<ConsoleCommand, { kind: 'ss' }>, netstat: boolean): readonly SsState[] {
  if (netstat) return cmd.listeners ? SS_ALL : SS_ALL.filter((s) => s !== 'LISTEN');
  if (cmd.filter?.states) return cmd.filter.states;
  // In ss the last of -a and -l wins; the console takes -a over -l.
  if (cmd.listeners) return SS_ALL;
  if (cmd.listening) return SS_LISTENING;
  return SS_CONN;
}
