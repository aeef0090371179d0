// The lab page's grading client tells a stuck or failed grader in the language
// the check was asked for.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GradeClient, SILENCE_LIMIT_MS } from '../../src/components/lab/grade-client.ts';

class FakeWorker extends EventTarget {
  posted: unknown[] = [];
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  terminate(): void {}
}

function client(): { c: GradeClient; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const c = new GradeClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w as unknown as Worker;
  });
  return { c, workers };
}

const handlers = (errors: string[]) => ({ onResult() {}, onDone() {}, onError: (m: string) => errors.push(m) });

afterEach(() => vi.useRealTimers());

describe('grading client messages', () => {
  it('stops a silent check with a Chinese message when the check was asked for in Chinese', () => {
    vi.useFakeTimers();
    const { c } = client();
    const errors: string[] = [];
    c.grade('lab', 'src', 'a.ts', handlers(errors), 'zh-CN');
    vi.advanceTimersByTime(SILENCE_LIMIT_MS + 1);
    expect(errors).toEqual([`某个检查项运行了 ${SILENCE_LIMIT_MS / 1000} 秒仍未结束，已被停止：检查是否有从不 await 的循环。`]);
  });

  it('keeps the English message for an English check', () => {
    vi.useFakeTimers();
    const { c } = client();
    const errors: string[] = [];
    c.grade('lab', 'src', 'a.ts', handlers(errors));
    vi.advanceTimersByTime(SILENCE_LIMIT_MS + 1);
    expect(errors[0]).toMatch(/^A check ran for 150 s without finishing/);
  });

  it('says in Chinese that the grader could not start, and that a stop stopped it', () => {
    const { c, workers } = client();
    const errors: string[] = [];
    c.grade('lab', 'src', 'a.ts', handlers(errors), 'zh-CN');
    const ev = new Event('error') as Event & { message: string };
    ev.message = '';
    workers[0]!.dispatchEvent(ev);
    expect(errors).toEqual(['判题器无法启动：worker 出错']);
    c.grade('lab', 'src', 'a.ts', handlers(errors), 'zh-CN');
    c.stop();
    expect(errors[1]).toBe('已停止。');
  });
});
