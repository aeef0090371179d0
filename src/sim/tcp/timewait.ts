import type { TcpState } from '../../../types/closing-time.d.ts';
import type { TimeWaitView } from '../world-types.ts';
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

export class TimeWait implements TimeWaitView {
  /** When the timer fires, virtual ms. */
  expiresAt = 0;
  gen = 0;
  /** Owner still holding the fd (a shut-down socket whose peer closed); null for orphans. */
  tcb: Tcb | null = null;
  constructor(
    readonly id: number,
    readonly localIp: string,
    readonly localPort: number,
    readonly remoteIp: string,
    readonly remotePort: number,
    readonly key: number,
    public substate: 'FIN_WAIT_2' | 'TIME_WAIT',
    public rcvNxt: number,
    readonly sndNxt: number,
    readonly rcvWnd: number,
    /** Last timestamp seen from the peer, or -1 without timestamps. */
    public tsRecent: number,
    /** Virtual ms when tsRecent was last updated (Linux tw_ts_recent_stamp, in s there). */
    public tsRecentStamp: number,
    /** TW_REUSE | TW_REUSEPORT | TW_BYBIND: folded into one field to keep the minisock small. */
    readonly flags: number,
    readonly since: number,
  ) {}
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
