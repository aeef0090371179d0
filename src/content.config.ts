// Content collections: lessons live in top-level content/, one folder per lesson
// (index.mdx beside the programs its playgrounds run); labs live in labs/<id>/lab.mdx.
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

/** A lesson folder's name is its id: content/time-wait/index.mdx -> 'time-wait'. */
function folderId({ entry }: { entry: string }): string {
  return entry.replace(/\/(index|lab)\.mdx$/, '').replace(/\.mdx$/, '');
}

const lessons = defineCollection({
  loader: glob({ base: './content', pattern: '**/*.mdx', generateId: folderId }),
  schema: z.object({
    title: z.string().min(1),
    summary: z.string().min(1),
    order: z.number().int(),
    /** Estimated reading and playing time, minutes. */
    minutes: z.number().int().positive(),
    /** Ids of the labs that practise this lesson. */
    labs: z.array(z.string()).default([]),
  }),
});

const labs = defineCollection({
  loader: glob({ base: './labs', pattern: '*/lab.mdx', generateId: folderId }),
  schema: z.object({
    title: z.string().min(1),
    summary: z.string().min(1),
    /** Id of the lesson this lab practises. */
    lesson: z.string(),
    difficulty: z.enum(['intro', 'core', 'advanced']),
    points: z.number().nonnegative(),
    order: z.number(),
    hints: z.array(z.string()).optional(),
  }),
});

export const collections = { lessons, labs };
