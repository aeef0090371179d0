// The workshop pages' pure parts: join codes as typed, the instructor link's
// fragment, the dashboard's colours, pseudonyms and sticking points, polling
// back-off, Retry-After, and how a server grade is compared with the browser's.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryAfterSeconds } from '../../src/components/workshop/api.ts';
import { displayNames, labStanding, pendingCount, progressOf, stickingGroups } from '../../src/components/workshop/dashboard-model.ts';
import { compareGrades } from '../../src/components/workshop/grade-compare.ts';
import { credentialsFromFragment, credentialsFromLink } from '../../src/components/workshop/instructor-link.ts';
import { joinCodeProblem, normalizeJoinCode } from '../../src/components/workshop/join-code.ts';
import { coalesce } from '../../src/components/workshop/live-events.ts';
import { pollDelay } from '../../src/components/workshop/poll-schedule.ts';
import { relativeTime } from '../../src/components/workshop/relative-time.ts';
import type { Dashboard, DashboardLearner } from '../../src/components/workshop/types.ts';
import type { GradeResult } from '../../src/grading/result-types.ts';

describe('join codes', () => {
  it('accept any case, with or without the hyphen or spaces', () => {
    expect(normalizeJoinCode('kx7p-qm4w')).toBe('KX7P-QM4W');
    expect(normalizeJoinCode('KX7PQM4W')).toBe('KX7P-QM4W');
    expect(normalizeJoinCode(' kx7p qm4w ')).toBe('KX7P-QM4W');
  });

  it('refuse look-alikes and wrong lengths, saying why', () => {
    expect(normalizeJoinCode('KX7P-QM40')).toBeNull();
    expect(joinCodeProblem('KX7P-QM40')).toMatch(/never contain 0/);
    expect(joinCodeProblem('KX7P')).toMatch(/8 letters and digits; you typed 4/);
    expect(joinCodeProblem('')).toMatch(/KX7P-QM4W/);
    expect(joinCodeProblem('kx7p-qm4w')).toBeNull();
  });
});

describe('the instructor link', () => {
  it('gives its code and token from the fragment only', () => {
    expect(credentialsFromFragment('#code=kx7p-qm4w&token=abc_DEF-123')).toEqual({ code: 'KX7P-QM4W', token: 'abc_DEF-123' });
    expect(credentialsFromFragment('#code=KX7P-QM4W')).toBeNull();
    expect(credentialsFromFragment('')).toBeNull();
    expect(credentialsFromLink('https://course.example/workshop/instructor/#code=KX7P-QM4W&token=t%2Bk')).toEqual({ code: 'KX7P-QM4W', token: 't+k' });
    // A token in the query is not an instructor link: the query reaches servers and logs.
    expect(credentialsFromLink('https://course.example/workshop/instructor/?code=KX7P-QM4W&token=abc')).toBeNull();
  });
});

const learner = (id: string, joinedAt: string, labs: DashboardLearner['labs'] = {}): DashboardLearner => ({ id, name: `name-${id}`, joinedAt, lastSeen: joinedAt, labs });
const cell = (best: number, attempts: number, lastStatus: 'queued' | 'grading' | 'done' = 'done') => ({ best, max: 10, attempts, last: '2025-01-01T10:00:00Z', lastId: 'x', lastStatus });

function dashboard(learners: DashboardLearner[], sticking: Dashboard['sticking'] = []): Dashboard {
  return {
    workshop: { code: 'KX7P-QM4W', title: 'T', closed: false, solutions: true, createdAt: '2025-01-01T09:00:00Z', joinUrl: 'http://x/workshop/?code=KX7P-QM4W' },
    labs: [
      { id: 'a', title: 'Lab A', max_score: 10, checks: [] },
      { id: 'b', title: 'Lab B', max_score: 10, checks: [] },
    ],
    learners,
    checks: {},
    sticking,
  };
}

describe('the dashboard', () => {
  it('colours a cell by progress: none, submitted without points, some points, full marks', () => {
    expect(progressOf(undefined, 10)).toBe('none');
    expect(progressOf(cell(0, 2), 10)).toBe('started');
    expect(progressOf(cell(4, 1), 10)).toBe('partial');
    expect(progressOf(cell(10, 3), 10)).toBe('done');
  });

  it('hides names in projector mode behind numbers that follow the join order', () => {
    const ls = [learner('z', '2025-01-01T10:05:00Z'), learner('y', '2025-01-01T10:01:00Z')];
    expect([...displayNames(ls, true)]).toEqual([
      ['y', 'Learner 1'],
      ['z', 'Learner 2'],
    ]);
    expect(displayNames(ls, false).get('z')).toBe('name-z');
  });

  it('counts, per lab, who has full marks and who tried; and what is still being graded', () => {
    const d = dashboard([learner('1', 't1', { a: cell(10, 1) }), learner('2', 't2', { a: cell(3, 2, 'grading') }), learner('3', 't3')]);
    expect(labStanding(d, 'a')).toEqual({ done: 1, attempted: 2, total: 3 });
    expect(labStanding(d, 'b')).toEqual({ done: 0, attempted: 0, total: 3 });
    expect(pendingCount(d)).toBe(1);
  });

  it('puts the sticking point most learners share first, grouped by lab, without checks nobody fails', () => {
    const d = dashboard([], [
      { lab: 'a', check: 'a1', failures: 1, message: 'm', learners: ['x'] },
      { lab: 'b', check: 'b1', failures: 3, message: 'm', learners: ['x', 'y', 'z'] },
      { lab: 'a', check: 'a2', failures: 2, message: 'm', learners: ['x', 'y'] },
      { lab: 'b', check: 'b2', failures: 0, message: null, learners: [] },
    ]);
    const groups = stickingGroups(d);
    expect(groups.map((g) => [g.lab, g.points.map((p) => p.check)])).toEqual([
      ['b', ['b1']],
      ['a', ['a2', 'a1']],
    ]);
    expect(groups[0]!.title).toBe('Lab B');
  });

  it('says how long ago in coarse steps', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(relativeTime('2025-01-01T11:59:40Z', now)).toBe('just now');
    expect(relativeTime('2025-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime('2025-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime(null, now)).toBe('');
  });
});

describe('live refresh', () => {
  afterEach(() => vi.useRealTimers());

  it('runs once after a burst of events, and at least every maxWait while they keep coming', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const go = coalesce(fn, 300, 1000);
    go();
    go();
    vi.advanceTimersByTime(299);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    // An event every 200 ms for 2 s: never quiet for 300 ms, still refreshed.
    for (let i = 0; i < 10; i++) {
      go();
      vi.advanceTimersByTime(200);
    }
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(2);
  });
});

describe('a lab page following its submission', () => {
  it('asks soon at first, then every 2 s at most', () => {
    const delays = Array.from({ length: 8 }, (_, i) => pollDelay(i));
    expect(delays[0]).toBe(500);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(Math.max(...delays)).toBe(2000);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds('1.2')).toBe(2);
    expect(retryAfterSeconds(new Date(Date.parse('2025-01-01T12:00:10Z')).toUTCString(), Date.parse('2025-01-01T12:00:00Z'))).toBe(10);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });

  const test = (name: string, status: 'pass' | 'fail', score: number) => ({ name, status, message: null, output: null, task_id: 1, test_code: '', score, max_score: 3 });
  const grade = (tests: ReturnType<typeof test>[]): GradeResult => ({
    version: 3,
    lab: 'l',
    status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail',
    tests,
    score: tests.reduce((s, t) => s + t.score, 0),
    max_score: tests.length * 3,
  });

  it('says nothing when the server agrees with the browser', () => {
    const g = grade([test('a', 'pass', 3), test('b', 'fail', 0)]);
    expect(compareGrades(g, g)).toEqual({ agree: true, differing: [], text: '' });
  });

  it('says plainly when the server’s grade differs, naming the checks', () => {
    const browser = grade([test('a', 'pass', 3), test('b', 'pass', 3)]);
    const server = grade([test('a', 'pass', 3), test('b', 'fail', 0)]);
    const c = compareGrades(server, browser);
    expect(c.agree).toBe(false);
    expect(c.differing).toEqual(['b']);
    expect(c.text).toBe("The server's grade (3/6) differs from your browser's (6/6); your instructor sees the server's. Graded differently: “b”.");
  });
});
