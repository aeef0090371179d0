// "2 min ago" for the dashboard's last-activity column: coarse on purpose, so a
// glance at the projector says who is active now and who stalled a while ago.
import { LANG_TAG, type Locale } from '../../i18n/locales.ts';
export function relativeTime(iso: string | null | undefined, now = Date.now(), locale: Locale = 'en'): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const zh = locale === 'zh-cn';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return zh ? '刚刚' : 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return zh ? `${m} 分钟前` : `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return zh ? `${h} 小时前` : `${h} h ago`;
  const d = Math.round(h / 24);
  return zh ? `${d} 天前` : `${d} day${d === 1 ? '' : 's'} ago`;
}

/** The exact time, for a tooltip beside the relative one, written as the page's language writes dates (in the reader's time zone). */
export function exactTime(iso: string | null | undefined, locale: Locale = 'en'): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(LANG_TAG[locale]);
}
