/// <reference types="vite/client" />
// Every internal link goes through here so the site works under any base path
// (BASE_PATH in astro.config.mjs), e.g. a project page on a static host.
const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export function href(path: string): string {
  return `${BASE}${path.startsWith('/') ? path : `/${path}`}`;
}

export const lessonHref = (id: string) => href(`/lessons/${id}/`);
export const labHref = (id: string) => href(`/labs/${id}/`);
