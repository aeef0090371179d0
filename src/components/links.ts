/// <reference types="vite/client" />
import { localizePath, type Locale } from '../i18n/locales.ts';
// Every internal link goes through here so the site works under any base path
// (BASE_PATH in astro.config.mjs), e.g. a project page on a static host.
const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export function href(path: string): string {
  return `${BASE}${path.startsWith('/') ? path : `/${path}`}`;
}

/** A path in one edition of the course: English at the root, the others under their prefix. */
export function localeHref(locale: Locale, path: string): string {
  return href(localizePath(path, locale));
}

export const lessonHref = (id: string, locale: Locale = 'en') => localeHref(locale, `/lessons/${id}/`);
export const labHref = (id: string, locale: Locale = 'en') => localeHref(locale, `/labs/${id}/`);
