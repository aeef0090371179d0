// strerror(3) texts as glibc prints them, so a syscall line reads like strace's
// `= -1 ECONNREFUSED (Connection refused)`.
import type { Errno } from '../../types/closing-time.d.ts';

const STRERROR: Record<Errno, string> = {
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

/** glibc's text for an errno name, or undefined for a name it does not know. */
export function strerror(errno: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(STRERROR, errno) ? STRERROR[errno as Errno] : undefined;
}
