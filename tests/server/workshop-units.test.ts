// The workshop's small rules, without a server: join codes, token checks, CSV
// quoting, display names, settings from the environment, and the storage's
// queue (claim, finish with the claimed generation only, requeue at start).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/server/server-config.ts';
import { csvCell, csvRows } from '../../src/server/workshop/csv.ts';
import { CODE_ALPHABET, hashToken, newJoinCode, normalizeJoinCode, tokenMatches } from '../../src/server/workshop/secrets.ts';
import { cleanName, nameKey } from '../../src/server/workshop/service.ts';
import { openSqliteStorage } from '../../src/server/workshop/sqlite-storage.ts';

describe('join codes', () => {
  it('are 8 symbols without look-alike characters, shown with a hyphen', () => {
    for (let i = 0; i < 200; i++) expect(newJoinCode()).toMatch(new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`));
    for (const ch of '0O1IL2Z5S8B') expect(CODE_ALPHABET).not.toContain(ch);
  });

  it('are read in any case, with or without the hyphen or spaces, and anything else is no code', () => {
    expect(normalizeJoinCode('kx7p-qm4w')).toBe('KX7P-QM4W');
    expect(normalizeJoinCode(' KX7P QM4W ')).toBe('KX7P-QM4W');
    expect(normalizeJoinCode('KX7PQM4W')).toBe('KX7P-QM4W');
    expect(normalizeJoinCode('KX7P-QM4')).toBeNull();
    expect(normalizeJoinCode('KX0P-QM4W')).toBeNull();
    expect(normalizeJoinCode(42)).toBeNull();
  });
});

describe('tokens', () => {
  it('match only their own hash, and empty, oversized or missing tokens never match', () => {
    const h = hashToken('secret-token-value');
    expect(tokenMatches('secret-token-value', h)).toBe(true);
    expect(tokenMatches('secret-token-valuf', h)).toBe(false);
    expect(tokenMatches('', h)).toBe(false);
    expect(tokenMatches(undefined, h)).toBe(false);
    expect(tokenMatches('x'.repeat(10_000), h)).toBe(false);
    expect(tokenMatches('secret-token-value', 'not-hex')).toBe(false);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvRows([['a', 1], ['b', null]])).toBe('a,1\r\nb,\r\n');
  });

  it('makes cells that a spreadsheet would run as formulas inert, and leaves numbers alone', () => {
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(f).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(Number.NaN)).toBe('');
  });
});

describe('display names', () => {
  it('are trimmed with white space collapsed; control and invisible characters and over-long names are refused', () => {
    expect(cleanName('  Ada   Lovelace ')).toBe('Ada Lovelace');
    expect(cleanName('')).toBeNull();
    expect(cleanName('a\u0000b')).toBeNull();
    expect(cleanName('a\u202eb')).toBeNull();
    expect(cleanName('x'.repeat(41))).toBeNull();
    expect(cleanName('李小龍')).toBe('李小龍');
  });

  it('count as the same name when they differ only in case, width or spacing', () => {
    expect(nameKey('ADA')).toBe(nameKey('ada'));
    expect(nameKey('ＡＤＡ')).toBe(nameKey('ada'));
  });
});

describe('settings from the environment', () => {
  it('has defaults for a workshop on a laptop', () => {
    const c = configFromEnv({}, '/srv/ct');
    expect(c).toMatchObject({ port: 4321, host: '0.0.0.0', dataDir: path.resolve('/srv/ct/data'), base: '/', queueMax: 500 });
    expect(c.publicUrl).toBeUndefined();
  });

  it('refuses a bad PORT or PUBLIC_URL with a message naming it', () => {
    expect(() => configFromEnv({ PORT: '70000' }, '/x')).toThrow(/PORT/);
    expect(() => configFromEnv({ PORT: 'abc' }, '/x')).toThrow(/PORT/);
    expect(() => configFromEnv({ PUBLIC_URL: 'ftp://x' }, '/x')).toThrow(/PUBLIC_URL/);
    expect(configFromEnv({ PUBLIC_URL: 'http://192.168.1.20:4321' }, '/x').publicUrl).toBe('http://192.168.1.20:4321/');
  });

  it('takes PostgreSQL from DATABASE_URL, and only then lets a server leave grading to grading nodes (GRADERS=0)', () => {
    expect(configFromEnv({}, '/x').databaseUrl).toBeUndefined();
    expect(() => configFromEnv({ GRADERS: '0' }, '/x')).toThrow(/GRADERS/);
    const shared = configFromEnv({ DATABASE_URL: 'postgres://u:p@db:5432/ct', GRADERS: '0' }, '/x');
    expect(shared).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/ct', graders: 0, leaseMs: 30_000 });
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://u:secret@db/ct' }, '/x')).toThrow(/DATABASE_URL must be a PostgreSQL URL/);
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://u:secret@db/ct' }, '/x')).not.toThrow(/secret/);
  });

  it('takes a shared admin token from ADMIN_TOKEN, refusing a short one', () => {
    expect(configFromEnv({ ADMIN_TOKEN: 'x'.repeat(40) }, '/x').adminToken).toBe('x'.repeat(40));
    expect(() => configFromEnv({ ADMIN_TOKEN: 'short' }, '/x')).toThrow(/ADMIN_TOKEN/);
  });
});

describe('the SQLite queue', () => {
  const fresh = async () => {
    const s = openSqliteStorage(mkdtempSync(path.join(tmpdir(), 'ct-store-')));
    const w = await s.createWorkshop({ code: 'AAAA-CCCC', title: 't', instructorTokenHash: hashToken('t'), createdAt: new Date().toISOString() });
    await s.addLearner({ id: 'l1', workshopId: w.id, name: 'A', nameKey: 'a', joinedAt: new Date().toISOString() });
    const add = (id: string) => s.addSubmission({ id, workshopId: w.id, learnerId: 'l1', lab: 'clean-client', source: '', browserScore: null, browserMax: null, createdAt: new Date().toISOString() });
    return { s, w, add };
  };
  const graded = { result: '{}', score: 1, maxScore: 9, resultStatus: 'fail' as const, gradedAt: new Date().toISOString() };

  it('hands out the oldest queued submission first, once', async () => {
    const { s, add } = await fresh();
    await add('one');
    await add('two');
    expect((await s.claimNext(''))!.id).toBe('one');
    expect((await s.claimNext(''))!.id).toBe('two');
    expect(await s.claimNext('')).toBeNull();
    await s.close();
  });

  it('records a grading only with the generation it was claimed with, so a regrade is never overwritten by the grading it overtook', async () => {
    const { s, w, add } = await fresh();
    await add('one');
    const claimed = (await s.claimNext(''))!;
    expect(await s.regradeLatest(w.id)).toEqual(['one']);
    expect(await s.finishGrading('one', claimed.generation, graded)).toBe(false);
    const again = (await s.claimNext(''))!;
    expect(again.generation).toBe(claimed.generation + 1);
    expect(await s.finishGrading('one', again.generation, graded)).toBe(true);
    expect((await s.submission('one'))!.status).toBe('done');
    await s.close();
  });

  it('puts what a stopped server left in grading back in the queue', async () => {
    const { s, add } = await fresh();
    await add('one');
    await s.claimNext('');
    expect(await s.pendingCount()).toBe(1);
    expect(await s.requeueAbandoned()).toBe(1);
    expect((await s.claimNext(''))!.id).toBe('one');
    await s.close();
  });
});
