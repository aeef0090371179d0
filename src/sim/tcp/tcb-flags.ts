/**
 * A full socket's yes/no fields (Linux keeps most of them as bits of
 * tcp_sock and sock flags), packed in one small integer: a busy run holds many
 * sockets, and twenty boolean fields would be most of a socket's size. Tcb
 * extends this class, so the state machine reads them as plain fields.
 */
export abstract class TcbFlags {
  private bf = 0;
  private setBit(bit: number, v: boolean): void {
    this.bf = v ? this.bf | bit : this.bf & ~bit;
  }
  /** In the stack's connection table under `key` (not yet, or no longer: closed, or handed to a minisock). */
  get hashed(): boolean {
    return (this.bf & 1) !== 0;
  }
  set hashed(v: boolean) {
    this.setBit(1, v);
  }
  /** Bound with bind() (Linux: bind bucket fastreuse >= 0), as opposed to autobind by connect(). */
  get boundByBind(): boolean {
    return (this.bf & 2) !== 0;
  }
  set boundByBind(v: boolean) {
    this.setBit(2, v);
  }
  get bound(): boolean {
    return (this.bf & 4) !== 0;
  }
  set bound(v: boolean) {
    this.setBit(4, v);
  }
  get reuse(): boolean {
    return (this.bf & 8) !== 0;
  }
  set reuse(v: boolean) {
    this.setBit(8, v);
  }
  get reuseport(): boolean {
    return (this.bf & 16) !== 0;
  }
  set reuseport(v: boolean) {
    this.setBit(16, v);
  }
  /** Socket flags (Linux sk_shutdown, SOCK_DEAD as orphan). */
  get shutRd(): boolean {
    return (this.bf & 32) !== 0;
  }
  set shutRd(v: boolean) {
    this.setBit(32, v);
  }
  get shutWr(): boolean {
    return (this.bf & 64) !== 0;
  }
  set shutWr(v: boolean) {
    this.setBit(64, v);
  }
  get orphan(): boolean {
    return (this.bf & 128) !== 0;
  }
  set orphan(v: boolean) {
    this.setBit(128, v);
  }
  get finQueued(): boolean {
    return (this.bf & 256) !== 0;
  }
  set finQueued(v: boolean) {
    this.setBit(256, v);
  }
  /** Our FIN was sent (finSeq is its sequence number). */
  get finSent(): boolean {
    return (this.bf & 512) !== 0;
  }
  set finSent(v: boolean) {
    this.setBit(512, v);
  }
  get finRcvd(): boolean {
    return (this.bf & 1024) !== 0;
  }
  set finRcvd(v: boolean) {
    this.setBit(1024, v);
  }
  get tsOn(): boolean {
    return (this.bf & 2048) !== 0;
  }
  set tsOn(v: boolean) {
    this.setBit(2048, v);
  }
  /** tsRecent holds a timestamp from the peer. */
  get tsSeen(): boolean {
    return (this.bf & 4096) !== 0;
  }
  set tsSeen(v: boolean) {
    this.setBit(4096, v);
  }
  /** tsOffset is computed. */
  get tsOffsetSet(): boolean {
    return (this.bf & 8192) !== 0;
  }
  set tsOffsetSet(v: boolean) {
    this.setBit(8192, v);
  }
  /** A segment is being timed (rttSeq). */
  get rttOn(): boolean {
    return (this.bf & 16384) !== 0;
  }
  set rttOn(v: boolean) {
    this.setBit(16384, v);
  }
  /** close() was called on the fd (it returned or is lingering), or accept() has not taken it yet: see Tcb.fdClosed. */
  protected get fdShut(): boolean {
    return (this.bf & 32768) !== 0;
  }
  protected set fdShut(v: boolean) {
    this.setBit(32768, v);
  }
  /** SO_RCVBUF was set (Linux SOCK_RCVBUF_LOCK in sk_userlocks): rcvBufSize is the program's, not the default. */
  get rcvBufLocked(): boolean {
    return (this.bf & 65536) !== 0;
  }
  set rcvBufLocked(v: boolean) {
    this.setBit(65536, v);
  }
  /** SO_SNDBUF was set (Linux SOCK_SNDBUF_LOCK). */
  get sndBufLocked(): boolean {
    return (this.bf & 131072) !== 0;
  }
  set sndBufLocked(v: boolean) {
    this.setBit(131072, v);
  }
  /** TCP_NODELAY: Nagle's algorithm is off (Linux nonagle & TCP_NAGLE_OFF). */
  get nodelay(): boolean {
    return (this.bf & 262144) !== 0;
  }
  set nodelay(v: boolean) {
    this.setBit(262144, v);
  }
  /** TCP_CORK: partial segments wait (Linux nonagle & TCP_NAGLE_CORK). */
  get cork(): boolean {
    return (this.bf & 524288) !== 0;
  }
  set cork(v: boolean) {
    this.setBit(524288, v);
  }

}
