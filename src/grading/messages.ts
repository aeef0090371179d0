// The languages the grader speaks and its own messages (the ones no lab's checker
// writes: compile and load errors, time limits, busy loops). A lab's own messages
// live beside its checker (labs/<id>/messages.ts) in a catalogue of this shape,
// one entry per language, every key in every language (tests/unit/i18n-catalogues.test.ts).
// English is the default and the reference; state names, socket options, calls
// and trace text stay as the simulator prints them in every language.
import type { LabChecker } from './define-checker.ts';

export type GradeLang = 'en' | 'zh-CN';
export const GRADE_LANGS: readonly GradeLang[] = ['en', 'zh-CN'];
export const DEFAULT_GRADE_LANG: GradeLang = 'en';

/** A language as a user may write it ('zh-CN', 'zh-cn', 'zh-Hans', 'zh', 'en', 'en-US'); null if the grader has none such. */
export function parseGradeLang(value: string | null | undefined): GradeLang | null {
  if (!value) return null;
  if (/^en(-[a-z]+)?$/i.test(value)) return 'en';
  if (/^zh(-(cn|hans|hans-cn|sg))?$/i.test(value)) return 'zh-CN';
  return null;
}

/** What a lab brings for the languages other than English: its checks' names and descriptions, and its checker's messages. */
export interface LabMessages<M> {
  messages: Record<GradeLang, M>;
  /** Each check's title and description by its (English) name; English uses the checker's own. */
  checks: Record<Exclude<GradeLang, 'en'>, Record<string, { title: string; description: string }>>;
  /** The labels of the lab page's Run checklist (scenario.ts `expect`) by their English label. */
  expectLabels?: Record<Exclude<GradeLang, 'en'>, Record<string, string>>;
}

/** A Run checklist label of the lab in `lang` (the English label when there is none). */
export function expectLabel(checker: LabChecker<any>, label: string, lang: GradeLang): string {
  if (lang === 'en') return label;
  return checker.messages?.expectLabels?.[lang]?.[label] ?? label;
}

/** How a check is called in `lang` (its name in English or when the lab has no translation). */
export function checkTitle(checker: LabChecker<any>, name: string, lang: GradeLang): string {
  if (lang === 'en') return name;
  return checker.messages?.checks[lang]?.[name]?.title ?? name;
}

/** A check's description (Exercism's test_code) in `lang`. */
export function checkDescription(checker: LabChecker<any>, name: string, lang: GradeLang): string {
  const own = checker.checks.find((c) => c.name === name)?.description ?? '';
  if (lang === 'en') return own;
  return checker.messages?.checks[lang]?.[name]?.description ?? own;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
/** A limit in seconds as a person would write it: 3, 1.5 (no trailing .0). */
const limitSeconds = (ms: number) => Number((ms / 1000).toFixed(1));

const en = {
  notRun: 'not run: the file could not be graded (see above)',
  notText: 'the program is not text',
  compileCrashed: (v: { file: string; error: string }) => `the grader could not compile ${v.file}: ${v.error}`,
  loadFailed: (v: { file: string; error: string }) => `${v.file} failed while loading: ${v.error}`,
  noExport: (v: { file: string; name: string; signature: string }) => `${v.file} has no export named '${v.name}': the lab needs \`${v.signature}\``,
  notFunction: (v: { name: string; type: string; signature: string }) => `'${v.name}' is exported but is a ${v.type}, not a function: the lab needs \`${v.signature}\``,
  noSuchCheck: (v: { name: string }) => `the lab has no check named '${v.name}'`,
  programLoadFailed: (v: { error: string }) => `the program failed while loading: ${v.error}`,
  secondCopyFailed: (v: { error: string }) => `the program failed while loading a second copy of it: ${v.error}`,
  outputTruncated: (v: { n: number }) => `[output truncated: ${v.n} characters in all]`,
  textCut: (v: { n: number }) => `[... ${v.n} more characters cut]`,
  busyLoop: (v: { error: string }) => `${v.error}. A loop must await the simulator (recv, sleep, accept ...) to let virtual time pass.`,
  // The busy-loop guard's own error (src/runner/busy-loop-guard.ts): English as the guard writes it.
  busyLoopGuard: (v: { ms: number; file: string; line: number }) =>
    `busy loop: the program ran for ${v.ms >= 1000 ? `${limitSeconds(v.ms)} s` : `${v.ms} ms`} without waiting on the simulator (${v.file}:${v.line})`,
  wallLimit: (v: { wallMs: number; virtualMs: number; detail: string }) =>
    `the simulation used up this check's ${seconds(v.wallMs)} s of real time at virtual t=${v.virtualMs} ms (${v.detail}). Look for a loop that never waits (await recv/sleep) or that opens far more connections than needed.`,
  timeout: (v: { wallMs: number }) =>
    `this check did not finish within ${seconds(v.wallMs)} s of real time: your code may wait on something that never happens outside the simulation, or loop without awaiting.`,
  checkError: (v: { error: string }) => `the check stopped on an error: ${v.error}`,
  // The lab page's grading worker (components/lab/grade-worker.ts, grade-client.ts).
  noChecker: (v: { lab: string }) => `there is no checker for lab '${v.lab}' in this build`,
  graderFailed: (v: { error: string }) => `the grader failed: ${v.error}`,
  graderNoStart: (v: { error: string }) => `The grader could not start: ${v.error}`,
  workerError: 'worker error',
  silent: (v: { s: number }) => `A check ran for ${v.s} s without finishing and was stopped: look for a loop that never awaits.`,
  stopped: 'Stopped.',
  // The workshop server's sandbox (src/server/grading): the limits a grading child holds, and
  // what the server says when a child crashes, hangs or answers with something it cannot use.
  sandbox: {
    memory: (v: { mb: number }) => `your program used more than ${v.mb} MB of memory (a very large array or string, or one that grows in a loop?), so the grader stopped it`,
    cpu: (v: { cpuMs: number }) =>
      `grading used more than ${limitSeconds(v.cpuMs)} s of CPU time, so the grader stopped it: look for a loop that never awaits the simulator, or work that grows without bound (a huge string, array, BigInt or regular expression)`,
    wall: (v: { wallMs: number }) =>
      `grading took more than ${limitSeconds(v.wallMs)} s of real time, so the grader stopped it: look for a loop that never awaits, or for a wait on something that never happens`,
    noResult: 'the grading ended without a result',
    unsendable: 'the grader produced a result it could not send (too large or malformed)',
    stopped: 'the grader stopped',
    crashed:
      "the grader's process stopped while running your code, so nothing could be graded: this happens when a program asks for something enormous at once (a huge array filled in one call, a giant string or BigInt)",
    crashedMemory: (v: { mb: number }) =>
      `the grader's process ran out of memory while running your code, so nothing could be graded: your program asked for far more than ${v.mb} MB at once (a huge array filled in one call, a giant string?)`,
    unresponsive:
      "the grader's process stopped answering while running your code and was restarted: look for one call that does an enormous amount of work at once (filling a huge array, parsing a giant BigInt, a regular expression on a long input)",
    garbled: 'the grader answered in a way this server does not understand',
    untrusted: 'the grader returned a result that does not match this lab, so it was not counted; submit again, and tell the instructor if this keeps happening',
    tooLarge: (v: { kb: number; maxKb: number }) => `the program is too large to grade (${v.kb} KB; at most ${v.maxKb} KB)`,
    noLab: (v: { lab: string; known: readonly string[] }) => `there is no lab '${v.lab}': known labs are ${v.known.join(', ')}`,
    notPassed: 'this check did not pass',
    notGraded: 'the program could not be graded',
  },
  // The terminal's report (format-result.ts); PASS, FAIL, SKIP and ERROR stay as they are.
  report: {
    lab: (v: { lab: string }) => `Lab ${v.lab}`,
    error: (v: { message: string }) => `error: ${v.message}`,
    output: 'output:',
    allPass: 'All checks pass.',
    somePass: (v: { passed: number; total: number }) => `${v.passed} of ${v.total} checks pass.`,
    score: 'Score:',
  },
};

export type GraderMessages = typeof en;

const zhCN: GraderMessages = {
  notRun: '未运行：这个文件无法判题（原因见上方）',
  notText: '提交的程序不是文本',
  compileCrashed: (v) => `判题器无法编译 ${v.file}：${v.error}`,
  loadFailed: (v) => `${v.file} 在加载时出错：${v.error}`,
  noExport: (v) => `${v.file} 没有名为 '${v.name}' 的导出：本实验需要 \`${v.signature}\``,
  notFunction: (v) => `'${v.name}' 已导出，但它是 ${v.type}，不是函数：本实验需要 \`${v.signature}\``,
  noSuchCheck: (v) => `本实验没有名为 '${v.name}' 的检查项`,
  programLoadFailed: (v) => `程序在加载时出错：${v.error}`,
  secondCopyFailed: (v) => `再次加载程序（第二份副本）时出错：${v.error}`,
  outputTruncated: (v) => `[输出已截断：共 ${v.n} 个字符]`,
  textCut: (v) => `[…… 另有 ${v.n} 个字符被截去]`,
  busyLoop: (v) => `${v.error}。循环里必须 await 模拟器的调用（recv、sleep、accept 等），虚拟时间才会前进。`,
  busyLoopGuard: (v) => `忙循环：程序运行了 ${v.ms >= 1000 ? `${limitSeconds(v.ms)} 秒` : `${v.ms} 毫秒`}，一直没有等待模拟器（${v.file}:${v.line}）`,
  wallLimit: (v) =>
    `模拟在虚拟时间 t=${v.virtualMs} ms 时用完了本检查项 ${seconds(v.wallMs)} 秒的真实时间（${v.detail}）。检查是否有从不等待的循环（没有 await recv/sleep），或者打开了远超需要的连接。`,
  timeout: (v) => `本检查项在 ${seconds(v.wallMs)} 秒真实时间内没有结束：你的代码可能在等待一件在模拟之外永远不会发生的事，或者在循环中没有 await。`,
  checkError: (v) => `检查项因错误而中止：${v.error}`,
  noChecker: (v) => `这个版本的站点里没有实验 '${v.lab}' 的判题器`,
  graderFailed: (v) => `判题器出错：${v.error}`,
  graderNoStart: (v) => `判题器无法启动：${v.error}`,
  workerError: 'worker 出错',
  silent: (v) => `某个检查项运行了 ${v.s} 秒仍未结束，已被停止：检查是否有从不 await 的循环。`,
  stopped: '已停止。',
  sandbox: {
    memory: (v) => `你的程序使用的内存超过了 ${v.mb} MB（是不是有很大的数组或字符串，或者在循环里不断变大？），判题器已将它停止`,
    cpu: (v) =>
      `判题用掉了超过 ${limitSeconds(v.cpuMs)} 秒的 CPU 时间，判题器已将它停止：检查是否有从不 await 模拟器的循环，或者无限增长的计算（巨大的字符串、数组、BigInt 或正则表达式）`,
    wall: (v) => `判题用掉了超过 ${limitSeconds(v.wallMs)} 秒的真实时间，判题器已将它停止：检查是否有从不 await 的循环，或者在等待一件永远不会发生的事`,
    noResult: '判题结束了，却没有得到结果',
    unsendable: '判题器得到的结果无法发回（太大或格式有误）',
    stopped: '判题器已停止',
    crashed: '运行你的代码时，判题器的进程停止了，因此什么都没能判题：程序一次要求极其巨大的东西时会这样（一次调用填满的巨大数组、巨型字符串或 BigInt）',
    crashedMemory: (v) => `运行你的代码时，判题器的进程耗尽了内存，因此什么都没能判题：你的程序一次要求的内存远远超过 ${v.mb} MB（一次调用填满的巨大数组、巨型字符串？）`,
    unresponsive: '运行你的代码时，判题器的进程不再响应，已被重启：检查是否有某一次调用一下子做了极其大量的工作（填满巨大的数组、解析巨型 BigInt、在很长的输入上运行正则表达式）',
    garbled: '判题器的回答无法被本服务器理解',
    untrusted: '判题器返回的结果与本实验不符，因此没有计分；请重新提交，如果一再发生，请告诉讲师',
    tooLarge: (v) => `程序太大，无法判题（${v.kb} KB；最多 ${v.maxKb} KB）`,
    noLab: (v) => `没有名为 '${v.lab}' 的实验：现有的实验是 ${v.known.join('、')}`,
    notPassed: '本检查项没有通过',
    notGraded: '程序无法判题',
  },
  report: {
    lab: (v) => `实验 ${v.lab}`,
    error: (v) => `错误：${v.message}`,
    output: '输出：',
    allPass: '全部检查项通过。',
    somePass: (v) => `${v.total} 个检查项中通过 ${v.passed} 个。`,
    score: '得分：',
  },
};

export const graderMessages: Record<GradeLang, GraderMessages> = { en, 'zh-CN': zhCN };
