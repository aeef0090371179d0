// The lab page's grading worker: the same checkers, simulator and learner
// compiler as `closing-time grade`, run off the page's thread so a learner's
// busy loop can never freeze the tab (the page terminates a worker that stops answering).
import { checkers } from '../../../labs/index.ts';
import { gradeSource } from '../../grading/grade-lab.ts';
import { compileLearner } from '../../grading/runner-compiler.ts';
import type { GradeRequest, GradeWorkerMessage } from './grade-protocol.ts';

const post = (message: GradeWorkerMessage) => (self as unknown as Worker).postMessage(message);

self.addEventListener('message', async (event: MessageEvent<GradeRequest>) => {
  const req = event.data;
  if (!req || req.type !== 'grade') return;
  const checker = checkers.get(req.lab);
  if (!checker) {
    post({ type: 'error', id: req.id, message: `there is no checker for lab '${req.lab}' in this build` });
    return;
  }
  try {
    const result = await gradeSource(checker, req.source, {
      compile: compileLearner,
      filename: req.fileName,
      onResult: (r, index) => post({ type: 'result', id: req.id, index, result: r }),
    });
    post({ type: 'done', id: req.id, result });
  } catch (error) {
    post({ type: 'error', id: req.id, message: `the grader failed: ${(error as Error)?.message ?? String(error)}` });
  }
});

post({ type: 'ready', labs: [...checkers.keys()] });
