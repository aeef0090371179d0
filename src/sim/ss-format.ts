// `ss -tan` as iproute2's ss prints it when its output is not a terminal
// (misc/ss.c: render_calc_width, render). Columns take the width of their widest
// cell, header included; each column but the first and the port columns is
// preceded by one space; addresses are right-aligned and end in ':', ports are
// left-aligned right after them, so the colons line up. The Process column
// holds ` users:(...)` with -p and ` timer:(...)` with -o, each with the leading
// space ss prints, and every cell is padded, which leaves ss's trailing spaces.
import type { SsRow, SsState, TcpState } from '../../types/closing-time.d.ts';

const SS_NAMES: Record<TcpState, SsState> = {
  CLOSED: 'UNCONN',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN-SENT',
  SYN_RECEIVED: 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  FIN_WAIT_1: 'FIN-WAIT-1',
  FIN_WAIT_2: 'FIN-WAIT-2',
  CLOSE_WAIT: 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK',
  TIME_WAIT: 'TIME-WAIT',
};

/** The state as ss names it (ESTAB, TIME-WAIT, ...). */
export function ssStateName(s: TcpState): SsState {
  return SS_NAMES[s];
}

export interface SsTableOptions {
  /** Like `ss -o`: fill the Process column with `timer:(...)`. Default false. */
  timers?: boolean;
  /** Like `ss -p`: show the owning process. Default false. */
  processes?: boolean;
  /** The State column. ss leaves it out when its filter allows one state only (`ss -tan state time-wait`). Default true. */
  state?: boolean;
}

interface Column {
  header: string;
  align: 'left' | 'right';
  delim: string;
}

const COLUMNS: Column[] = [
  { header: 'State', align: 'left', delim: '' },
  { header: 'Recv-Q', align: 'left', delim: ' ' },
  { header: 'Send-Q', align: 'left', delim: ' ' },
  { header: 'Local Address:', align: 'right', delim: ' ' },
  { header: 'Port', align: 'left', delim: '' },
  { header: 'Peer Address:', align: 'right', delim: ' ' },
  { header: 'Port', align: 'left', delim: '' },
  { header: 'Process', align: 'left', delim: '' },
];

/** Splits 'ip:port' into ss's two cells, 'ip:' and 'port'. */
function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return [address, ''];
  return [address.slice(0, colon + 1), address.slice(colon + 1)];
}

function processCell(row: SsRow, options: SsTableOptions): string {
  const parts: string[] = [];
  if (options.processes && row.process) parts.push(row.process.startsWith('users:') ? row.process : `users:(("${row.process}"))`);
  if (options.timers && row.timer) parts.push(`timer:(${row.timer})`);
  // ss prints each of these with a leading space (" users:(...)", " timer:(...)").
  return parts.map((part) => ` ${part}`).join('');
}

function cells(row: SsRow, options: SsTableOptions): string[] {
  return [
    row.state,
    String(row.recvQ),
    String(row.sendQ),
    ...splitAddress(row.local),
    ...splitAddress(row.peer),
    processCell(row, options),
  ];
}

/** The table `ss -tan` (with `timers`: `ss -tano`) would print for these rows. */
export function formatSsTable(rows: readonly SsRow[], options: SsTableOptions = {}): string {
  if (rows === null || typeof rows !== 'object' || typeof (rows as { length?: unknown }).length !== 'number') {
    throw new TypeError('formatSsTable expects an array of ss rows (os.ss() or a run summary host table)');
  }
  const skip = options.state === false ? 1 : 0;
  const columns = COLUMNS.slice(skip);
  const table = [columns.map((c) => c.header), ...Array.from(rows, (row) => cells(row, options).slice(skip))];
  const widths = columns.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table
    .map((r) =>
      r
        .map((cell, i) => {
          const col = columns[i];
          const padded = col.align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
          return (i === 0 ? '' : col.delim) + padded;
        })
        .join(''),
    )
    .join('\n');
}
