// The lab page's grading worker: the same checkers, simulator and learner
// compiler as `closing-time grade`, run off the page's thread so a learner's
// busy loop can never freeze the tab (the page terminates a worker that stops answering).
import { checkers } from '../../../labs/index.ts';
import { gradeSource } from '../../grading/grade-lab.ts';
import { compileLearner } from '../../grading/runner-compiler.ts';
import { serializeSummary } from '../../runner/serialize.ts';
import { graderMessages } from '../../grading/messages.ts';
import type { CheckReplay, GradeRequest, GradeWorkerMessage, TraceCheckRequest } from './grade-protocol.ts';

/** Most events sent back for one traced check (a load test's world can hold millions). */
const MAX_REPLAY_EVENTS = 200_000;

const post = (message: GradeWorkerMessage) => (self as unknown as Worker).postMessage(message);

self.addEventListener('message', async (event: MessageEvent<GradeRequest | TraceCheckRequest>) => {
  const req = event.data;
  if (!req || (req.type !== 'grade' && req.type !== 'trace')) return;
  const say = graderMessages[req.lang ?? 'en'] ?? graderMessages.en;
  const checker = checkers.get(req.lab);
  if (!checker) {
    post({ type: 'error', id: req.id, message: say.noChecker({ lab: req.lab }) });
    return;
  }
  try {
    let replay: CheckReplay | null = null;
    const result = await gradeSource(checker, req.source, {
      compile: compileLearner,
      filename: req.fileName,
      lang: req.lang ?? 'en',
      onResult: (r, index) => post({ type: 'result', id: req.id, index, result: r }),
      ...(req.type === 'trace'
        ? {
            only: req.check,
            onTrace(t) {
              const last = t.worlds[t.worlds.length - 1];
              replay = {
                check: t.check,
                status: t.status,
                message: t.message,
                // Plain data: segments compute fields in getters, which their toJSON keeps.
                events: last ? JSON.parse(JSON.stringify(last.trace.slice(0, MAX_REPLAY_EVENTS))) : [],
                summary: last?.summary ? serializeSummary(last.summary) : null,
                worlds: t.worlds.length,
                ...(t.at !== undefined ? { at: t.at } : {}),
              };
            },
          }
        : {}),
    });
    if (replay) post({ type: 'trace', id: req.id, replay });
    post({ type: 'done', id: req.id, result });
  } catch (error) {
    post({ type: 'error', id: req.id, message: say.graderFailed({ error: (error as Error)?.message ?? String(error) }) });
  }
});

post({ type: 'ready', labs: [...checkers.keys()] });
