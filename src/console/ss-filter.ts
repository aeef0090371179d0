// ss's filters, as iproute2 parses them (misc/ss.c scan_state and main,
// misc/ssfilter.y): `state STATE` / `exclude STATE` lists, then an expression
// of `sport`/`dport` comparisons with a port (`dport = :80`) and `src`/`dst`
// with an address (`dst 10.0.0.2`, `dst 10.0.0.2:80`). Terms side by side are
// and-ed, as in ss. Pure: no DOM, no Node APIs.
import type { SsRow, SsState } from '../../types/closing-time.d.ts';

const ALL: readonly SsState[] = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];

/** What plain `ss -t` shows: SS_CONN, every state but LISTEN, CLOSE, TIME_WAIT and SYN_RECV. */
export const SS_CONN: readonly SsState[] = ALL.filter((s) => s !== 'LISTEN' && s !== 'UNCONN' && s !== 'TIME-WAIT' && s !== 'SYN-RECV');
/** `ss -a`: every state. */
export const SS_ALL: readonly SsState[] = ALL;
/** `ss -l`: listeners (and closed sockets, which the simulator does not list). */
export const SS_LISTENING: readonly SsState[] = ['LISTEN', 'UNCONN'];

/** The state names `state` takes (ss's sstate_namel plus its groups), lower case. */
const STATE_WORDS: Record<string, readonly SsState[]> = {
  established: ['ESTAB'],
  'syn-sent': ['SYN-SENT'],
  'syn-recv': ['SYN-RECV'],
  'syn-rcv': ['SYN-RECV'],
  'fin-wait-1': ['FIN-WAIT-1'],
  'fin-wait-2': ['FIN-WAIT-2'],
  'time-wait': ['TIME-WAIT'],
  close: ['UNCONN'],
  closed: ['UNCONN'],
  'close-wait': ['CLOSE-WAIT'],
  'last-ack': ['LAST-ACK'],
  listening: ['LISTEN'],
  closing: ['CLOSING'],
  all: ALL,
  connected: ALL.filter((s) => s !== 'UNCONN' && s !== 'LISTEN'),
  synchronized: ALL.filter((s) => s !== 'UNCONN' && s !== 'LISTEN' && s !== 'SYN-SENT'),
  bucket: ['SYN-RECV', 'TIME-WAIT'],
  big: ALL.filter((s) => s !== 'SYN-RECV' && s !== 'TIME-WAIT'),
};

export type PortOp = '=' | '!=' | '<' | '>' | '<=' | '>=';
const OPS: Record<string, PortOp> = { '=': '=', '==': '=', eq: '=', '!=': '!=', ne: '!=', neq: '!=', '<': '<', lt: '<', '>': '>', gt: '>', '<=': '<=', le: '<=', leq: '<=', '>=': '>=', ge: '>=', geq: '>=' };

export type SsCondition =
  | { readonly kind: 'port'; readonly side: 'src' | 'dst'; readonly op: PortOp; readonly port: number }
  | { readonly kind: 'addr'; readonly side: 'src' | 'dst'; readonly ip: string | null; readonly port: number | null; readonly negate: boolean };

export interface SsFilter {
  /** States asked for with `state`/`exclude`; null when none was named (the options decide). */
  readonly states: readonly SsState[] | null;
  readonly conditions: readonly SsCondition[];
}

export type FilterParse = { ok: true; filter: SsFilter; rest: string[] } | { ok: false; message: string };

function parsePort(text: string): number | null {
  const t = text.startsWith(':') ? text.slice(1) : text;
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= 65535 ? n : null;
}

/**
 * Parses the filter words after ss's options. Words that are not part of a
 * filter are handed back in `rest` (the console takes one as a host name).
 * Parentheses and quotes, which a shell needs around `( dport = :80 )`, are
 * accepted and ignored.
 */
export function parseSsFilter(words: readonly string[]): FilterParse {
  const toks = words
    .flatMap((w) => w.replace(/^['"]|['"]$/g, '').split(/(?=[()])|(?<=[()])/))
    .map((w) => w.trim())
    .filter((w) => w && w !== '(' && w !== ')' && w !== 'and' && w !== '&&' && w !== '&');
  let states: SsState[] | null = null;
  const conditions: SsCondition[] = [];
  const rest: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const w = toks[i]!;
    const lower = w.toLowerCase();
    if (lower === 'state' || lower === 'exclude' || lower === 'excl') {
      const name = toks[++i]?.toLowerCase();
      const set = name === undefined ? undefined : STATE_WORDS[name];
      if (!set) return { ok: false, message: name === undefined ? `ss: ${lower} needs a state name (e.g. ${lower} time-wait)` : `ss: wrong state name: ${name}` };
      // As in ss: the first `state` starts from nothing, the first `exclude` from every state.
      if (states === null) states = lower === 'state' ? [] : [...ALL];
      if (lower === 'state') states = [...new Set([...states, ...set])];
      else states = states.filter((s) => !set.includes(s));
      continue;
    }
    if (lower === 'sport' || lower === 'dport') {
      const side = lower === 'sport' ? 'src' : 'dst';
      let op: PortOp = '=';
      let arg = toks[++i];
      if (arg !== undefined && OPS[arg.toLowerCase()]) {
        op = OPS[arg.toLowerCase()]!;
        arg = toks[++i];
      }
      const port = arg === undefined ? null : parsePort(arg);
      if (port === null) return { ok: false, message: `ss: ${lower} needs a port, e.g. ${lower} = :80` };
      conditions.push({ kind: 'port', side, op, port });
      continue;
    }
    if (lower === 'src' || lower === 'dst') {
      let arg = toks[++i];
      let negate = false;
      if (arg === '=' || arg === '==' || arg === 'eq') arg = toks[++i];
      else if (arg === '!=' || arg === 'ne' || arg === 'neq') {
        negate = true;
        arg = toks[++i];
      }
      const m = arg === undefined ? null : /^(\d{1,3}(?:\.\d{1,3}){3}|\*)?(?::(\d+))?$/.exec(arg);
      if (!m || (!m[1] && !m[2])) return { ok: false, message: `ss: ${lower} needs an address, e.g. ${lower} 10.0.0.2 or ${lower} 10.0.0.2:80` };
      conditions.push({ kind: 'addr', side: lower, ip: m[1] && m[1] !== '*' ? m[1] : null, port: m[2] ? Number(m[2]) : null, negate });
      continue;
    }
    if (OPS[lower] || lower === 'or' || lower === 'not' || lower === '!' || lower === '|' || lower === '||') {
      return { ok: false, message: lower.startsWith('|') ? 'ss: the console has no pipes; count rows in your program with os.ss() instead' : `ss: the console's filters are and-ed terms (state, sport, dport, src, dst); '${w}' is not supported` };
    }
    rest.push(w);
  }
  return { ok: true, filter: { states, conditions }, rest };
}

function split(address: string): { ip: string; port: number | null } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  return { ip: address.slice(0, colon), port: Number.isInteger(port) ? port : null };
}

function comparePort(op: PortOp, have: number | null, want: number): boolean {
  if (have === null) return false;
  switch (op) {
    case '=':
      return have === want;
    case '!=':
      return have !== want;
    case '<':
      return have < want;
    case '>':
      return have > want;
    case '<=':
      return have <= want;
    case '>=':
      return have >= want;
  }
}

/** Does the row pass the filter's conditions (the states are applied by `filterRows`)? */
export function matchesConditions(row: SsRow, conditions: readonly SsCondition[]): boolean {
  for (const c of conditions) {
    const addr = split(c.side === 'src' ? row.local : row.peer);
    if (c.kind === 'port') {
      if (!comparePort(c.op, addr.port, c.port)) return false;
    } else {
      const hit = (c.ip === null || addr.ip === c.ip) && (c.port === null || addr.port === c.port);
      if (hit === c.negate) return false;
    }
  }
  return true;
}

/** The rows ss would print with these states (the filter's, or `fallback` when it names none) and conditions. */
export function filterRows(rows: readonly SsRow[], filter: SsFilter, fallback: readonly SsState[]): SsRow[] {
  const states = filter.states ?? fallback;
  return rows.filter((r) => states.includes(r.state) && matchesConditions(r, filter.conditions));
}

/** ss leaves out the State column when the filter allows exactly one state (misc/ss.c main). */
export function showsStateColumn(filter: SsFilter, fallback: readonly SsState[]): boolean {
  return (filter.states ?? fallback).length !== 1;
}
