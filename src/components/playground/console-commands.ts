// The playground console's little shell: parses what the learner types.
import { pageLocale, t } from '../../i18n/index.ts';
export type ConsoleCommand =
  | { kind: 'help' }
  | { kind: 'ss'; host?: string; timers: boolean; listeners: boolean }
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
      let host: string | undefined;
      for (const a of args) {
        if (a.startsWith('-')) {
          const letters = a.slice(1);
          const bad = [...letters].filter((l) => !'tanuolp'.includes(l));
          if (bad.length) return { kind: 'unknown', text, message: `${cmd}: unsupported option -- '${bad[0]}' (try ${cmd} -tan)` };
          if (letters.includes('o')) timers = true;
          if (letters.includes('a')) listeners = true;
        } else if (!host) host = a;
        else return { kind: 'unknown', text, message: `${cmd}: one host at most (got '${host}' and '${a}')` };
      }
      return { kind: 'ss', host, timers, listeners };
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
