// The Chinese conformance page shows the test data in Chinese: every templated
// row is rewritten from its parts, every free text has an entry, and a text
// with neither (a new scenario, a new listed difference) fails here by name.
import { describe, expect, it } from 'vitest';
import report from '../../content/conformance/report.json';
import programs from '../../content/conformance/programs.json';
import { missingTexts, programComparedZh, reportPageTexts, reportText, reportTextZh } from '../../src/components/pages/conformance-report-zh.ts';
import { REPORT_TEXTS_ZH } from '../../src/components/pages/conformance-report-zh-texts.ts';

const HAN = /\p{Script=Han}/u;
/** What stays as printed: state names, options, sysctls, errno names, counters, calls. */
const CODE = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bE[A-Z]{4,}\b|\b[a-z0-9]+_[a-z0-9_]+\b|\b[A-Za-z]+\(\)|\bTcp[A-Za-z]+\b|\bTCP[A-Z][a-z][A-Za-z]+\b/g;

describe('the conformance report in Chinese', () => {
  it('has Chinese for every text of the report and the programs run that the page shows', () => {
    const texts = reportPageTexts(report, programs);
    expect(texts.length).toBeGreaterThan(300);
    const missing = [...new Set(texts.flatMap(missingTexts))];
    expect(missing, `no Chinese for these texts; add them to src/components/pages/conformance-report-zh-texts.ts:\n${missing.join('\n')}`).toEqual([]);
    for (const t of texts) expect(HAN.test(reportTextZh(t) ?? ''), t).toBe(true);
  });

  it('names a new free text as missing, alone or inside a template', () => {
    expect(missingTexts('Two listeners fight over one port')).toEqual(['Two listeners fight over one port']);
    expect(missingTexts('server: undrop: a reason nobody has translated')).toEqual(['a reason nobody has translated']);
    expect(missingTexts('FIN segments sent by the client: a reason nobody has translated')).toEqual(['a reason nobody has translated']);
    expect(reportTextZh('Two listeners fight over one port')).toBeUndefined();
    expect(reportText('Two listeners fight over one port', 'zh-cn')).toBe('Two listeners fight over one port');
  });

  it('rewrites each template from its parts, keeping calls, states, counters and numbers as printed', () => {
    expect(reportTextZh('client segments, connection 2, #5: bare ACK only in the simulator')).toBe('客户端的报文段，连接 2，第 5 个：单独的 ACK 只出现在模拟器中');
    expect(reportTextZh('server segments, outside any connection, #1: connection only in Linux')).toBe('服务器的报文段，不属于任何连接，第 1 个：连接只出现在 Linux 中');
    expect(reportTextZh('FIN segments sent by the client: 3')).toBe('客户端发出的 FIN 报文段：3');
    expect(reportTextZh('RST segments sent by the server: 1')).toBe('服务器发出的 RST 报文段：1');
    expect(reportTextZh('client counter TcpEstabResets changes by 1')).toBe('客户端计数器 TcpEstabResets 变化 1');
    expect(reportTextZh('compared up to 4.0 s, where the kernel run stopped')).toBe('比较到 4.0 s，内核运行在那里停止');
    expect(reportTextZh("gaps between 'P' segments sent by the client: 200-400 ms")).toBe("客户端发出的 'P' 报文段之间的间隔：200-400 ms");
    expect(reportTextZh('client: connect(s, port 8080) → EADDRNOTAVAIL')).toBe('客户端：connect(s, 端口 8080) → EADDRNOTAVAIL');
    expect(reportTextZh('server: recvall(c) → 5 bytes, then EOF')).toBe('服务器：recvall(c) → 5 字节，然后 EOF');
    expect(reportTextZh('client: ss -tano → TIME-WAIT timewait with 58000-60000 ms left')).toBe('客户端：ss -tano → TIME-WAIT timewait，剩余 58000-60000 ms');
    expect(reportTextZh('client: recv(s) → ETIMEDOUT after 2500-5000 ms')).toBe('客户端：recv(s) → ETIMEDOUT（耗时 2500-5000 ms）');
    expect(reportTextZh('server step 3 (recv sock="c"): timer values left (±500 ms)')).toBe('服务器第 3 步（recv sock="c"）：定时器剩余时间（±500 ms）');
    expect(reportTextZh("segments dropped by rule 'cut'")).toBe("规则 'cut' 丢弃的报文段");
    expect(reportTextZh('client step 2 (send sock="s"): expected success, got EPIPE')).toBe('客户端第 2 步（send sock="s"）：应为 success，实际为 EPIPE');
  });

  it('writes what a program run compared in Chinese', () => {
    expect(programComparedZh({ states: 11, calls: 43, bytes: 7, segments: 25 })).toBe('状态 11 项，调用 43 项，读到的字节 7 项，报文段 25 项');
  });

  it('keeps in each free text the names the English prints (states, options, sysctls, errno, counters, calls)', () => {
    const lost = Object.entries(REPORT_TEXTS_ZH).flatMap(([en, zh]) =>
      [...new Set(en.match(CODE) ?? [])].filter((name) => !zh.includes(name)).map((name) => `${name} in: ${en}`),
    );
    expect(lost).toEqual([]);
    for (const [en, zh] of Object.entries(REPORT_TEXTS_ZH)) expect(HAN.test(zh), en).toBe(true);
  });

  it('keeps the English text on the English page', () => {
    for (const t of reportPageTexts(report, programs)) expect(reportText(t, 'en')).toBe(t);
  });
});
