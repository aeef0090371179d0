// The course's order: lessons by `order`, each followed by its labs, so the
// sidebar, previous/next links and the home page agree.
import { getCollection, type CollectionEntry } from 'astro:content';
import { labHref, lessonHref } from './links.ts';
import { t, type Locale } from '../i18n/index.ts';

export interface OutlineItem {
  kind: 'lesson' | 'lab';
  id: string;
  title: string;
  summary: string;
  href: string;
  minutes?: number;
  difficulty?: string;
  points?: number;
  /** In a translated edition: false when the item has no translation yet (it links to the English page). */
  translated?: boolean;
}

export interface OutlineLesson extends OutlineItem {
  kind: 'lesson';
  labs: OutlineItem[];
}

/**
 * The course in one edition. Order, labs and ids are the English ones; a translated
 * edition takes each title and summary from its translation, and an item not yet
 * translated keeps its English title and links to the English page.
 */
export async function courseOutline(locale: Locale = 'en'): Promise<OutlineLesson[]> {
  const lessons = (await getCollection('lessons')).sort((a, b) => a.data.order - b.data.order);
  const labs = (await getCollection('labs')).sort((a, b) => a.data.order - b.data.order);
  const zhLessons = locale === 'zh-cn' ? new Map((await getCollection('lessonsZhCn')).map((l) => [l.id, l])) : new Map();
  const zhLabs = locale === 'zh-cn' ? new Map((await getCollection('labsZhCn')).map((l) => [l.id, l])) : new Map();
  const lessonIds = new Set(lessons.map((l) => l.id));
  const labItem = (l: CollectionEntry<'labs'>): OutlineItem => {
    const tr = zhLabs.get(l.id) as CollectionEntry<'labsZhCn'> | undefined;
    const translated = locale === 'en' || Boolean(tr);
    return {
      kind: 'lab',
      id: l.id,
      title: tr?.data.title ?? l.data.title,
      summary: tr?.data.summary ?? l.data.summary,
      href: labHref(l.id, translated ? locale : 'en'),
      difficulty: l.data.difficulty,
      points: l.data.points,
      translated,
    };
  };
  const outline: OutlineLesson[] = lessons.map((l) => {
    const tr = zhLessons.get(l.id) as CollectionEntry<'lessonsZhCn'> | undefined;
    const translated = locale === 'en' || Boolean(tr);
    return {
      kind: 'lesson',
      id: l.id,
      title: tr?.data.title ?? l.data.title,
      summary: tr?.data.summary ?? l.data.summary,
      href: lessonHref(l.id, translated ? locale : 'en'),
      minutes: l.data.minutes,
      labs: labs.filter((lab) => lab.data.lesson === l.id).map(labItem),
      translated,
    };
  });
  // A lab whose lesson id is unknown still appears, after the last lesson.
  const orphans = labs.filter((lab) => !lessonIds.has(lab.data.lesson));
  if (orphans.length && outline.length) outline[outline.length - 1]!.labs.push(...orphans.map(labItem));
  return outline;
}

/** Lessons and labs in reading order, for previous/next. */
export function flatten(outline: OutlineLesson[]): OutlineItem[] {
  return outline.flatMap((l) => [l, ...l.labs]);
}

export function neighbours(outline: OutlineLesson[], kind: OutlineItem['kind'], id: string) {
  const flat = flatten(outline);
  const i = flat.findIndex((x) => x.kind === kind && x.id === id);
  return { prev: i > 0 ? flat[i - 1] : undefined, next: i >= 0 && i < flat.length - 1 ? flat[i + 1] : undefined };
}

/** How a lab's difficulty reads on the page (the lab page and the labs index agree). */
export const difficultyLabel: Record<string, string> = { intro: 'Introductory', core: 'Core', advanced: 'Advanced' };

/** The same, in an edition of the course. */
export function difficultyText(difficulty: string | undefined, locale: Locale): string {
  return difficulty === 'intro' || difficulty === 'core' || difficulty === 'advanced' ? t(locale, `lab.difficulty.${difficulty}`) : (difficulty ?? '');
}

/**
 * The reading order as the browser needs it to say where to continue: one entry per
 * lesson and lab with its progress key (the keys progress.ts keeps).
 */
export function progressOrder(outline: OutlineLesson[]): { key: string; kind: OutlineItem['kind']; title: string; href: string }[] {
  return flatten(outline).map((i) => ({ key: `${i.kind}:${i.id}`, kind: i.kind, title: i.title, href: i.href }));
}
