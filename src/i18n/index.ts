// The UI catalogues and how pages and client scripts read them.
import { en, type UiKey } from './en.ts';
import { zhCn } from './zh-cn.ts';
import { DEFAULT_LOCALE, localeOfTag, type Locale } from './locales.ts';

export type { UiKey } from './en.ts';
export * from './locales.ts';

/** A catalogue: every key of the English one, each a string. */
export type UiCatalogue = { readonly [K in UiKey]: string };

export const catalogues: Record<Locale, UiCatalogue> = { en, 'zh-cn': zhCn };

/** The string of `key` in `locale`, with `{name}` placeholders filled in. */
export function t(locale: Locale, key: UiKey, vars: Record<string, string | number> = {}): string {
  const text = catalogues[locale]?.[key] ?? catalogues[DEFAULT_LOCALE][key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A translator bound to one locale. */
export function translator(locale: Locale) {
  return (key: UiKey, vars?: Record<string, string | number>) => t(locale, key, vars);
}

/** In the browser: the page's edition, from <html lang>. */
export function pageLocale(): Locale {
  return typeof document === 'undefined' ? DEFAULT_LOCALE : localeOfTag(document.documentElement.lang);
}
