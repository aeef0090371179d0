// The editions of the course: English at the site root, Simplified Chinese under
// /zh-cn/. A locale's path segment is also its Astro i18n locale (astro.config.mjs);
// its BCP 47 tag goes in <html lang>, which is also what Pagefind splits its index by.
export type Locale = 'en' | 'zh-cn';

export const LOCALES: readonly Locale[] = ['en', 'zh-cn'];
export const DEFAULT_LOCALE: Locale = 'en';

/** The BCP 47 tag of each edition (<html lang>, hreflang). */
export const LANG_TAG: Record<Locale, string> = { en: 'en', 'zh-cn': 'zh-CN' };

/** How each edition names itself in the language switch. */
export const LOCALE_NAME: Record<Locale, string> = { en: 'English', 'zh-cn': '简体中文' };

/** The edition of an <html lang> value ('zh-CN', 'zh-Hans', 'zh' read as Simplified Chinese). */
export function localeOfTag(tag: string | null | undefined): Locale {
  return /^zh\b/i.test(tag ?? '') ? 'zh-cn' : 'en';
}

/** A site path (without the base) in the given edition: '/lessons/x/' -> '/zh-cn/lessons/x/'. */
export function localizePath(path: string, locale: Locale): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return locale === DEFAULT_LOCALE ? p : `/${locale}${p}`;
}

/** A site path (without the base) split into its edition and the path as English has it. */
export function splitLocalePath(path: string): { locale: Locale; path: string } {
  const p = path.startsWith('/') ? path : `/${path}`;
  for (const l of LOCALES) {
    if (l === DEFAULT_LOCALE) continue;
    if (p === `/${l}` || p.startsWith(`/${l}/`)) return { locale: l, path: p.slice(l.length + 1) || '/' };
  }
  return { locale: DEFAULT_LOCALE, path: p };
}

/** The edition a page's URL path is in, under the site's base path ('/closing-time/zh-cn/labs/x/' -> 'zh-cn'). */
export function localeOfUrlPath(pathname: string, base = '/'): Locale {
  const b = base.endsWith('/') ? base : `${base}/`;
  const rest = pathname.startsWith(b) ? pathname.slice(b.length - 1) : pathname;
  return splitLocalePath(rest).locale;
}
