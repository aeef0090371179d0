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
const TW_FIN_WAIT_2 = 16;

export class TimeWait implements TimeWaitView {
  /** When the timer fires, virtual ms. */
  expiresAt = 0;
  /** Order of entry into the connection table: the socket's place, taken over (ConnTable). */
  stamp = 0;
  /** Its live entry in the host's timer queue (Stack.twQ, absolute index), or -1. */
  qi = -1;
  /** Index in its port's bind bucket (Stack.addOwner), or -1. */
  bindIdx = -1;
  /** Last rate-limited ACK (Linux tw_last_oow_ack_time). */
  oowAckAt = -OOW_RATELIMIT_MS; // a small integer, not -Infinity: V8 keeps it unboxed
  /** Owner still holding the fd (a shut-down socket whose peer closed); null for orphans. */
  tcb: Tcb | null = null;
  // Sequence numbers and the timestamp are kept as int32 (V8 small integers, no boxed doubles);
  // the getters give the usual unsigned values.
  /** RCV.NXT and SND.NXT as int32; rcvNxt and sndNxt give them unsigned. */
  rcvNxt32: number;
  sndNxt32: number;
  /** The peer's last timestamp as int32 (valid when hasTs); tsRecent gives it unsigned, or -1. */
  tsRecent32: number;
  /** Local port << 16 | remote port, as an int32 (one small integer for both). */
  private ports: number;
  /** TW_REUSE | TW_REUSEPORT | TW_BYBIND (| TW_TS | TW_FIN_WAIT_2): folded into one field to keep the minisock small. */
  flags: number;
  constructor(
    readonly id: number,
    readonly localIp: string,
    localPort: number,
    readonly remoteIp: string,
    remotePort: number,
    substate: 'FIN_WAIT_2' | 'TIME_WAIT',
    rcvNxt: number,
    sndNxt: number,
    readonly rcvWnd: number,
    /** Last timestamp seen from the peer, or -1 without timestamps. */
    tsRecent: number,
    /** Virtual ms when tsRecent was last updated (Linux tw_ts_recent_stamp, in s there). */
    public tsRecentStamp: number,
    /** TW_REUSE | TW_REUSEPORT | TW_BYBIND. */
    flags: number,
    /** Virtual ms when it became a minisock, then when it entered TIME_WAIT (Linux tw_entry_stamp). */
    public since: number,
  ) {
    this.rcvNxt32 = rcvNxt | 0;
    this.sndNxt32 = sndNxt | 0;
    this.tsRecent32 = tsRecent | 0;
    this.ports = (localPort << 16) | remotePort;
    this.flags = flags | (tsRecent >= 0 ? TW_TS : 0) | (substate === 'FIN_WAIT_2' ? TW_FIN_WAIT_2 : 0);
  }
  get localPort(): number {
    return this.ports >>> 16;
  }
  get remotePort(): number {
    return this.ports & 0xffff;
  }
  get substate(): 'FIN_WAIT_2' | 'TIME_WAIT' {
    return this.flags & TW_FIN_WAIT_2 ? 'FIN_WAIT_2' : 'TIME_WAIT';
  }
  set substate(v: 'FIN_WAIT_2' | 'TIME_WAIT') {
    this.flags = v === 'FIN_WAIT_2' ? this.flags | TW_FIN_WAIT_2 : this.flags & ~TW_FIN_WAIT_2;
  }
  get rcvNxt(): number {
    return this.rcvNxt32 >>> 0;
  }
  set rcvNxt(v: number) {
    this.rcvNxt32 = v | 0;
  }
  get sndNxt(): number {
    return this.sndNxt32 >>> 0;
  }
  /** The peer's timestamps are on (tsRecent holds one). */
  get hasTs(): boolean {
    return (this.flags & TW_TS) !== 0;
  }
  get tsRecent(): number {
    return this.flags & TW_TS ? this.tsRecent32 >>> 0 : -1;
  }
  set tsRecent(v: number) {
    this.tsRecent32 = v | 0;
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
