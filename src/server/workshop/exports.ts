// A workshop's grades for the instructor to take away: CSV (one row per
// learner × lab, for a spreadsheet) and JSON (each learner's latest submission
// per lab with the grader's result, in its own format). The HTTP routes and
// `closing-time workshop export` both write these.
import { csvRows } from './csv.ts';
import { LABS, parseResult, type WorkshopService } from './service.ts';
import type { WorkshopRow } from './storage.ts';

export const CSV_HEADER = ['learner', 'lab', 'best', 'max', 'attempts', 'last_submission_at', 'last_score', 'last_status'] as const;

export async function exportCsv(service: WorkshopService, workshop: WorkshopRow): Promise<string> {
  const d = await service.dashboard(workshop);
  const rows: unknown[][] = [[...CSV_HEADER]];
  for (const l of d.learners) {
    for (const lab of LABS) {
      const s = l.labs[lab.id];
      rows.push([l.name, lab.id, s?.best ?? 0, lab.max_score, s?.attempts ?? 0, s?.last ?? '', s?.lastScore ?? '', s?.lastStatus ?? '']);
    }
  }
  return csvRows(rows);
}

export async function exportJson(service: WorkshopService, workshop: WorkshopRow): Promise<unknown> {
  const [d, latest] = await Promise.all([service.dashboard(workshop), service.storage.latestSubmissions(workshop.id)]);
  return {
    workshop: { code: workshop.code, title: workshop.title, createdAt: workshop.createdAt, closed: workshop.closedAt !== null },
    exportedAt: new Date().toISOString(),
    labs: d.labs,
    learners: d.learners.map((l) => ({
      id: l.id,
      name: l.name,
      joinedAt: l.joinedAt,
      labs: Object.fromEntries(
        latest
          .filter((s) => s.learnerId === l.id)
          .map((s) => [
            s.lab,
            {
              best: l.labs[s.lab]?.best ?? 0,
              attempts: l.labs[s.lab]?.attempts ?? 0,
              submission: s.id,
              status: s.status,
              submittedAt: s.createdAt,
              gradedAt: s.gradedAt,
              result: s.result ? parseResult(s.result) : null,
            },
          ]),
      ),
    })),
  };
}
