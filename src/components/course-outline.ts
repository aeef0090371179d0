// The course's order: lessons by `order`, each followed by its labs, so the
// sidebar, previous/next links and the home page agree.
import { getCollection, type CollectionEntry } from 'astro:content';
import { labHref, lessonHref } from './links.ts';

export interface OutlineItem {
  kind: 'lesson' | 'lab';
  id: string;
  title: string;
  summary: string;
  href: string;
  minutes?: number;
  difficulty?: string;
  points?: number;
}

export interface OutlineLesson extends OutlineItem {
  kind: 'lesson';
  labs: OutlineItem[];
}

export async function courseOutline(): Promise<OutlineLesson[]> {
  const lessons = (await getCollection('lessons')).sort((a, b) => a.data.order - b.data.order);
  const labs = (await getCollection('labs')).sort((a, b) => a.data.order - b.data.order);
  const lessonIds = new Set(lessons.map((l) => l.id));
  const labItem = (l: CollectionEntry<'labs'>): OutlineItem => ({
    kind: 'lab',
    id: l.id,
    title: l.data.title,
    summary: l.data.summary,
    href: labHref(l.id),
    difficulty: l.data.difficulty,
    points: l.data.points,
  });
  const outline: OutlineLesson[] = lessons.map((l) => ({
    kind: 'lesson',
    id: l.id,
    title: l.data.title,
    summary: l.data.summary,
    href: lessonHref(l.id),
    minutes: l.data.minutes,
    labs: labs.filter((lab) => lab.data.lesson === l.id).map(labItem),
  }));
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

/**
 * The reading order as the browser needs it to say where to continue: one entry per
 * lesson and lab with its progress key (the keys progress.ts keeps).
 */
export function progressOrder(outline: OutlineLesson[]): { key: string; kind: OutlineItem['kind']; title: string; href: string }[] {
  return flatten(outline).map((i) => ({ key: `${i.kind}:${i.id}`, kind: i.kind, title: i.title, href: i.href }));
}
