// Lab: implement TIME_WAIT. The learner's handler replaces the kernel's
// tcp_timewait_state_process (Linux net/ipv4/tcp_minisocks.c) through
// world.setTimeWaitPolicy; each check replays one of the situations TIME_WAIT
// exists for (RFC 9293 §3.6.1 and §3.10.7.4, RFC 1337, RFC 6191).
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, failures, stateChanges } from '../../src/grading/trace-queries.ts';
import { errnoOf, readToEof } from '../../src/grading/reference-io.ts';
import type { SegmentEvent, SegmentInfo, TimeWaitPolicy, TimeWaitVerdict, TimeWaitView, World } from '../../src/sim/index.ts';

export interface ImplementTimeWait {
  durationMs(): number;
  onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict;
}

const VERDICTS: readonly TimeWaitVerdict[] = ['ack', 'ack-restart', 'ignore', 'kill', 'rst', 'accept-syn'];
const LINUX_TIME_WAIT_MS = 60_000;

interface Decision {
  t: number;
  host: string;
  seg: SegmentInfo;
  verdict: TimeWaitVerdict;
}

/** Installs the learner's handler on `hosts`, guarding the simulator against bad return values. */
function installPolicy(t: CheckContext<ImplementTimeWait>, world: World, hosts: string[]) {
  const decisions: Decision[] = [];
  let problem: string | undefined;
  const stop = (message: string) => {
    if (!problem) problem = message;
    world.stop(message);
  };
  for (const host of hosts) {
    const policy: TimeWaitPolicy = {
      durationMs() {
        let v: unknown;
        try {
          v = t.learner.durationMs();
        } catch (error) {
          stop(`durationMs() threw ${String(error)}`);
          return LINUX_TIME_WAIT_MS;
        }
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          stop(`durationMs() returned ${JSON.stringify(v)}: it must return a number of milliseconds (0 or more)`);
          return LINUX_TIME_WAIT_MS;
        }
        return v;
      },
      onSegment(tw, seg) {
        // Copies, so a handler cannot change the simulator's own records.
        const view: TimeWaitView = Object.freeze({
          local: tw.local,
          remote: tw.remote,
          rcvNxt: tw.rcvNxt,
          sndNxt: tw.sndNxt,
          tsRecent: tw.tsRecent !== undefined && tw.tsRecent >= 0 ? tw.tsRecent : undefined,
          since: tw.since,
          expiresAt: tw.expiresAt,
        });
        const info: SegmentInfo = Object.freeze({
          id: seg.id,
          src: { ...seg.src },
          dst: { ...seg.dst },
          seq: seg.seq,
          ack: seg.ack,
          flags: seg.flags,
          syn: seg.syn,
          fin: seg.fin,
          rst: seg.rst,
          ackFlag: seg.ackFlag,
          win: seg.win,
          len: seg.len,
          data: seg.data,
          tsval: seg.tsval,
          tsecr: seg.tsecr,
          retransmission: seg.retransmission,
        });
        let v: unknown;
        try {
          v = t.learner.onSegment(view, info);
        } catch (error) {
          stop(`onSegment() threw ${String(error)} for a ${seg.flags} segment`);
          return 'ignore';
        }
        if (!VERDICTS.includes(v as TimeWaitVerdict)) {
          stop(`onSegment() returned ${JSON.stringify(v)} for a ${seg.flags} segment: return one of ${VERDICTS.map((x) => `'${x}'`).join(', ')}`);
          return 'ignore';
        }
        decisions.push({ t: world.now(), host, seg: info, verdict: v as TimeWaitVerdict });
        return v as TimeWaitVerdict;
      },
    };
    world.setTimeWaitPolicy(host, policy);
  }
  return {
    decisions,
    requireNoProblem() {
      if (problem) fail(`your TIME_WAIT handler broke the run: ${problem}.`);
    },
  };
}

/** The client closes first, so the client host holds TIME_WAIT. */
async function clientClosesFirst(t: CheckContext<ImplementTimeWait>, setup?: (world: World) => void) {
  const world = t.world({ untilMs: 400_000 });
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, { delayMs: 20 });
  const policy = installPolicy(t, world, ['client', 'server']);
  setup?.(world);
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        await conn.recv();
        await conn.send('world');
        await readToEof(conn);
        await conn.close();
      }, 'worker');
    }
  }, 'server');
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello');
    await s.recv();
    await s.close();
  }, 'client');
  const summary = await t.run(world);
  policy.requireNoProblem();
  const f = failures(summary)[0];
  if (f) fail(`${describeFailure(f)}.`);
  return { world, summary, decisions: policy.decisions, ...timeWaitSpan(world, 'client') };
}

/** When the host's (first) TIME_WAIT began and ended, and why it ended. */
function timeWaitSpan(world: World, host: string) {
  const changes = stateChanges(world, host);
  const enter = changes.find((c) => c.to === 'TIME_WAIT');
  const leave = enter ? changes.find((c) => c.n > enter.n && c.sock.id === enter.sock.id && c.from === 'TIME_WAIT') : undefined;
  return { enteredAt: enter?.t, leftAt: leave?.t, leftBecause: leave?.cause };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3)} s`;
}

function requireTimeWaitEntered(r: { enteredAt?: number }, host: string) {
  if (r.enteredAt === undefined) fail(`the ${host} never entered TIME_WAIT in this scenario; the checker cannot test your handler (please report this).`);
}

function requireFullSpan(r: { enteredAt?: number; leftAt?: number; leftBecause?: string }, expectedEnd: number, what: string) {
  if (r.leftAt === undefined) return;
  if (r.leftAt < expectedEnd - 1) {
    fail(`TIME_WAIT ended at ${at(r.leftAt)} (${r.leftBecause ?? 'unknown cause'}) after ${what}, before its timer was due at ${at(expectedEnd)}.`);
  }
}

export default defineChecker<ImplementTimeWait>({
  lab: 'implement-time-wait',
  exports: [
    { name: 'durationMs', kind: 'function', signature: 'export function durationMs(): number' },
    { name: 'onSegment', kind: 'function', signature: 'export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict' },
  ],
  checks: [
    {
      name: 'TIME_WAIT lasts 60 s, as on Linux',
      points: 1,
      task: 1,
      description: 'A client closes first; its socket must stay in TIME_WAIT exactly 60 s.',
      async run(t) {
        const r = await clientClosesFirst(t);
        requireTimeWaitEntered(r, 'client');
        ensure(r.leftAt !== undefined, `the client's TIME_WAIT never ended: durationMs() must return the length in milliseconds.`);
        const length = r.leftAt - r.enteredAt!;
        if (length < LINUX_TIME_WAIT_MS) {
          fail(
            `TIME_WAIT lasted ${seconds(length)}. Linux holds it for 60 s (TCP_TIMEWAIT_LEN), RFC 9293 for 2×MSL: long enough for a lost last ACK to be sent again ` +
              `and for old duplicates of this connection to die before the same ports can carry a new one. Shorter is not an optimisation, it removes the protection.`,
          );
        }
        ensure(length === LINUX_TIME_WAIT_MS, `TIME_WAIT lasted ${seconds(length)}; this lab implements Linux's fixed 60 s (60000 ms).`);
      },
    },
    {
      name: 'a lost last ACK is sent again',
      points: 2,
      task: 2,
      description: "The client's last ACK is dropped; the server's retransmitted FIN reaches TIME_WAIT and must be ACKed so the server leaves LAST_ACK cleanly.",
      async run(t) {
        const r = await clientClosesFirst(t, (w) => w.fault({ action: 'drop', from: 'client', flags: '=A', state: 'TIME_WAIT', nth: 1 }));
        requireTimeWaitEntered(r, 'client');
        const finDecision = r.decisions.find((d) => d.host === 'client' && d.seg.fin);
        if (!finDecision) fail('no retransmitted FIN reached the TIME_WAIT socket; the checker cannot test your handler (please report this).');
        const serverEnd = stateChanges(r.world, 'server').find((c) => c.from === 'LAST_ACK');
        if (finDecision.verdict === 'ignore' || finDecision.verdict === 'kill') {
          fail(
            `your handler returned '${finDecision.verdict}' for the server's retransmitted FIN at ${at(finDecision.t)}. Its first ACK was lost: the server is still in LAST_ACK ` +
              `and retransmits its FIN until someone ACKs it. Answering it is the first reason TIME_WAIT exists (RFC 9293 §3.6.1). ` +
              `${serverEnd ? `The server left LAST_ACK only at ${at(serverEnd.t)} (${serverEnd.cause}).` : ''}`,
          );
        }
        if (finDecision.verdict === 'rst') fail(`your handler answered the retransmitted FIN with RST: the server's close ends in an error (${serverEnd?.cause ?? 'reset'}) instead of a clean ACK.`);
        ensure(serverEnd !== undefined && /ACK/.test(serverEnd.cause) && !/RST/.test(serverEnd.cause), () => `the server left LAST_ACK by ${serverEnd?.cause ?? 'nothing'} instead of the ACK of its FIN.`);
      },
    },
    {
      name: 'a retransmitted FIN restarts the timer',
      points: 1,
      task: 2,
      description: 'After the retransmitted FIN is ACKed again, TIME_WAIT must last a full 60 s from that moment.',
      async run(t) {
        const r = await clientClosesFirst(t, (w) => w.fault({ action: 'drop', from: 'client', flags: '=A', state: 'TIME_WAIT', nth: 1 }));
        requireTimeWaitEntered(r, 'client');
        const finDecision = r.decisions.find((d) => d.host === 'client' && d.seg.fin);
        if (!finDecision) fail('no retransmitted FIN reached the TIME_WAIT socket; the checker cannot test your handler (please report this).');
        ensure(r.leftAt !== undefined, 'the TIME_WAIT socket never went away.');
        const fromFin = r.leftAt - finDecision.t;
        const expected = t.learner.durationMs();
        if (Math.abs(fromFin - expected) > 1) {
          fail(
            `TIME_WAIT ended ${seconds(fromFin)} after the retransmitted FIN arrived (${at(finDecision.t)}) instead of a full ${seconds(expected)}: your handler returned '${finDecision.verdict}'. ` +
              `Linux restarts the timer when it ACKs a retransmitted FIN (inet_twsk_reschedule in tcp_timewait_state_process), so that if this ACK is lost too the next retransmission still finds a TIME_WAIT to answer it.`,
          );
        }
      },
    },
    {
      name: 'an old duplicate is ACKed and changes nothing',
      points: 1,
      task: 3,
      description: "A copy of the server's data segment, delayed 5 s, reaches the client's TIME_WAIT; the client must answer with an ACK and keep TIME_WAIT for its full length.",
      async run(t) {
        const r = await clientClosesFirst(t, (w) => w.fault({ action: 'duplicate', from: 'server', payload: 'world', delayMs: 5000, nth: 1 }));
        requireTimeWaitEntered(r, 'client');
        const dup = r.decisions.find((d) => d.host === 'client' && d.seg.len > 0);
        if (!dup) fail('the delayed duplicate never reached the TIME_WAIT socket; the checker cannot test your handler (please report this).');
        if (dup.verdict === 'kill' || dup.verdict === 'accept-syn') {
          fail(`your handler returned '${dup.verdict}' for an old duplicate data segment (seq ${dup.seg.seq} < rcvNxt): that destroys TIME_WAIT, the very state that must absorb old duplicates so they cannot reach a new connection on the same ports.`);
        }
        if (dup.verdict === 'rst') fail(`your handler answered an old duplicate with RST. RFC 9293 §3.10.7.4: a segment that is not acceptable is answered with an ACK (and dropped), never a reset.`);
        if (dup.verdict === 'ignore') {
          fail(`your handler ignored an old duplicate. RFC 9293 §3.10.7.4 (and Linux): a segment outside the window is answered with an ACK of rcvNxt, which tells a confused peer where the connection stands.`);
        }
        requireFullSpan(r, r.enteredAt! + t.learner.durationMs(), 'the old duplicate');
      },
    },
    {
      name: 'an RST does not assassinate TIME_WAIT',
      points: 2,
      task: 3,
      description: "A copy of the client's last ACK, delayed 2 s, makes the (closed) server answer with RST; the TIME_WAIT socket must ignore it (RFC 1337) and last its full length.",
      async run(t) {
        const r = await clientClosesFirst(t, (w) => w.fault({ action: 'duplicate', from: 'client', flags: '=A', state: 'TIME_WAIT', nth: 1, delayMs: 2000 }));
        requireTimeWaitEntered(r, 'client');
        const rst = r.decisions.find((d) => d.host === 'client' && d.seg.rst);
        if (!rst) fail('no RST reached the TIME_WAIT socket; the checker cannot test your handler (please report this).');
        if (rst.verdict !== 'ignore') {
          fail(
            `your handler returned '${rst.verdict}' for an RST at ${at(rst.t)}: that is TIME-WAIT assassination (RFC 1337): an old duplicate made the peer send a reset, ` +
              `and the reset ended TIME_WAIT early, leaving the ports open to old segments. Ignore RSTs in TIME_WAIT, as Linux does with net.ipv4.tcp_rfc1337 = 1.`,
          );
        }
        requireFullSpan(r, r.enteredAt! + t.learner.durationMs(), 'the RST');
      },
    },
    {
      name: 'a new SYN opens a new connection at once',
      points: 2,
      task: 4,
      description: "The server closes first and sits in TIME_WAIT; 1 s later the client connects again from the same port. The new SYN must be accepted (connect within 1 s).",
      async run(t) {
        const r = await serverClosesFirst(t);
        const syn = r.decisions.find((d) => d.host === 'server' && d.seg.syn && !d.seg.ackFlag && d.t >= 900);
        if (!syn) fail('the new SYN never reached the server\'s TIME_WAIT socket; the checker cannot test your handler (please report this).');
        if (r.second.error) {
          fail(
            `the second connect() failed with ${r.second.error}: your handler returned '${syn.verdict}' for a SYN whose sequence number ${syn.seg.seq} is beyond rcvNxt ` +
              `(or whose timestamp is newer). Linux takes such a SYN as a new incarnation (TCP_TW_SYN, RFC 6191): return 'accept-syn'.`,
          );
        }
        ensure(r.second.connectedAt !== undefined, `the second connect() never completed (your handler returned '${syn.verdict}' for the new SYN).`);
        const took = r.second.connectedAt - r.second.startedAt!;
        ensure(
          took <= 1000,
          `the second connect() took ${seconds(took)}: your handler returned '${syn.verdict}' for a SYN with a higher sequence number (or newer timestamp), ` +
            `so the client had to retry until TIME_WAIT ran out. Linux accepts such a SYN at once (TCP_TW_SYN, RFC 6191): return 'accept-syn'.`,
        );
        ensure(r.second.reply === 'world', `the new connection did not carry the exchange (got ${JSON.stringify(r.second.reply)}).`);
      },
    },
    {
      name: 'an old duplicate SYN is not accepted',
      points: 1,
      task: 4,
      description: "A copy of the client's first SYN, delayed 3 s, reaches the server's TIME_WAIT; it is older than the connection and must not replace it.",
      async run(t) {
        const r = await serverClosesFirst(t, { duplicateFirstSyn: true, reconnect: false });
        requireTimeWaitEntered(r, 'server');
        const old = r.decisions.find((d) => d.host === 'server' && d.seg.syn && !d.seg.ackFlag);
        if (!old) fail('the old SYN never reached the server\'s TIME_WAIT socket; the checker cannot test your handler (please report this).');
        if (old.verdict === 'accept-syn' || old.verdict === 'kill') {
          fail(
            `your handler returned '${old.verdict}' for an old duplicate SYN (seq ${old.seg.seq}, not beyond rcvNxt, and no newer timestamp): it destroyed TIME_WAIT and ` +
              `${old.verdict === 'accept-syn' ? 'started a connection nobody asked for' : 'left the ports unprotected'}. Accept a SYN only when its sequence number is beyond rcvNxt or its timestamp is newer than tsRecent.`,
          );
        }
        requireFullSpan(r, r.enteredAt! + t.learner.durationMs(), 'the old SYN');
      },
    },
  ],
});

/** The server closes first, so the server host holds TIME_WAIT; the client may come back from the same port. */
async function serverClosesFirst(t: CheckContext<ImplementTimeWait>, options: { duplicateFirstSyn?: boolean; reconnect?: boolean } = {}) {
  const world = t.world({ untilMs: 400_000 });
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, { delayMs: 20 });
  const policy = installPolicy(t, world, ['client', 'server']);
  if (options.duplicateFirstSyn) world.fault({ action: 'duplicate', from: 'client', flags: '=S', nth: 1, delayMs: 3000 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        await conn.recv();
        await conn.send('world');
        await conn.close();
      }, 'worker');
    }
  }, 'server');
  const second: { startedAt?: number; connectedAt?: number; error?: string; reply?: string } = {};
  client.run(async (os) => {
    const s = os.socket();
    s.setsockopt('SO_REUSEADDR', true);
    s.bind({ port: 40000 });
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello');
    await readToEof(s);
    await s.close();
    if (options.reconnect === false) return;
    await os.sleep(1000 - os.now() > 0 ? 1000 - os.now() : 0);
    const s2 = os.socket();
    s2.setsockopt('SO_REUSEADDR', true);
    s2.bind({ port: 40000 });
    second.startedAt = os.now();
    try {
      await s2.connect({ host: 'server', port: 80 });
      second.connectedAt = os.now();
      await s2.send('hello');
      second.reply = await readToEof(s2);
      await s2.close();
    } catch (error) {
      second.error = errnoOf(error) ?? String(error);
    }
  }, 'client');
  const summary = await t.run(world);
  policy.requireNoProblem();
  const f = failures(summary)[0];
  if (f) fail(`${describeFailure(f)}.`);
  return { world, summary, decisions: policy.decisions, second, ...timeWaitSpan(world, 'server') };
}
