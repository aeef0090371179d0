// Trace formatting shared by the `closing-time` command and the site's xterm
// console. Pure TypeScript: no DOM, no Node APIs.
export { createFormatter, formatEvent, formatSegment } from './formatter.ts';
export type { TraceFormatter, TraceFormatterOptions } from './formatter.ts';
export type { FormatOptions } from './options.ts';
export { SeqTracker } from './seq-tracker.ts';
export { formatSsTable } from './ss-table.ts';
export type { SsTableOptions } from './ss-table.ts';
export { formatSummary, runEndSentence } from './summary.ts';
export type { SummaryLike, SummaryOptions } from './summary.ts';
export { formatTime, formatDuration } from './time-format.ts';
export { strerror } from './errno-text.ts';
export { paint, stripAnsi } from './ansi.ts';
export { segmentStyle } from './segment-line.ts';
export { processTag } from './event-lines.ts';
export { tracePcap, capturedSegments, internetChecksum, tcpFlagBits, PCAP_MAGIC, LINKTYPE_RAW } from './pcap.ts';
export { countersFromTrace } from './nstat.ts';
export { formatNstat, makeNstatTable } from '../sim/tcp/counters.ts';
