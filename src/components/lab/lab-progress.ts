// A learner's progress on one lab, kept in this browser (localStorage): the
// best score so far, the last result, and how many hints they chose to see.
import type { GradeResult } from '../../grading/result-types.ts';

export interface LabProgress {
  bestScore: number;
  maxScore: number;
  hintsShown: number;
  lastResult?: GradeResult;
  checkedAt?: number;
}

const key = (lab: string) => `closing-time:lab:${lab}`;

export function loadProgress(lab: string): LabProgress {
  try {
    const v = JSON.parse(localStorage.getItem(key(lab)) ?? 'null') as Partial<LabProgress> | null;
    if (v && typeof v === 'object') {
      return {
        bestScore: Number(v.bestScore) || 0,
        maxScore: Number(v.maxScore) || 0,
        hintsShown: Math.max(0, Math.floor(Number(v.hintsShown) || 0)),
        lastResult: v.lastResult && typeof v.lastResult === 'object' ? v.lastResult : undefined,
        checkedAt: typeof v.checkedAt === 'number' ? v.checkedAt : undefined,
      };
    }
  } catch {
    // Unreadable or disabled storage: start fresh.
  }
  return { bestScore: 0, maxScore: 0, hintsShown: 0 };
}

export function saveProgress(lab: string, progress: LabProgress): void {
  try {
    localStorage.setItem(key(lab), JSON.stringify(progress));
  } catch {
    // Storage full or disabled: progress lasts until the page is closed.
  }
}

/** Folds a new result into the progress (the best score never goes down). */
export function recordResult(progress: LabProgress, result: GradeResult, now = Date.now()): LabProgress {
  return {
    ...progress,
    bestScore: Math.max(progress.bestScore, result.score),
    maxScore: result.max_score,
    lastResult: result,
    checkedAt: now,
  };
}
