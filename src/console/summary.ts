// The end of a run, for people: each host's sockets as `ss -tan` shows them,
// why the run ended, who was still waiting and who failed.
import type { ProcessEvent, SsRow } from '../../types/closing-time.d.ts';
import type { RunSummary } from '../sim/world-types.ts';
import { paint } from './ansi.ts';
import { errorPlace, processTag } from './event-lines.ts';
import { formatSsTable } from './ss-table.ts';
import { formatTime } from './time-format.ts';
import { t, type Locale } from '../i18n/index.ts';

/** A RunSummary, or the same with plain row arrays as it crosses a worker boundary. */
export type SummaryLike = Omit<RunSummary, 'hosts'> & { hosts: { name: string; ip: string; ss: readonly SsRow[] }[] };

export interface SummaryOptions {
  color?: boolean;
  /** Print each host's `ss -tan` table first. Default true. */
  tables?: boolean;
  /** Add the `-o` timer column to the tables. Default true. */
  timers?: boolean;
  /** The program's file, to place failures: `(prog.ts:12:5)`. */
  fileName?: string;
  /** The edition whose sentences to use; default English, as the CLI prints. */
  locale?: Locale;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s` : `${ms} ms`;
}

// Why the run ended, in another edition: built from the summary's fields, since
// the world's own message is English. The reason of a stop or a simulator error
// is given as it came (a stop from the page is already in the page's language).
function endSentence(summary: SummaryLike, locale: Locale): string {
  const time = fmtMs(summary.virtualMs);
  switch (summary.endedBy) {
    case 'quiescence':
      return t(locale, 'summary.quiescence', { time });
    case 'time-limit':
      return t(locale, 'summary.timeLimit', { time, n: summary.pendingTimers });
    case 'wall-limit':
      return summary.wallLimitMs !== undefined ? t(locale, 'summary.wallLimit', { ms: summary.wallLimitMs, time }) : t(locale, 'summary.wallLimitBare', { time });
    case 'stopped':
      return t(locale, 'summary.stopped', { reason: stopReason(summary.reason ?? '', locale) });
    case 'error':
      return t(locale, 'summary.error', { reason: summary.reason ?? summary.message });
    default:
      return summary.message;
  }
}

// The runner's own stop reasons (src/runner/browser/serve-runs.ts), in the reader's language.
function stopReason(reason: string, locale: Locale): string {
  if (reason === 'stopped by the user') return t(locale, 'summary.stoppedByUser');
  if (reason === 'replaced by a new run') return t(locale, 'summary.replaced');
  return reason.replace(/[.。]$/, '');
}

// The busy-loop guard's stop (src/runner/busy-loop-guard.ts) is the runner's own sentence, not
// the program's: it is said from its parts in the reader's edition.
const BUSY_LOOP = /^busy loop: the program ran for (\d+(?:\.\d+)? m?s) without waiting on the simulator \((.+:\d+)\)$/;

function failure(e: ProcessEvent, fileName: string | undefined, locale: Locale): string {
  const err = e.error;
  if (!err) return `${processTag(e.host, e.pid, e.process)}: ${t(locale, 'summary.failedBare')}`;
  const busy = err.name === 'BusyLoop' ? BUSY_LOOP.exec(err.message) : null;
  if (busy) {
    return `${processTag(e.host, e.pid, e.process)}: ${t(locale, 'summary.busyLoop', { duration: busy[1]!, place: busy[2]! })}`;
  }
  return `${processTag(e.host, e.pid, e.process)}: ${err.name}: ${err.message}${errorPlace(err, fileName)}`;
}

/** Why the run ended, in one sentence of `locale` (the console's summary line, the playground's status). */
export function runEndSentence(summary: SummaryLike, locale: Locale = 'en'): string {
  // In English the world's message is already plain language ("The run ended at 60.06 s ...").
  if (locale === 'en') return summary.message || `The run ended at ${formatTime(summary.virtualMs)} s of virtual time (${summary.endedBy}).`;
  return endSentence(summary, locale);
}

/** Formats a run's summary; ends without a newline. */
export function formatSummary(summary: SummaryLike, options: SummaryOptions = {}): string {
  const c = options.color ?? false;
  const out: string[] = [];
  if (options.tables ?? true) {
    for (const host of summary.hosts) {
      out.push(paint('bold', `${host.name} (${host.ip}) $ ss -tan${options.timers ?? true ? 'o' : ''}`, c));
      out.push(formatSsTable(host.ss, { timers: options.timers ?? true }));
      out.push('');
    }
  }
  const endStyle = summary.endedBy === 'quiescence' ? 'green' : summary.endedBy === 'time-limit' ? 'yellow' : 'boldRed';
  const locale = options.locale ?? 'en';
  const message = runEndSentence(summary, locale);
  out.push(paint(endStyle, message, c));
  if (summary.blocked.length) {
    out.push(t(locale, 'summary.blocked'));
    for (const b of summary.blocked) out.push(`  ${processTag(b.host, b.pid, b.process)} ${t(locale, 'summary.waitingIn', { call: b.waitingIn })}`);
  }
  if (summary.failed.length) {
    out.push(paint('boldRed', t(locale, 'summary.failed'), c));
    for (const f of summary.failed) out.push(`  ${failure(f, options.fileName, locale)}`);
  }
  if (summary.pendingTimers > 0) out.push(t(locale, summary.pendingTimers === 1 ? 'summary.timerArmed' : 'summary.timersArmed', { n: summary.pendingTimers }));
  out.push(paint('dim', t(locale, 'summary.counts', { events: summary.events, traced: summary.traced }), c));
  return out.join('\n');
}
