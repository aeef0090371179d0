// Types of the world as the runner, the grader and tests drive it. The part a
// learner's program sees is `Simulation` (types/closing-time.d.ts); `World`
// adds running, stopping and the summary.
import type { Host, ProcessEvent, SegmentInfo, Simulation, SsTable } from '../../types/closing-time.d.ts';

export interface WorldOptions {
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Virtual-time limit, ms. Default 600000 (10 min: long enough for TIME_WAIT, FIN_WAIT_2 and retransmission timers). */
  untilMs?: number;
  /** Wall-clock limit for the whole run, ms. Default 10000. Checked between events. */
  wallMs?: number;
  /** Record every event in `trace` (default true). Subscribers see events either way. */
  record?: boolean;
  /** Most events kept in `trace`; later ones are still sent to subscribers. Default 1,000,000. */
  maxRecorded?: number;
  /**
   * Called each time the world is about to hand control to process code
   * (after an event made processes runnable). The runner uses it to arm its
   * busy-loop guard.
   */
  onSlice?: () => void;
  /**
   * Remember where each waiting call was made, so that an error the network
   * reports later (ECONNREFUSED, ECONNRESET ...) carries the caller's stack and
   * line. Costs a stack capture per waiting call. Default true.
   */
  callSites?: boolean;
  /** Most bytes of process output kept (stdout + stderr); the rest is cut with a note. Default 1 MiB. */
  maxOutputBytes?: number;
  /**
   * Maps a thrown value to where it came from in the learner's file (the
   * runner knows the file name and line offsets). Merged into ProcessEvent.error.
   */
  errorInfo?: (error: unknown) => { message?: string; line?: number; column?: number; stack?: string };
}

export interface BlockedProcess {
  host: string;
  pid: number;
  process: string;
  /** The call it waits in, e.g. 'accept' or 'recv(fd 3)' or 'sleep'. */
  waitingIn: string;
}

export interface RunSummary {
  /**
   * Why the run ended. quiescence: nothing left to do. time-limit: the
   * virtual-time limit was reached while events were still pending. wall-limit:
   * real time ran out. stopped: `stop()` was called. error: the simulator itself
   * failed. A process that throws does not end the run (the others go on): it
   * is listed in `failed`.
   */
  endedBy: 'quiescence' | 'time-limit' | 'wall-limit' | 'stopped' | 'error';
  /** Plain-language account of why the run ended. */
  message: string;
  /** A stop's reason as given to `stop()`, or the simulator's error; absent otherwise. */
  reason?: string;
  /** The wall-clock limit a wall-limit stop hit, ms. */
  wallLimitMs?: number;
  /** Virtual time at the end, ms. */
  virtualMs: number;
  /** Events processed by the engine. */
  events: number;
  /** Trace events emitted. */
  traced: number;
  /** Processes that were still waiting in a call when the run ended (normal, e.g. a server in accept()). */
  blocked: BlockedProcess[];
  /** Processes that threw. */
  failed: ProcessEvent[];
  /** Each host's sockets at the end. */
  hosts: { name: string; ip: string; ss: SsTable }[];
  /** Timers still armed at a time-limit stop, e.g. 'server: sleep loop'; empty otherwise. */
  pendingTimers: number;
}

/** A TIME_WAIT socket as the TIME_WAIT lab's handler sees it (Linux's tcp_timewait_sock, reduced). */
export interface TimeWaitView {
  readonly local: string;
  readonly remote: string;
  /** Next sequence number expected from the peer (after its FIN). */
  readonly rcvNxt: number;
  /** Our next sequence number (after our FIN). */
  readonly sndNxt: number;
  /** Last timestamp seen from the peer, if timestamps are on. */
  readonly tsRecent?: number;
  /** Virtual ms when it entered TIME_WAIT / when its timer fires. */
  readonly since: number;
  readonly expiresAt: number;
}

/**
 * What to do with a segment arriving in TIME_WAIT:
 * 'ack' send an ACK and keep the timer; 'ack-restart' ACK and restart the timer;
 * 'ignore' drop silently; 'kill' destroy the TIME_WAIT socket (no reply);
 * 'rst' answer with RST; 'accept-syn' destroy it and let the SYN open a new connection.
 */
export type TimeWaitVerdict = 'ack' | 'ack-restart' | 'ignore' | 'kill' | 'rst' | 'accept-syn';

/** A replacement for the kernel's TIME_WAIT logic (tcp_timewait_state_process), per host. */
export interface TimeWaitPolicy {
  /** TIME_WAIT length in ms. */
  durationMs(): number;
  /** Decide for one segment. */
  onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict;
}

export interface World extends Simulation {
  /** Runs until quiescence or a limit. Resolves; never rejects for learner errors. */
  run(): Promise<RunSummary>;
  /** Stops the run as soon as possible with this reason. */
  stop(reason: string): void;
  /** Hosts by name. */
  readonly hosts: readonly Host[];
  /** Installs a TIME_WAIT policy on a host (the TIME_WAIT lab). */
  setTimeWaitPolicy(host: Host | string, policy: TimeWaitPolicy | null): void;
  /** Records a process failure that happened outside the world (e.g. the program's default export threw). */
  reportError(error: unknown, where?: string): void;
  /**
   * Process output: the runner points the program's `console` here. It is
   * attributed to the process that is running (the one that last resumed or
   * made a call), or to the program itself while its default export runs.
   */
  output(stream: 'stdout' | 'stderr', text: string): void;
}
