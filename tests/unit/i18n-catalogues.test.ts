// The editions cannot drift apart: every UI string, every grader message and
// every message of a lab that has a catalogue exists in every language, with the
// same placeholders, so a translated page never shows a key or a bare "{n}".
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.ts';
import { catalogues, localeOfTag, localeOfUrlPath, localizePath, splitLocalePath, t } from '../../src/i18n/index.ts';
import { HELP_TEXT } from '../../src/components/playground/console-commands.ts';
import { describeExpectation } from '../../src/components/playground/expectations.ts';
import { GRADE_LANGS, graderMessages, parseGradeLang } from '../../src/grading/messages.ts';
import { checkers } from '../../labs/index.ts';
import { hitKind, matchesQuery } from '../../src/components/site/search.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const HAN = /\p{Script=Han}/u;

/** The shape of a catalogue: its keys, nested objects flattened ('report.lab'). */
function shape(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k));
  return [`${prefix}:${typeof value}`];
}

describe('UI catalogues', () => {
  const keys = Object.keys(en).sort();
  for (const [locale, cat] of Object.entries(catalogues)) {
    it(`${locale} has every key of the English catalogue and no other`, () => {
      expect(Object.keys(cat).sort()).toEqual(keys);
    });
    it(`${locale} keeps each string's placeholders and leaves none empty`, () => {
      for (const k of keys) {
        const v = (cat as Record<string, string>)[k]!;
        expect(v.trim(), k).not.toBe('');
        expect(placeholders(v), k).toEqual(placeholders((en as Record<string, string>)[k]!));
      }
    });
  }

  it('the Chinese catalogue is written in Chinese, apart from names that stay as they are', () => {
    // The brand, a verdict made only of the check's name and message, the console commands to type, and the enumeration comma between names.
    const untranslatable = new Set(['site.name', 'bench.failedVerdict', 'pg.promptPlaceholder', 'wsDash.nameSep']);
    for (const [k, v] of Object.entries(catalogues['zh-cn'])) if (!untranslatable.has(k)) expect(HAN.test(v), `${k}: ${v}`).toBe(true);
  });

  it('fills placeholders and falls back to nothing missing', () => {
    expect(t('zh-cn', 'lesson.kicker', { n: 3 })).toBe('第 3 课');
    expect(t('en', 'lesson.kicker', { n: 3 })).toBe('Lesson 3');
  });

  it('the English console help is the one the console prints, commands unchanged in Chinese', () => {
    expect(en['console.help']).toBe(HELP_TEXT.join('\n'));
    for (const cmd of ['ss -tan [HOST]', 'netstat -tan [HOST]', 'nstat -az [HOST]', 'filter HOST', 'replay', 'clear', 'help']) {
      expect(catalogues['zh-cn']['console.help']).toContain(`  ${cmd}`);
    }
  });

  it('describes an expectation without a label in the page language, state names as printed', () => {
    expect(describeExpectation({ kind: 'state', host: 'client', from: 'FIN_WAIT_2', to: 'TIME_WAIT' })).toBe('client goes from FIN_WAIT_2 to TIME_WAIT');
    expect(describeExpectation({ kind: 'state', host: 'client', from: 'FIN_WAIT_2', to: 'TIME_WAIT' }, 'zh-cn')).toBe('client 从 FIN_WAIT_2 进入 TIME_WAIT');
    expect(describeExpectation({ kind: 'segment', host: 'server', flags: 'R.', retransmission: true })).toBe('server sends a retransmitted [R.] segment');
  });
});

describe('editions and paths', () => {
  it('English is at the root and Chinese under /zh-cn/', () => {
    expect(localizePath('/lessons/time-wait/', 'en')).toBe('/lessons/time-wait/');
    expect(localizePath('/lessons/time-wait/', 'zh-cn')).toBe('/zh-cn/lessons/time-wait/');
    expect(splitLocalePath('/zh-cn/labs/clean-client/')).toEqual({ locale: 'zh-cn', path: '/labs/clean-client/' });
    expect(splitLocalePath('/zh-cn')).toEqual({ locale: 'zh-cn', path: '/' });
    expect(splitLocalePath('/zh-cnx/')).toEqual({ locale: 'en', path: '/zh-cnx/' });
    expect(localeOfUrlPath('/closing-time/zh-cn/lessons/x/', '/closing-time/')).toBe('zh-cn');
    expect(localeOfUrlPath('/closing-time/lessons/x/', '/closing-time')).toBe('en');
  });

  it('reads <html lang> tags as an edition', () => {
    expect(localeOfTag('zh-CN')).toBe('zh-cn');
    expect(localeOfTag('zh-Hans')).toBe('zh-cn');
    expect(localeOfTag('en')).toBe('en');
    expect(localeOfTag(undefined)).toBe('en');
  });

  it('search tells lessons and labs apart in either edition', () => {
    expect(hitKind('/zh-cn/lessons/four-way-close/', '/')).toBe('lesson');
    expect(hitKind('/base/zh-cn/labs/clean-client/', '/base/')).toBe('lab');
    expect(hitKind('/lessons/four-way-close/', '/')).toBe('lesson');
  });

  it('a Chinese query matches the words Pagefind marks in it, but not a lone character', () => {
    expect(matchesQuery('四次挥手', ['这就是 RFC 9293 描述的<mark>四次</mark><mark>挥手</mark>。'])).toBe(true);
    expect(matchesQuery('端口耗尽', ['客户端的<mark>端口</mark>用光'])).toBe(true);
    expect(matchesQuery('四次挥手', ['<mark>四</mark>个状态'])).toBe(false);
    // A query Pagefind searches character by character matches when the result marks all of them.
    expect(matchesQuery('端口耗尽', ['客户<mark>端</mark>的<mark>口</mark>', '临时端口<mark>耗</mark><mark>尽</mark>了'])).toBe(true);
    expect(matchesQuery('端口耗尽', ['客户<mark>端</mark>的<mark>口</mark>'])).toBe(false);
    expect(matchesQuery('linger', ['<mark>SO_LINGER</mark>'])).toBe(true);
    expect(matchesQuery('xyzzy', ['<mark>x</mark>,'])).toBe(false);
  });
});

describe('grader messages', () => {
  it('every language has every message of the English catalogue', () => {
    for (const lang of GRADE_LANGS) expect(shape(graderMessages[lang]).sort(), lang).toEqual(shape(graderMessages.en).sort());
  });

  it('reads the language tags users write', () => {
    expect(parseGradeLang('zh-CN')).toBe('zh-CN');
    expect(parseGradeLang('zh-cn')).toBe('zh-CN');
    expect(parseGradeLang('zh-Hans')).toBe('zh-CN');
    expect(parseGradeLang('en')).toBe('en');
    expect(parseGradeLang('fr')).toBeNull();
    expect(parseGradeLang(undefined)).toBeNull();
  });

  for (const [lab, checker] of checkers) {
    if (!checker.messages) continue;
    const cat = checker.messages;
    it(`${lab}: every message and every check's title and description exist in every language`, () => {
      for (const lang of GRADE_LANGS) expect(shape(cat.messages[lang]).sort(), lang).toEqual(shape(cat.messages.en).sort());
      for (const lang of GRADE_LANGS) {
        if (lang === 'en') continue;
        const checks = cat.checks[lang];
        expect(Object.keys(checks).sort(), lang).toEqual(checker.checks.map((c) => c.name).sort());
        for (const [name, text] of Object.entries(checks)) {
          expect(HAN.test(text.title) && HAN.test(text.description), `${lab} ${name}`).toBe(true);
        }
      }
    });
  }
});
