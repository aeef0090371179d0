// What a workshop is and does, independent of HTTP: the routes and the
// `closing-time workshop` command both go through here, so a rule (a closed
// workshop takes no joins, a name is unique in a room) lives in one place.
import { checkers, labIds } from '../../../labs/index.ts';
import { DEFAULT_GRADE_LANG, type GradeLang } from '../../grading/messages.ts';
import type { GradeResult } from '../../grading/result-types.ts';
import type { EventHub } from './events.ts';
import { hashToken, newId, newJoinCode, newToken, normalizeJoinCode, tokenMatches } from './secrets.ts';
import type { LearnerRow, SessionRow, Storage, SubmissionMeta, WorkshopRow } from './storage.ts';

export class WorkshopError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const SESSION_DAYS = 30;
export const MAX_TITLE = 120;
export const MAX_NAME = 40;

/** A display name as people see it: trimmed, inner white space collapsed; null if unusable. */
export function cleanName(raw: string): string | null {
  const name = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (name.length === 0 || [...name].length > MAX_NAME || /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/.test(name)) return null;
  return name;
}

/** Two names are the same name when they differ only in case, width or white space. */
export const nameKey = (name: string) => name.normalize('NFKC').toLocaleLowerCase('en').replace(/\s+/g, ' ');

export interface LabInfo {
  id: string;
  max_score: number;
  checks: { name: string; max_score: number }[];
}

export const LABS: readonly LabInfo[] = labIds.map((id) => {
  const c = checkers.get(id)!;
  const checks = c.checks.map((k) => ({ name: k.name, max_score: k.points }));
  return { id, max_score: checks.reduce((s, k) => s + k.max_score, 0), checks };
});
const LAB_BY_ID = new Map(LABS.map((l) => [l.id, l]));

export interface LabStanding {
  best: number;
  max: number;
  attempts: number;
  /** When the learner last submitted to this lab. */
  last: string;
  lastId: string;
  lastStatus: SubmissionMeta['status'];
  lastScore: number | null;
}

export interface Dashboard {
  workshop: { code: string; title: string; closed: boolean; solutions: boolean; createdAt: string };
  labs: LabInfo[];
  learners: { id: string; name: string; joinedAt: string; lastSeen: string; labs: Record<string, LabStanding> }[];
  checks: Record<string, Record<string, number>>;
  sticking: { lab: string; check: string; failures: number; message: string | null; learners: string[] }[];
  queue: { pending: number };
}

export class WorkshopService {
  constructor(
    readonly storage: Storage,
    readonly hub: EventHub,
  ) {}

  async create(titleIn: string): Promise<{ workshop: WorkshopRow; instructorToken: string }> {
    const title = titleIn.replace(/\s+/g, ' ').trim();
    if (!title || title.length > MAX_TITLE) throw new WorkshopError(400, 'bad_title', `A workshop needs a title of 1 to ${MAX_TITLE} characters.`);
    const instructorToken = newToken();
    for (let attempt = 0; ; attempt++) {
      try {
        const workshop = await this.storage.createWorkshop({ code: newJoinCode(), title, instructorTokenHash: hashToken(instructorToken), createdAt: new Date().toISOString() });
        return { workshop, instructorToken };
      } catch (error) {
        // A code collision (about one in 150 billion per pair): draw again.
        if (attempt < 5 && /UNIQUE|unique/.test(String((error as Error).message))) continue;
        throw error;
      }
    }
  }

  /** The workshop with this join code, or a 404 that says how codes look. */
  async find(codeIn: string): Promise<WorkshopRow> {
    const code = normalizeJoinCode(codeIn);
    const w = code ? await this.storage.workshopByCode(code) : null;
    if (!w) throw new WorkshopError(404, 'unknown_workshop', 'There is no workshop with that code. Check the code on the projector (8 letters and digits, like KX7P-QM4W).');
    return w;
  }

  /** The workshop, if `token` is its instructor token. */
  async asInstructor(codeIn: string, token: string | undefined): Promise<WorkshopRow> {
    const w = await this.find(codeIn);
    if (!token) throw new WorkshopError(401, 'unauthorized', 'This needs the instructor link (or its token as Authorization: Bearer).');
    if (!tokenMatches(token, w.instructorTokenHash)) throw new WorkshopError(403, 'forbidden', 'That instructor token does not belong to this workshop.');
    return w;
  }

  async join(codeIn: string, rawName: string): Promise<{ workshop: WorkshopRow; learner: LearnerRow; sessionToken: string }> {
    const workshop = await this.find(codeIn);
    if (workshop.closedAt) throw new WorkshopError(409, 'workshop_closed', `"${workshop.title}" is closed: it takes no new participants.`);
    const name = cleanName(rawName);
    if (!name) throw new WorkshopError(400, 'bad_name', `A display name is 1 to ${MAX_NAME} characters, without control characters.`);
    const now = new Date().toISOString();
    const id = newId();
    const added = await this.storage.addLearner({ id, workshopId: workshop.id, name, nameKey: nameKey(name), joinedAt: now });
    if (added === 'name_taken') throw new WorkshopError(409, 'name_taken', `Someone in this workshop is already called "${name}"; pick another name.`);
    const sessionToken = await this.newSession('learner', workshop.id, id);
    this.hub.publish(workshop.id, { type: 'learner', data: { id, name, action: 'joined' } });
    return { workshop, learner: (await this.storage.learner(id))!, sessionToken };
  }

  async newSession(kind: SessionRow['kind'], workshopId: number, learnerId: string | null): Promise<string> {
    const token = newToken();
    const now = new Date();
    await this.storage.createSession({
      tokenHash: hashToken(token),
      kind,
      workshopId,
      learnerId,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
    });
    return token;
  }

  /** The session a cookie stands for, if it is still valid. */
  async session(token: string | undefined, kind: SessionRow['kind']): Promise<SessionRow | null> {
    if (!token || token.length > 200) return null;
    const s = await this.storage.session(hashToken(token));
    if (!s || s.kind !== kind) return null;
    if (s.expiresAt < new Date().toISOString()) return null;
    return s;
  }

  async learnerOf(token: string | undefined): Promise<{ learner: LearnerRow; workshop: WorkshopRow } | null> {
    const s = await this.session(token, 'learner');
    if (!s?.learnerId) return null;
    const learner = await this.storage.learner(s.learnerId);
    if (!learner || learner.removedAt) return null;
    const workshop = await this.storage.workshopById(learner.workshopId);
    return workshop ? { learner, workshop } : null;
  }

  async leave(token: string | undefined): Promise<void> {
    if (token && token.length <= 200) await this.storage.deleteSession(hashToken(token));
  }

  labInfo(lab: string): LabInfo | undefined {
    return LAB_BY_ID.get(lab);
  }

  async submit(
    workshop: WorkshopRow,
    learner: LearnerRow,
    lab: string,
    source: string,
    browser: { score: number; max_score: number } | null,
    admission: () => Promise<null | { retryAfter: number; message: string; reason: string }>,
    lang: GradeLang = DEFAULT_GRADE_LANG,
  ): Promise<{ id: string }> {
    if (workshop.closedAt) throw new WorkshopError(409, 'workshop_closed', `"${workshop.title}" is closed: the instructor has stopped taking submissions.`);
    if (!LAB_BY_ID.has(lab)) throw new WorkshopError(400, 'unknown_lab', `There is no lab '${lab}'. Labs: ${labIds.join(', ')}.`);
    const refused = await admission();
    if (refused) throw new WorkshopError(429, refused.reason, refused.message, refused.retryAfter);
    const id = newId();
    const now = new Date().toISOString();
    await this.storage.addSubmission({
      id,
      workshopId: workshop.id,
      learnerId: learner.id,
      lab,
      source,
      browserScore: browser?.score ?? null,
      browserMax: browser?.max_score ?? null,
      lang,
      createdAt: now,
    });
    void this.storage.touchLearner(learner.id, now).catch(() => undefined);
    this.hub.publish(workshop.id, { type: 'submission', data: { id, learnerId: learner.id, lab, status: 'queued' } });
    return { id };
  }

  /** Shows or hides the labs' reference solutions for this workshop's learners (the server refuses them the files). */
  async setSolutionsShown(workshop: WorkshopRow, shown: boolean): Promise<boolean> {
    await this.storage.setSolutionsHidden(workshop.id, !shown);
    this.hub.publish(workshop.id, { type: 'workshop', data: { solutions: shown } });
    return shown;
  }

  async setClosed(workshop: WorkshopRow, closed: boolean): Promise<boolean> {
    await this.storage.setWorkshopClosed(workshop.id, closed ? new Date().toISOString() : null);
    this.hub.publish(workshop.id, { type: 'workshop', data: { closed } });
    return closed;
  }

  async removeLearner(workshop: WorkshopRow, learnerId: string): Promise<void> {
    const learner = await this.storage.learner(learnerId);
    const removed = learner && learner.workshopId === workshop.id ? await this.storage.removeLearner(workshop.id, learnerId, new Date().toISOString()) : false;
    if (!removed || !learner) throw new WorkshopError(404, 'unknown_learner', 'There is no such learner in this workshop.');
    this.hub.publish(workshop.id, { type: 'learner', data: { id: learner.id, name: learner.name, action: 'removed' } });
  }

  async regrade(workshop: WorkshopRow): Promise<number> {
    const ids = await this.storage.regradeLatest(workshop.id);
    return ids.length;
  }

  /** Per lab: best score, attempts and the latest submission, from the submissions (oldest first). */
  standings(metas: readonly SubmissionMeta[]): Map<string, Record<string, LabStanding>> {
    const byLearner = new Map<string, Record<string, LabStanding>>();
    for (const m of metas) {
      let labs = byLearner.get(m.learnerId);
      if (!labs) byLearner.set(m.learnerId, (labs = {}));
      const max = LAB_BY_ID.get(m.lab)?.max_score ?? m.maxScore ?? 0;
      const prev = labs[m.lab];
      labs[m.lab] = {
        best: Math.max(prev?.best ?? 0, m.status === 'done' ? (m.score ?? 0) : 0),
        max,
        attempts: (prev?.attempts ?? 0) + 1,
        last: m.createdAt,
        lastId: m.id,
        lastStatus: m.status,
        lastScore: m.status === 'done' ? m.score : null,
      };
    }
    return byLearner;
  }

  async dashboard(workshop: WorkshopRow): Promise<Dashboard> {
    const [learners, metas, graded, pending] = await Promise.all([
      this.storage.learners(workshop.id),
      this.storage.submissionMetas(workshop.id),
      this.storage.latestGraded(workshop.id),
      this.storage.pendingCount(),
    ]);
    const standings = this.standings(metas);
    const names = new Map(learners.map((l) => [l.id, l.name]));
    // The room's sticking points: for each lab's check, the learners whose latest
    // graded submission fails it, with the message most of them got. (A learner
    // whose newer attempt is still queued is still stuck where their last grade says.)
    const checks: Dashboard['checks'] = {};
    const failing = new Map<string, { lab: string; check: string; learners: string[]; messages: Map<string, number> }>();
    for (const lab of LABS) checks[lab.id] = Object.fromEntries(lab.checks.map((c) => [c.name, 0]));
    for (const s of graded) {
      if (!names.has(s.learnerId) || !s.result) continue;
      const result = parseResult(s.result);
      if (!result || !checks[s.lab]) continue;
      for (const t of result.tests) {
        if (t.status === 'pass' || !(t.name in checks[s.lab])) continue;
        checks[s.lab][t.name]++;
        const key = `${s.lab}\u0000${t.name}`;
        let f = failing.get(key);
        if (!f) failing.set(key, (f = { lab: s.lab, check: t.name, learners: [], messages: new Map() }));
        f.learners.push(names.get(s.learnerId)!);
        const msg = (t.message ?? '').slice(0, 400);
        f.messages.set(msg, (f.messages.get(msg) ?? 0) + 1);
      }
    }
    const sticking = [...failing.values()]
      .map((f) => ({
        lab: f.lab,
        check: f.check,
        failures: f.learners.length,
        message: [...f.messages.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] || null,
        learners: f.learners,
      }))
      .sort((a, b) => b.failures - a.failures || a.lab.localeCompare(b.lab));
    return {
      workshop: { code: workshop.code, title: workshop.title, closed: workshop.closedAt !== null, solutions: !workshop.solutionsHidden, createdAt: workshop.createdAt },
      labs: LABS.map((l) => ({ ...l, checks: [...l.checks] })),
      learners: learners.map((l) => ({ id: l.id, name: l.name, joinedAt: l.joinedAt, lastSeen: l.lastSeen, labs: standings.get(l.id) ?? {} })),
      checks,
      sticking,
      queue: { pending },
    };
  }
}

export function parseResult(text: string): GradeResult | null {
  try {
    return JSON.parse(text) as GradeResult;
  } catch {
    return null;
  }
}
