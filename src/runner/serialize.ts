// A RunSummary as it crosses a thread boundary (postMessage, the CLI's --json):
// the `ss` tables of `hosts` are SsTable arrays with methods, which structured
// clone refuses, so they travel as plain arrays of plain SsRow objects.
import type { SsRow, TraceEvent } from '../../types/closing-time.d.ts';
import type { RunSummary } from '../sim/world-types.ts';

export type SerializedRunSummary = Omit<RunSummary, 'hosts'> & { hosts: { name: string; ip: string; ss: SsRow[] }[] };

export function serializeSummary(summary: RunSummary): SerializedRunSummary {
  return {
    ...summary,
    blocked: summary.blocked.map((b) => ({ ...b })),
    failed: summary.failed.map((f) => JSON.parse(JSON.stringify(f))),
    hosts: summary.hosts.map((h) => ({ name: h.name, ip: h.ip, ss: Array.from(h.ss, (row) => ({ ...row })) })),
  };
}

/**
 * A trace event as plain data. The simulator's segments compute their fields in
 * getters (structured clone would drop them) and provide toJSON, so JSON it is.
 */
export function plainEvent(event: TraceEvent): TraceEvent {
  return JSON.parse(JSON.stringify(event)) as TraceEvent;
}
