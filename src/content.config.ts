// Content collections: lessons live in top-level content/, one folder per lesson
// (index.mdx beside the programs its playgrounds run); labs live in labs/<id>/lab.mdx.
// The Simplified Chinese edition sits beside them (index.zh-cn.mdx, lab.zh-cn.mdx) in
// collections of its own with the same ids, so the English ones stay as they are.
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

/** A lesson folder's name is its id: content/time-wait/index.mdx -> 'time-wait'. */
function folderId({ entry }: { entry: string }): string {
  return entry.replace(/\/(index|lab)(\.zh-cn)?\.mdx$/, '').replace(/(\.zh-cn)?\.mdx$/, '');
}

const lessonSchema = z.object({
  title: z.string().min(1),
  summary: z.string().min(1),
  order: z.number().int(),
  /** Estimated reading and playing time, minutes. */
  minutes: z.number().int().positive(),
  /** Ids of the labs that practise this lesson. */
  labs: z.array(z.string()).default([]),
});

const labSchema = z.object({
  title: z.string().min(1),
  summary: z.string().min(1),
  /** Id of the lesson this lab practises. */
  lesson: z.string(),
  difficulty: z.enum(['intro', 'core', 'advanced']),
  points: z.number().nonnegative(),
  order: z.number(),
  hints: z.array(z.string()).optional(),
});

/** English: every .mdx except the translations beside them. */
const lessons = defineCollection({ loader: glob({ base: './content', pattern: ['**/*.mdx', '!**/*.zh-cn.mdx'], generateId: folderId }), schema: lessonSchema });
const labs = defineCollection({ loader: glob({ base: './labs', pattern: '*/lab.mdx', generateId: folderId }), schema: labSchema });
/** Simplified Chinese: the same ids, frontmatter keys and programs as the English. */
const lessonsZhCn = defineCollection({ loader: glob({ base: './content', pattern: '**/index.zh-cn.mdx', generateId: folderId }), schema: lessonSchema });
const labsZhCn = defineCollection({ loader: glob({ base: './labs', pattern: '*/lab.zh-cn.mdx', generateId: folderId }), schema: labSchema });

export const collections = { lessons, labs, lessonsZhCn, labsZhCn };
