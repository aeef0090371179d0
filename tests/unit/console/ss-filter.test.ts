// ss's state filters and port/address terms in the console, as iproute2 applies
// them (misc/ss.c scan_state, main; misc/ssfilter.y), and the State column that
// ss leaves out when one state is asked for.
import { describe, expect, it } from 'vitest';
import type { SsRow } from '../../../types/closing-time.d.ts';
import { SS_CONN, filterRows, parseSsFilter, showsStateColumn } from '../../../src/console/ss-filter.ts';
import { formatSsTable } from '../../../src/console/ss-table.ts';
import { parseCommand, ssStates } from '../../../src/components/playground/console-commands.ts';

const rows: SsRow[] = [
  { state: 'LISTEN', recvQ: 0, sendQ: 128, local: '0.0.0.0:80', peer: '0.0.0.0:*' },
  { state: 'ESTAB', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.2:40000' },
  { state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.2:40002', timer: 'timewait,59sec,0' },
  { state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.3:40004', timer: 'timewait,58sec,0' },
  { state: 'CLOSE-WAIT', recvQ: 0, sendQ: 0, local: '10.0.0.1:8080', peer: '10.0.0.3:51000', process: 'api' },
  { state: 'SYN-RECV', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.4:41000' },
];

function filter(words: string) {
  const p = parseSsFilter(words.split(' '));
  if (!p.ok) throw new Error(p.message);
  return p.filter;
}

describe('ss filters', () => {
  it('plain ss -t lists SS_CONN: no listeners, no TIME-WAIT, no SYN-RECV', () => {
    expect(filterRows(rows, { states: null, conditions: [] }, SS_CONN).map((r) => r.state)).toEqual(['ESTAB', 'CLOSE-WAIT']);
  });

  it('state time-wait keeps only TIME-WAIT, whatever -a says, and drops the State column as ss does', () => {
    const f = filter('state time-wait');
    expect(filterRows(rows, f, SS_CONN).map((r) => r.peer)).toEqual(['10.0.0.2:40002', '10.0.0.3:40004']);
    expect(showsStateColumn(f, SS_CONN)).toBe(false);
    const text = formatSsTable(filterRows(rows, f, SS_CONN), { state: false });
    expect(text.split('\n')[0]).toBe('Recv-Q Send-Q Local Address:Port Peer Address:Port Process');
    expect(text).not.toContain('TIME-WAIT');
  });

  it('two states are or-ed and keep the State column; exclude starts from every state', () => {
    const f = filter('state time-wait state close-wait');
    expect(filterRows(rows, f, SS_CONN).map((r) => r.state)).toEqual(['TIME-WAIT', 'TIME-WAIT', 'CLOSE-WAIT']);
    expect(showsStateColumn(f, SS_CONN)).toBe(true);
    expect(filterRows(rows, filter('exclude time-wait exclude listening'), SS_CONN).map((r) => r.state)).toEqual(['ESTAB', 'CLOSE-WAIT', 'SYN-RECV']);
    expect(filterRows(rows, filter('state bucket'), SS_CONN).map((r) => r.state)).toEqual(['TIME-WAIT', 'TIME-WAIT', 'SYN-RECV']);
  });

  it('dport and sport compare the peer and the local port; src and dst match addresses', () => {
    expect(filterRows(rows, filter('sport = :8080'), SS_CONN).map((r) => r.state)).toEqual(['CLOSE-WAIT']);
    expect(filterRows(rows, filter('( dport >= :40002 )'), ['TIME-WAIT', 'ESTAB']).map((r) => r.peer)).toEqual(['10.0.0.2:40002', '10.0.0.3:40004']);
    expect(filterRows(rows, filter('state time-wait dst 10.0.0.3'), SS_CONN).map((r) => r.peer)).toEqual(['10.0.0.3:40004']);
    expect(filterRows(rows, filter('state time-wait and dst != 10.0.0.3'), SS_CONN).map((r) => r.peer)).toEqual(['10.0.0.2:40002']);
  });

  it('a wrong state name or a missing port says what is wrong', () => {
    expect(parseSsFilter(['state', 'timewait'])).toEqual({ ok: false, message: 'ss: wrong state name: timewait' });
    expect(parseSsFilter(['dport', '='])).toMatchObject({ ok: false, message: 'ss: dport needs a port, e.g. dport = :80' });
  });
});

describe('the console parses ss filters, -l, -p and -s', () => {
  it('state, dport and a host name together', () => {
    const cmd = parseCommand('ss -tan state close-wait sport = :8080 server');
    expect(cmd).toMatchObject({ kind: 'ss', host: 'server', filter: { states: ['CLOSE-WAIT'], conditions: [{ kind: 'port', side: 'src', op: '=', port: 8080 }] } });
  });

  it('-l lists listeners only, -a every state, plain ss SS_CONN; netstat without -a everything but LISTEN', () => {
    const states = (text: string) => {
      const c = parseCommand(text);
      if (c.kind !== 'ss') throw new Error(text);
      return ssStates(c, text.startsWith('netstat'));
    };
    expect(states('ss -tln')).toEqual(['LISTEN', 'UNCONN']);
    expect(states('ss -tan')).toContain('TIME-WAIT');
    expect(states('ss -tn')).not.toContain('TIME-WAIT');
    expect(states('netstat -tn')).toContain('TIME-WAIT');
    expect(states('netstat -tn')).not.toContain('LISTEN');
    expect(states('ss -tan state time-wait')).toEqual(['TIME-WAIT']);
  });

  it('-s asks for the summary; -p for the process column', () => {
    expect(parseCommand('ss -s')).toMatchObject({ kind: 'ss', summary: true });
    expect(parseCommand('ss -tanp state close-wait')).toMatchObject({ kind: 'ss', processes: true });
  });

  it('a pipe gets a plain answer, not an error about its options', () => {
    expect(parseCommand("ss -tan state time-wait | awk '{print $5}' | sort -rn")).toMatchObject({ kind: 'unknown', message: expect.stringContaining('no pipes') });
  });
});
