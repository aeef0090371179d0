// Every difference between the kernel and the simulator that the suite accepts,
// in one place, each with its reason and the work that removes it. A
// difference that no entry lists fails kernel.test.ts and simulator.test.ts;
// an entry that no longer matches anything fails simulator.test.ts (against
// the recorded kernel run), so the table cannot outlive the difference.
//
// Segment differences are matched by scenario, side, kind (segments.ts) and
// which run has the segment; step and count differences by the start of the
// comparison's `where` text.
import type { Side } from './scenario.ts';
import type { SegmentDiffKind } from './segments.ts';

export interface KnownDifference {
  /** Scenario ids this entry applies to; 'all' only for a difference of timing that any scenario may show. */
  scenarios: string[] | 'all';
  /** The difference depends on real timing, so a kernel run may not show it (no stale-entry check). */
  timing?: string;
  /** Whose segments (or steps) differ. */
  side: Side | 'both';
  /** Segment differences of these kinds. */
  kinds?: SegmentDiffKind[];
  /** Only segments that this run sent and the other did not ('ack-value' differences have both). */
  onlyIn?: 'kernel' | 'simulator';
  /** A step or count difference whose description starts with this text (compare.ts's `where`). */
  where?: string;
  what: string;
  why: string;
  /** Which later work removes the difference (issue 15's items). */
  fixedBy: string;
}

const NO_INJECTION = 'simulator: no way to send a segment that no socket made (a raw socket) is modelled yet; issue: segment truth item 7';

export const knownDifferences: KnownDifference[] = [
  {
    scenarios: ['linger-timeout-peer-not-reading', 'both-windows-full', 'zero-window-answered', 'orphan-zero-window-user-timeout', 'orphan-zero-window-dead-peer'],
    side: 'both',
    kinds: ['data', 'bare-ack', 'ack-piggybacked', 'ack-value', 'control'],
    what: 'how the data is cut into segments and when it is acknowledged: both send 1448-byte segments (MSS 1460 less 12 bytes of timestamps option), but Linux sends them into a receive window that it sizes from the doubled SO_RCVBUF by the measured overhead of its segments (scaling_ratio) and grows, and probes a zero window on a schedule that depends on real time; the simulator sends into the window Linux first advertises (half the doubled buffer, cut to whole segments) and never grows it, so its ACKs (delayed as Linux delays them, ACK every second full segment) fall on other segments',
    why: 'the simulator doubles SO_RCVBUF as Linux does, leaves the timestamps option room in the MSS and sizes the first window with the initial scaling ratio, but models neither the measured scaling ratio nor receive-window growth (which decide where __tcp_ack_snd_check sends an ACK at once); and how many probes fit in the scenario\'s seconds is real timing',
    fixedBy: 'simulator: receive-window sizing by scaling_ratio and growth (tcp_rcv_space_adjust), not modelled yet; the probe count stays timing',
  },
  {
    scenarios: [
      'lost-last-ack',
      'syn-in-time-wait',
      'port-exhaustion-client-closes-first',
      'port-exhaustion-server-closes-first',
      // The TIME_WAIT-takeover scenarios: each first closes a connection the same way (the server reads EOF, then closes).
      'tw-reuse-on',
      'tw-reuse-off',
      'tw-reuse-2',
      'tw-reuse-1-timestamps-off',
      'tw-reuse-1-delay-from-entry',
      'tw-reuse-0-loopback',
      'tw-reuse-1-loopback',
      'tw-reuse-2-loopback',
      'tw-reuse-2-self',
      'bound-connect-over-time-wait-timestamps-on',
      'bound-connect-over-time-wait-timestamps-off',
    ],
    side: 'both',
    kinds: ['bare-ack'],
    onlyIn: 'kernel',
    timing: 'the ACK goes alone when the side that got the FIN takes longer than one tick (up to 4 ms at HZ=250) to close',
    what: 'Linux sends the ACK of the FIN alone just before its own FIN; the simulator carries it on that FIN',
    why: 'a socket that has received no data has an ACK timeout of 0 (icsk_ack.ato starts at 0; only tcp_event_data_recv raises it), so tcp_fin\'s delayed ACK runs out at the next timer tick; on Linux the driver\'s steps between EOF and close (an nftables call in lost-last-ack, returning from recv in syn-in-time-wait, the TIME_WAIT-takeover scenarios and the port-exhaustion loops, where it happens to one connection or another from run to run) take real milliseconds, and in the simulator no virtual time',
    fixedBy: 'none (real timing; the simulator rounds a 0 timeout up to one 4 ms tick)',
  },
  {
    scenarios: ['simultaneous-close'],
    side: 'both',
    kinds: ['control', 'bare-ack'],
    onlyIn: 'kernel',
    timing: 'only when a retransmission crosses the heal',
    what: 'after the cut heals, either Linux side may retransmit its FIN once more (now acknowledging the other\'s FIN) and ACK the other\'s retransmitted FIN again',
    why: 'timing: healing takes two nftables calls, and whether a retransmission of either FIN crosses the other depends on when each side\'s RTO fires relative to the heal',
    fixedBy: 'none (real timing; the scenario compares retransmissions of one segment as one)',
  },
  {
    scenarios: ['rst-in-time-wait-rfc1337-0', 'rst-in-time-wait-rfc1337-1'],
    side: 'server',
    where: 'server step 9 (inject',
    what: 'the server\'s crafted RST: sent on Linux (a raw socket), refused by the simulator (ENOTSUP)',
    why: 'the simulator has no raw sockets',
    fixedBy: NO_INJECTION,
  },
  {
    scenarios: ['rst-in-time-wait-rfc1337-0', 'rst-in-time-wait-rfc1337-1'],
    side: 'server',
    where: 'RST segments sent by the server',
    what: 'the crafted RST is counted on Linux only',
    why: 'the simulator sends no crafted RST',
    fixedBy: NO_INJECTION,
  },
  {
    scenarios: ['rst-in-time-wait-rfc1337-0', 'rst-in-time-wait-rfc1337-1'],
    side: 'server',
    kinds: ['control'],
    onlyIn: 'kernel',
    what: 'the crafted RST appears in Linux\'s capture only',
    why: 'the simulator sends no crafted RST',
    fixedBy: NO_INJECTION,
  },
  {
    scenarios: ['rst-in-time-wait-rfc1337-0'],
    side: 'client',
    where: 'client step 10 (ss)',
    what: 'after the RST Linux has no socket left (the RST killed TIME_WAIT: tcp_rfc1337 = 0); the simulator, which never got the RST, still shows TIME-WAIT',
    why: 'the simulator sends no crafted RST (it does model tcp_rfc1337: its own tests cover a RST in TIME_WAIT)',
    fixedBy: NO_INJECTION,
  },
  {
    scenarios: ['retransmissions-exhausted'],
    side: 'client',
    kinds: ['data'],
    onlyIn: 'kernel',
    what: 'Linux retransmits the unacknowledged data four times (a tail-loss probe, then RTOs of 200, 400 and 800 ms) before it gives up with tcp_retries2 = 2; the simulator retransmits twice and gives up after 1.4 s',
    why: 'the simulator has no tail-loss probe (RFC 8985) and ends the connection when 2 RTO retransmissions have gone unanswered, while Linux\'s retransmits_timed_out() compares the time since the first retransmission with the back-off schedule and checks it only when the next timer fires',
    fixedBy: 'simulator: tail-loss probe and time-based retransmission limit not modelled yet; not in issue 15, needs an issue of its own',
  },
  {
    scenarios: ['retransmissions-exhausted'],
    side: 'client',
    where: "'P' segments sent by the client (retransmissions only)",
    what: 'retransmitted data segments: Linux 4, the simulator 2',
    why: 'as above (tail-loss probe, time-based retransmission limit)',
    fixedBy: 'simulator: tail-loss probe and time-based retransmission limit not modelled yet; not in issue 15, needs an issue of its own',
  },
  {
    scenarios: ['retransmissions-exhausted'],
    side: 'server',
    kinds: ['bare-ack'],
    onlyIn: 'kernel',
    what: 'the server\'s duplicate ACKs of the two retransmissions the simulator does not send (lost in the cut either way)',
    why: 'as above: each retransmission that reaches the server is ACKed',
    fixedBy: 'with the client\'s retransmissions (above)',
  },
  {
    scenarios: ['user-timeout'],
    side: 'client',
    kinds: ['data'],
    onlyIn: 'kernel',
    what: 'Linux retransmits the unacknowledged data once more than the simulator: a tail-loss probe about 200 ms after the send comes before the first RTO retransmission, and TCP_USER_TIMEOUT counts from that RTO retransmission (retrans_stamp), so Linux gives up about 2 s after the send, the simulator 1.7 s',
    why: 'the simulator has no tail-loss probe (RFC 8985); the user timeout itself is counted as Linux counts it',
    fixedBy: 'simulator: tail-loss probe not modelled yet; not in issue 15, needs an issue of its own (as for retransmissions-exhausted)',
  },
  {
    scenarios: ['user-timeout'],
    side: 'server',
    kinds: ['bare-ack'],
    onlyIn: 'kernel',
    what: 'the server\'s duplicate ACK of the retransmission the simulator does not send (lost in the cut either way)',
    why: 'as above: each retransmission that reaches the server is ACKed',
    fixedBy: 'with the client\'s tail-loss probe (above)',
  },
  {
    scenarios: ['simultaneous-close', 'retransmissions-exhausted', 'user-timeout'],
    side: 'client',
    where: 'client counter TcpRetransSegs',
    what: 'how many segments the client retransmitted (TcpRetransSegs): Linux sends more (a tail-loss probe before the first RTO, and in retransmissions-exhausted more RTOs before it gives up)',
    why: 'the counter follows the retransmissions the other entries list: the simulator has no tail-loss probe (RFC 8985) nor time-based retransmission limit, and the segment comparison of simultaneous-close takes consecutive copies as one (segmentRepeats), which the counter does not',
    fixedBy: 'with the retransmissions it counts: tail-loss probe and time-based retransmission limit not modelled yet; not in issue 15, needs an issue of its own',
  },
  {
    scenarios: ['simultaneous-close', 'lost-last-ack'],
    side: 'server',
    where: 'server counter TcpRetransSegs',
    what: 'how many FIN retransmissions the server made (TcpRetransSegs): Linux sends a tail-loss probe about 200 ms after the FIN, then the RTOs; the simulator only the RTOs',
    why: 'the simulator has no tail-loss probe (RFC 8985); the segment comparison takes consecutive copies as one (segmentRepeats), the counter does not',
    fixedBy: 'with the retransmissions it counts: tail-loss probe not modelled yet; not in issue 15, needs an issue of its own',
  },
  {
    scenarios: ['linger-timeout-peer-not-reading', 'both-windows-full', 'zero-window-answered', 'orphan-zero-window-user-timeout', 'orphan-zero-window-dead-peer'],
    timing: 'whether a segment is sent again depends on when the window opens and the probes fire, in real time',
    side: 'client',
    where: 'client counter TcpRetransSegs',
    what: 'how many segments the client retransmitted while the windows were full (TcpRetransSegs)',
    why: 'as the segment entry of these scenarios says: Linux\'s receive-window sizing and growth and probe schedule, which the simulator does not model, decide what is sent again',
    fixedBy: 'simulator: receive-window sizing and growth, and delayed ACKs, not modelled yet; issue 15 item 2; the rest is timing',
  },
  {
    scenarios: ['both-windows-full'],
    timing: 'whether a segment is sent again depends on when the window opens and the probes fire, in real time',
    side: 'server',
    where: 'server counter TcpRetransSegs',
    what: 'how many segments the server retransmitted while the windows were full (TcpRetransSegs)',
    why: 'as for the client',
    fixedBy: 'as for the client',
  },
];
