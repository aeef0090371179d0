// Small, correct socket routines the checkers' own programs (reference clients
// and servers) use, so that a check fails only because of the learner's side.
import type { Socket } from '../sim/index.ts';

/** Reads until EOF (recv returns ''). */
export async function readToEof(sock: Socket): Promise<string> {
  let text = '';
  for (;;) {
    const part = await sock.recv();
    if (part === '') return text;
    text += part;
  }
}

/**
 * Reads until `text` ends with `terminator` or EOF; returns what was read
 * (terminator included) and whether EOF came first.
 */
export async function readUntil(sock: Socket, terminator: string): Promise<{ text: string; eof: boolean }> {
  let text = '';
  while (!text.endsWith(terminator)) {
    const part = await sock.recv();
    if (part === '') return { text, eof: true };
    text += part;
  }
  return { text, eof: false };
}

/** Deterministic printable text of `bytes` characters, different for each tag. */
export function payload(bytes: number, tag: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let h = 2166136261;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 16777619) >>> 0;
  const out: string[] = [];
  for (let i = 0; i < bytes; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    h = (h + 0x9e3779b9) >>> 0;
    out.push(i % 64 === 63 ? '\n' : alphabet[h % alphabet.length]);
  }
  return out.join('');
}

/** Where two strings first differ, for "byte 1461 differs" messages. */
export function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The errno name of a SocketError (or undefined). */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// ---- clean-client

/**
 * Printable text of `bytes` characters in numbered 64-byte lines, different for
 * each tag, built in time proportional to the number of lines (payload() hashes
 * every byte, which costs tens of ms for replies of 100 KB and more). Every
 * line starts with its number, so bytes out of order or repeated show.
 */
export function numberedPayload(bytes: number, tag: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let h = 2166136261;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 16777619) >>> 0;
  let base = '';
  for (let i = 0; i < 1024; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    h = (h + 0x9e3779b9) >>> 0;
    base += alphabet[h % alphabet.length];
  }
  const lines: string[] = [];
  for (let n = 0, length = 0; length < bytes; n++) {
    const head = `${String(n).padStart(6, '0')} `;
    const off = (n * 389 + (h % 97)) % (base.length - 64);
    const line = `${head}${base.slice(off, off + 64 - head.length - 1)}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('').slice(0, bytes);
}
