// The Simplified Chinese of what the conformance page shows from the test data
// (content/conformance/report.json and programs.json). Most lines come from a
// few templates in tests/conformance (report.ts describes each step and count,
// compare.ts and segments.ts each difference's place) and tests/kernel-run
// (programs-report.ts); the report keeps only their English, so each template
// has a pattern here that reads its parts back and writes them in Chinese. The
// free texts (scenario titles, reasons, listed differences, program notes) are
// keyed by their English in conformance-report-zh-texts.ts.
// tests/unit/conformance-report-zh.test.ts fails when a text the page would
// show has no Chinese, and lists it.
import { PROGRAMS_NOT_YET } from '../../kernel/simplifications.ts';
import { PROGRAMS_NOT_YET_ZH } from './conformance-zh.ts';
import { REPORT_TEXTS_ZH } from './conformance-report-zh-texts.ts';

type Zh = (en: string) => string | undefined;

const SIDE: Record<string, string> = { client: '客户端', server: '服务器' };
const side = (s: string) => SIDE[s];

/** Ranges and lists of numbers read the same in both languages ("3-7", "180-450, 350-1000"). */
const NUMBERS = /^[\d.\-, ]+$/;

// What a step returned (report.ts stepText), without the call itself.
function outcome(en: string): string | undefined {
  let m: RegExpMatchArray | null;
  if (en === 'succeeds') return '成功';
  if ((m = en.match(/^(.*) after (\d+-\d+) ms$/))) return join(outcome(m[1]!), `（耗时 ${m[2]} ms）`);
  if ((m = en.match(/^(.*) with ((?:\d+-\d+|none)(?:, (?:\d+-\d+|none))*) ms left$/))) return join(outcome(m[1]!), `，剩余 ${m[2]} ms`);
  if (/^E[A-Z]+$/.test(en) || NUMBERS.test(en)) return en;
  if ((m = en.match(/^(\d+|undefined) bytes, then (EOF|E[A-Z]+)$/))) return `${m[1]} 字节，然后 ${m[2]}`;
  if ((m = en.match(/^no data, then (EOF|E[A-Z]+)$/))) return `没有数据，然后 ${m[1]}`;
  if ((m = en.match(/^(\d+) bytes$/))) return `${m[1]} 字节`;
  if ((m = en.match(/^([\d-]+) segments dropped$/))) return `丢弃了 ${m[1]} 个报文段`;
  if (en === "'' (EOF)") return "''（EOF）";
  if (/^'[^']*'$/.test(en)) return en;
  if (en === 'no sockets') return '没有套接字';
  // ss output: state names, each with its timer column when asked for ("TIME-WAIT timewait", "LISTEN -").
  if (/^[A-Z][A-Z0-9-]*( [a-z-]+)?(, [A-Z][A-Z0-9-]*( [a-z-]+)?)*$/.test(en)) return en;
  return undefined;
}

/** The parts joined, or undefined when a part has no Chinese. */
function cat(...parts: (string | undefined)[]): string | undefined {
  return parts.some((p) => p === undefined) ? undefined : parts.join('');
}
const join = (a: string | undefined, b: string) => cat(a, b);

// A step as report.ts writes it: "connect(s, port 8080) → succeeds", "ss -tan → LISTEN".
function step(en: string): string | undefined {
  const m = en.match(/^(.+?) → (.+)$/);
  if (!m) return undefined;
  return cat(`${call(m[1]!)} → `, outcome(m[2]!));
}
const call = (en: string) => en.replace(/, port (\d+)\)$/, ', 端口 $1)');

/** a and b with a space between a Chinese character and a Latin letter or digit, as the glossary asks. */
function spaced(a: string, b: string): string {
  const han = /\p{Script=Han}/u;
  const latin = /[A-Za-z0-9')]/;
  const x = a.slice(-1);
  const y = b.slice(0, 1);
  return (han.test(x) && latin.test(y)) || (latin.test(x) && han.test(y)) ? `${a} ${b}` : a + b;
}

// "FIN segments sent by the client (retransmissions only)" (scenario.ts describeCount).
function count(en: string): string | undefined {
  const m = en.match(/^(all|FIN|RST|SYN|bare ACK|'[^']*') segments sent by the (client|server)( \(retransmissions only\))?$/);
  if (!m) return undefined;
  const what = m[1] === 'all' ? '全部报文段' : m[1] === 'bare ACK' ? '单独的 ACK 报文段' : `${m[1]} 报文段`;
  return `${spaced(`${side(m[2]!)}发出的`, what)}${m[3] ? '（只算重传）' : ''}`;
}

// "gaps between 'P' segments sent by the client" (scenario.ts describeGaps).
function gaps(en: string): string | undefined {
  const m = en.match(/^gaps between ('[^']*') segments sent by the (client|server)$/);
  return m ? `${side(m[2]!)}发出的 ${m[1]} 报文段之间的间隔` : undefined;
}

// "client segments, connection 2, #5: bare ACK only in the simulator" (segments.ts describeSegmentDiff).
const SEGMENT_KIND: Record<string, string> = {
  'bare ACK': '单独的 ACK',
  'bare ACK (Linux carries its acknowledgment on the next segment)': '单独的 ACK（Linux 把这个确认捎带在下一个报文段上）',
  'acknowledgment number': '确认号',
  'data segment': '数据报文段',
  'SYN/FIN/RST segment': 'SYN/FIN/RST 报文段',
  connection: '连接',
};
const SEGMENT_VERB: Record<string, string> = { differs: '不同', 'only in the simulator': '只出现在模拟器中', 'only in Linux': '只出现在 Linux 中' };
function segmentDiff(en: string): string | undefined {
  const m = en.match(/^(client|server) segments, (outside any connection|connection (\d+)), #(\d+): (.+) (differs|only in the simulator|only in Linux)$/);
  if (!m || !SEGMENT_KIND[m[5]!]) return undefined;
  const conn = m[3] === undefined ? '不属于任何连接' : `连接 ${m[3]}`;
  return `${side(m[1]!)}的报文段，${conn}，第 ${m[4]} 个：${spaced(SEGMENT_KIND[m[5]!]!, SEGMENT_VERB[m[6]!]!)}`;
}

// The place of a difference (compare.ts compareRuns).
function where(en: string): string | undefined {
  let m: RegExpMatchArray | null;
  if ((m = en.match(/^(.*): timer values left \(±(\d+) ms\)$/))) return join(where(m[1]!), `：定时器剩余时间（±${m[2]} ms）`);
  if ((m = en.match(/^(client|server) step (\d+) \((.*)\)$/))) return `${side(m[1]!)}第 ${m[2]} 步（${m[3]}）`;
  if ((m = en.match(/^(client|server) counter (\w+)$/))) return `${side(m[1]!)}计数器 ${m[2]}`;
  if ((m = en.match(/^segments dropped by rule ('[^']*')$/))) return `规则 ${m[1]} 丢弃的报文段`;
  if (en === 'segments') return '报文段';
  if (en === 'simulator run') return '模拟器的运行';
  return count(en) ?? gaps(en) ?? segmentDiff(en);
}

/** A template: its pattern, and its Chinese from the parts (undefined when a part has none, null when the text is not this template after all). */
type Pattern = [RegExp, (m: RegExpMatchArray, zh: Zh) => string | undefined | null];

const COUNT = String.raw`(?:all|FIN|RST|SYN|bare ACK|'[^']*') segments sent by the (?:client|server)(?: \(retransmissions only\))?`;
const GAPS = String.raw`gaps between '[^']*' segments sent by the (?:client|server)`;

// Each line of "what is compared", "what is left out" and "kernel issues" (report.ts scenarioReport, compare.ts checkExpectations).
const PATTERNS: Pattern[] = [
  [/^(client|server): (.+?): checked on Linux only: (.+)$/, (m, zh) => cat(`${side(m[1]!)}：`, step(m[2]!) ?? call(m[2]!), '：只在 Linux 上检查：', zh(m[3]!))],
  [/^(client|server) counter (\w+) changes by ([\d-]+) on Linux: checked on Linux only: (.+)$/, (m, zh) => cat(`${side(m[1]!)}计数器 ${m[2]} 在 Linux 上变化 ${m[3]}：只在 Linux 上检查：`, zh(m[4]!))],
  [/^(client|server) counter (\w+) changes by ([\d-]+)$/, (m) => `${side(m[1]!)}计数器 ${m[2]} 变化 ${m[3]}`],
  [/^kernel log lines containing ('[^']*'): (\d+) on Linux \(kernel only\)$/, (m) => `内核日志中含有 ${m[1]} 的行数：Linux 上为 ${m[2]}（只看内核）`],
  [/^segments: consecutive copies of a segment count as one: (.+)$/, (m, zh) => cat('报文段：同一报文段连续的多份只算一个：', zh(m[1]!))],
  [/^(client|server): (.+ → .+)$/, (m) => cat(`${side(m[1]!)}：`, step(m[2]!))],
  [/^(client|server): ([a-z -]+?): (.+)$/, (m, zh) => cat(`${side(m[1]!)}：${m[2]}：`, zh(m[3]!))],
  [new RegExp(`^(${GAPS}): ([\\d, -]+) ms$`), (m) => cat(gaps(m[1]!), `：${m[2]} ms`)],
  [new RegExp(`^(${COUNT}): ([\\d-]+)$`), (m) => cat(count(m[1]!), `：${m[2]}`)],
  [new RegExp(`^(${COUNT}): (.+)$`), (m, zh) => cat(count(m[1]!), '：', zh(m[2]!))],
  // Kernel issues: what the documented behaviour expected and what Linux did (compare.ts checkExpectations).
  [/^(.+?): expected (.+), got (.+)$/, (m) => (where(m[1]!) === undefined ? null : `${where(m[1]!)}：应为 ${m[2]}，实际为 ${m[3]}`)],
  [/^(.+?): expected (.+), counted (.+)$/, (m) => (count(m[1]!) === undefined ? null : `${count(m[1]!)}：应为 ${m[2]}，实际数得 ${m[3]}`)],
  [/^(.+?): never ran$/, (m) => (where(m[1]!) === undefined ? null : `${where(m[1]!)}：没有运行`)],
  // A program's note (tests/kernel-run/programs-report.ts).
  [/^compared up to ([\d.]+) s, where the kernel run stopped$/, (m) => `比较到 ${m[1]} s，内核运行在那里停止`],
];

/** The Chinese of one text from the report, or undefined when there is none. */
export function reportTextZh(en: string): string | undefined {
  return translate(en);
}

/** The texts with no Chinese that keep `en` from having one: itself, or the free texts inside its template. */
export function missingTexts(en: string): string[] {
  const misses = new Set<string>();
  translate(en, misses);
  return [...misses];
}

function translate(en: string, misses?: Set<string>): string | undefined {
  const free = REPORT_TEXTS_ZH[en];
  if (free !== undefined) return free;
  const notYet = Object.entries(PROGRAMS_NOT_YET).find(([, p]) => p.why === en);
  if (notYet) return PROGRAMS_NOT_YET_ZH[notYet[0]]?.why;
  const w = where(en);
  if (w !== undefined) return w;
  let matched = false;
  for (const [re, f] of PATTERNS) {
    const m = en.match(re);
    if (!m) continue;
    const zh = f(m, (part) => translate(part, misses));
    if (zh) return zh;
    if (zh === undefined) matched = true;
  }
  if (!matched) misses?.add(en);
  return undefined;
}

/** The text for the page: the English on the English page, the Chinese (or, lacking it, the English) on the Chinese one. */
export function reportText(en: string, locale: string): string {
  return locale === 'en' ? en : (reportTextZh(en) ?? en);
}

/** "11 states, 43 calls, 7 bytes, 25 segments": what a program's run compared. */
const COMPARED_ZH: Record<string, string> = { states: '状态', calls: '调用', bytes: '读到的字节', segments: '报文段' };
export function programComparedZh(c: Record<string, number>): string {
  return Object.entries(c).map(([k, v]) => `${COMPARED_ZH[k] ?? k} ${v} 项`).join('，');
}
export const PROGRAM_COMPARED_KEYS = Object.keys(COMPARED_ZH);

interface ReportLike {
  knownDifferences?: { what: string; why: string; fixedBy: string }[];
  scenarios: { title: string; compared: string[]; excluded: string[]; deliberate: string[]; kernel: { issues: string[] }; simulator: { differences: { where: string }[] } }[];
}
interface ProgramsLike { programs: { note?: string; compared?: Record<string, number> }[] }

/** Every text of the report and the programs' run that the Chinese page shows through reportText. */
export function reportPageTexts(report: ReportLike, programs?: ProgramsLike): string[] {
  const out = new Set<string>();
  for (const s of report.scenarios) {
    for (const t of [s.title, ...s.compared, ...s.excluded, ...s.deliberate, ...s.kernel.issues]) out.add(t);
    for (const d of s.simulator.differences) out.add(d.where);
  }
  for (const k of report.knownDifferences ?? []) for (const t of [k.what, k.why, k.fixedBy]) out.add(t);
  for (const p of programs?.programs ?? []) if (p.note) out.add(p.note);
  return [...out];
}
