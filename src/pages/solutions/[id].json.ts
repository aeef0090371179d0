// /solutions/<lab>.json: a lab's reference solution, fetched by the lab page's
// "Show the solution" step (never inlined in a page, so reading a lab spoils nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRoute } from 'astro';
import { getCollection } from 'astro:content';
import { solutionsInBuild } from '../../components/lab/solutions.ts';

export async function getStaticPaths() {
  if (!solutionsInBuild()) return [];
  const labs = await getCollection('labs');
  return labs.map((lab) => ({ params: { id: lab.id } }));
}

export const GET: APIRoute = ({ params }) => {
  const source = readFileSync(join(process.cwd(), 'labs', String(params.id), 'solution.ts'), 'utf8');
  return new Response(JSON.stringify({ lab: params.id, file: 'solution.ts', source }), { headers: { 'Content-Type': 'application/json' } });
};
