// The workshop's secrets: admin, instructor and session tokens (256 random
// bits, base64url), join codes a room can read off a projector, and how they
// are kept: only a SHA-256 of each token is stored, and a presented token is
// compared with timingSafeEqual so the comparison time says nothing about it.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A new secret token: 32 random bytes (256 bits), URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A new opaque id (submissions, learners): 128 random bits. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `token` hashes to `storedHash`, in time that does not depend on where they differ. */
export function tokenMatches(token: string | undefined | null, storedHash: string | undefined | null): boolean {
  if (typeof token !== 'string' || token.length === 0 || token.length > 512 || typeof storedHash !== 'string') return false;
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or off a projector cannot be mistaken.
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const CODE_LENGTH = 8;

/** A join code such as 'KX7P-QM4W' (8 symbols of 25: about 37 bits; joins are rate limited). */
export function newJoinCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * The canonical form of a code someone typed: upper case, hyphen in the
 * middle, spaces and hyphens anywhere ignored. Null when it cannot be a code.
 */
export function normalizeJoinCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== CODE_LENGTH) return null;
  for (const ch of s) if (!CODE_ALPHABET.includes(ch)) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
