// The end of a run, for people: each host's sockets as `ss -tan` shows them,
// why the run ended, who was still waiting and who failed.
import type { ProcessEvent, SsRow } from '../../types/closing-time.d.ts';
import type { RunSummary } from '../sim/world-types.ts';
import { paint } from './ansi.ts';
import { errorPlace, processTag } from './event-lines.ts';
import { formatSsTable } from './ss-table.ts';
import { formatTime } from './time-format.ts';

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
}

function failure(e: ProcessEvent, fileName: string | undefined): string {
  const err = e.error;
  if (!err) return `${processTag(e.host, e.pid, e.process)}: failed`;
  return `${processTag(e.host, e.pid, e.process)}: ${err.name}: ${err.message}${errorPlace(err, fileName)}`;
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
  // The world's message is already plain language ("The run ended at 60.06 s ...").
  const message = summary.message || `The run ended at ${formatTime(summary.virtualMs)} s of virtual time (${summary.endedBy}).`;
  out.push(paint(endStyle, message, c));
  if (summary.blocked.length) {
    out.push('Still waiting when the run ended (not an error, e.g. a server waiting for more clients):');
    for (const b of summary.blocked) out.push(`  ${processTag(b.host, b.pid, b.process)} in ${b.waitingIn}`);
  }
  if (summary.failed.length) {
    out.push(paint('boldRed', 'Failed processes:', c));
    for (const f of summary.failed) out.push(`  ${failure(f, options.fileName)}`);
  }
  if (summary.pendingTimers > 0) out.push(`${summary.pendingTimers} timer${summary.pendingTimers === 1 ? '' : 's'} still armed.`);
  out.push(paint('dim', `${summary.events} engine events, ${summary.traced} trace events.`, c));
  return out.join('\n');
}
