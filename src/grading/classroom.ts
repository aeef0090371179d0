// A grade in GitHub Classroom's autograding format: the JSON result its
// runner actions (autograding-command-grader and the others) hand to
// autograding-grading-reporter, base64-encoded, as the step output `result`.
// `closing-time grade --format classroom` prints it; a workflow step passes it on:
//
//   - id: closing-time
//     run: echo "result=$(npx closing-time grade clean-client solution.ts --format classroom | base64 -w0)" >> "$GITHUB_OUTPUT"
//   - uses: classroom-resources/autograding-grading-reporter@v1
//     env: { CLOSING-TIME_RESULTS: "${{ steps.closing-time.outputs.result }}" }
//     with: { runners: closing-time }
import type { GradeResult } from './result-types.ts';

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  execution_time: string;
  score: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

export function toClassroom(result: GradeResult, filename: string): ClassroomResult {
  const line = result.problems?.[0]?.line ?? 0;
  return {
    version: 1,
    status: result.status,
    max_score: result.max_score,
    tests: result.tests.map((t) => ({
      name: t.name,
      status: t.status,
      // The reporter shows each test's message; a file that could not be graded says why in every row it would leave empty.
      message: result.status === 'error' ? (result.message ?? 'the file could not be graded') : (t.message ?? ''),
      test_code: t.test_code,
      filename,
      line_no: line,
      execution_time: `${((t.duration_ms ?? 0) / 1000).toFixed(2)}s`,
      score: t.score,
    })),
  };
}
