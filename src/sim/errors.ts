import type { Errno } from '../../types/closing-time.d.ts';

/** strerror(3) texts as glibc prints them. */
const DESCRIPTIONS: Record<Errno, string> = {
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EPIPE: 'Broken pipe',
  ETIMEDOUT: 'Connection timed out',
  ENOTCONN: 'Transport endpoint is not connected',
  EISCONN: 'Transport endpoint is already connected',
  EALREADY: 'Operation already in progress',
  EINVAL: 'Invalid argument',
  EBADF: 'Bad file descriptor',
  ENOPROTOOPT: 'Protocol not available',
  EOPNOTSUPP: 'Operation not supported',
  EHOSTUNREACH: 'No route to host',
};

/** What a failing socket call throws: `code` is the errno name Linux returns from the same call. */
export class SocketError extends Error {
  readonly code: Errno;
  readonly syscall: string;
  constructor(code: Errno, syscall: string, message?: string) {
    super(`${syscall}: ${code} (${DESCRIPTIONS[code] ?? code})${message ? `: ${message}` : ''}`);
    this.name = 'SocketError';
    this.code = code;
    this.syscall = syscall;
  }
}

export function describeErrno(code: Errno): string {
  return DESCRIPTIONS[code] ?? code;
}

/** glibc's text for an errno name, or undefined for a name it does not know. */
export function strerror(errno: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(DESCRIPTIONS, errno) ? DESCRIPTIONS[errno as Errno] : undefined;
}
