// strerror(3) texts as glibc prints them, so a syscall line reads like strace's
// `= -1 ECONNREFUSED (Connection refused)`. The table is the simulator's own
// (SocketError messages use the same words).
export { strerror } from '../sim/errors.ts';
