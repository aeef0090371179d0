import type { TcpState } from '../../../types/closing-time.d.ts';
import type { TimeWaitView } from '../world-types.ts';
import { OOW_RATELIMIT_MS } from './params.ts';
import type { Tcb } from './tcb.ts';

/**
 * A connection after its socket is gone: Linux's tcp_timewait_sock ("minisock").
 * It keeps only what tcp_timewait_state_process needs, so a busy server can hold
 * hundreds of thousands. Linux also parks orphaned FIN_WAIT_2 connections in one
 * (substate FIN_WAIT_2, timer tcp_fin_timeout): so do we.
 */
export const TW_REUSE = 1;
export const TW_REUSEPORT = 2;
export const TW_BYBIND = 4;
const TW_TS = 8;

export class TimeWait implements TimeWaitView {
  /** When the timer fires, virtual ms. */
  expiresAt = 0;
  gen = 0;
  /** Last rate-limited ACK (Linux tw_last_oow_ack_time). */
  oowAckAt = -OOW_RATELIMIT_MS; // a small integer, not -Infinity: V8 keeps it unboxed
  /** Owner still holding the fd (a shut-down socket whose peer closed); null for orphans. */
  tcb: Tcb | null = null;
  // Sequence numbers and the timestamp are kept as int32 (V8 small integers, no boxed doubles);
  // the getters give the usual unsigned values.
  rcv: number;
  snd: number;
  private ts: number;
  constructor(
    readonly id: number,
    readonly localIp: string,
    readonly localPort: number,
    readonly remoteIp: string,
    readonly remotePort: number,
    readonly key: number,
    public substate: 'FIN_WAIT_2' | 'TIME_WAIT',
    rcvNxt: number,
    sndNxt: number,
    readonly rcvWnd: number,
    /** Last timestamp seen from the peer, or -1 without timestamps. */
    tsRecent: number,
    /** Virtual ms when tsRecent was last updated (Linux tw_ts_recent_stamp, in s there). */
    public tsRecentStamp: number,
    /** TW_REUSE | TW_REUSEPORT | TW_BYBIND (| TW_TS): folded into one field to keep the minisock small. */
    public flags: number,
    readonly since: number,
  ) {
    this.rcv = rcvNxt | 0;
    this.snd = sndNxt | 0;
    this.ts = tsRecent | 0;
    if (tsRecent >= 0) this.flags |= TW_TS;
  }
  get rcvNxt(): number {
    return this.rcv >>> 0;
  }
  set rcvNxt(v: number) {
    this.rcv = v | 0;
  }
  get sndNxt(): number {
    return this.snd >>> 0;
  }
  get tsRecent(): number {
    return this.flags & TW_TS ? this.ts >>> 0 : -1;
  }
  set tsRecent(v: number) {
    this.ts = v | 0;
  }
  get reuse(): boolean {
    return (this.flags & TW_REUSE) !== 0;
  }
  get reuseport(): boolean {
    return (this.flags & TW_REUSEPORT) !== 0;
  }
  /** The port came from bind() (it sits in the port's bind bucket), not from connect(). */
  get boundByBind(): boolean {
    return (this.flags & TW_BYBIND) !== 0;
  }
  get state(): TcpState {
    return this.substate;
  }
  get local(): string {
    return `${this.localIp}:${this.localPort}`;
  }
  get remote(): string {
    return `${this.remoteIp}:${this.remotePort}`;
  }
}
