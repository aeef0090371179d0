// Whether this build carries the labs' reference solutions (as files fetched
// only when a learner asks for one after the hints). CT_HIDE_SOLUTIONS=1 at
// build time leaves them out entirely; a workshop can also hide them (the
// server refuses them to its learners).
export function solutionsInBuild(): boolean {
  return process.env.CT_HIDE_SOLUTIONS !== '1';
}
