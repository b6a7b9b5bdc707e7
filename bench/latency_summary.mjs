// The figures of one phase, shared by bench/live_clients.mjs and bench/yjs_latency.mjs so that
// both systems are summarised alike (as bench/live_latency.py's `summarise` does in Python).
//
// editors: [{index, received: Map(change id -> perf ms), duplicates, errors}]
// sent: Map(change id -> [author index, perf ms sent]); inOrder: each system's own order check.

export function summarise (editors, sent, seconds, inOrder) {
  const latencies = []
  let lost = 0
  for (const [id, [author, at]] of sent) {
    for (const editor of editors) {
      if (editor.index === author) continue
      const got = editor.received.get(id)
      if (got === undefined) lost++
      else latencies.push(got - at)
    }
  }
  latencies.sort((a, b) => a - b)
  const pct = p => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : 0
  const round = x => Math.round(x * 10) / 10
  return {
    changes: sent.size,
    changes_per_s: round(sent.size / seconds),
    p50_ms: round(pct(0.50)),
    p95_ms: round(pct(0.95)),
    p99_ms: round(pct(0.99)),
    max_ms: latencies.length ? round(latencies[latencies.length - 1]) : 0,
    lost,
    duplicated: editors.reduce((s, e) => s + e.duplicates, 0),
    errors: editors.reduce((s, e) => s + e.errors, 0),
    in_order: inOrder
  }
}
