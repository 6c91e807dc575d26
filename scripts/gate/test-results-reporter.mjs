// A node:test reporter that writes one JSON line per finished test or suite, for the gate's closing
// summary (scripts/gate/summary.mjs). The spec reporter still prints what a person reads; this one
// only feeds the counts, and which tests were still running when a file hit its time cap.
export default async function* testResults(source) {
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:start') {
      yield `${JSON.stringify({ event: 'start', name: data.name, nesting: data.nesting })}\n`;
    } else if (type === 'test:pass' || type === 'test:fail') {
      const details = data.details ?? {};
      yield `${JSON.stringify({
        event: type === 'test:pass' ? 'pass' : 'fail',
        name: data.name,
        nesting: data.nesting,
        suite: details.type === 'suite',
        skip: data.skip !== undefined,
        todo: data.todo !== undefined,
        cancelled: details.error?.failureType === 'cancelledByParent',
        durationMs: details.duration_ms,
      })}\n`;
    }
  }
}
