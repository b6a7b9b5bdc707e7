// The editors of bench/live_latency.py as Node clients (the default there; `--client python`
// runs them in Python instead). Same measurement, same messages; the Yjs side's clients are Node
// too (bench/yjs_latency.mjs), so both systems are driven by the same client runtime and the
// load generator does not eat the CPU the servers are being measured on (25 Python clients
// receiving 12,500 messages/s take a third of this 2-core machine; Node takes a fraction).
//
//   node bench/live_clients.mjs '<json>'
//     {"urls": ["ws://127.0.0.1:8411/ws/maps/<id>/", ...], "token": "...", "origin": "...",
//      "stages": ["<uuid>", ...], "rate": 2, "seconds": 10}
//
// Editor i connects to urls[i % urls.length] with `Authorization: Token`, waits for `welcome`,
// then sends one `stage.update` of its own stage `rate` times a second for `seconds` (phases
// offset evenly). Latency is the author's send to each other editor's receive of the `change`;
// after the phase the tail may arrive for up to 30 s; an expected delivery never received is
// lost. Prints one JSON line: changes, changes_per_s, p50/p95/p99/max ms, lost, duplicated,
// errors, in_order (every socket saw revisions in increasing order).

import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import process from 'node:process'

import WebSocket from 'ws'

import { summarise } from './latency_summary.mjs'

const TAIL_SECONDS = 30
const sleep = ms => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))

class Editor {
  constructor (index, stage) {
    this.index = index
    this.stage = stage
    this.received = new Map() // change id -> perf time received
    this.revisions = []
    this.duplicates = 0
    this.errors = 0
  }

  open (url, token, origin) {
    this.ws = new WebSocket(url, {
      headers: { Authorization: `Token ${token}`, Origin: origin },
      perMessageDeflate: false,
      maxPayload: 4 * 1024 * 1024
    })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no welcome in 20 s')), 20000)
      this.ws.on('error', error => { clearTimeout(timer); reject(error) })
      this.ws.on('message', raw => {
        const now = performance.now()
        const message = JSON.parse(raw)
        if (message.type === 'welcome') {
          clearTimeout(timer)
          resolve()
        } else if (message.type === 'change') {
          if (this.received.has(message.id)) this.duplicates++
          this.received.set(message.id, now)
          this.revisions.push(message.revision)
        } else if (message.type === 'error') {
          this.errors++
        }
      })
    })
  }
}

async function drive (editor, count, rate, seconds, sent) {
  const interval = 1000 / rate
  await sleep(interval * editor.index / count)
  const start = performance.now()
  let n = 0
  // Node timers may fire up to 1 ms early, so bound the count too (as the Python side does).
  while (n * interval < seconds * 1000 && performance.now() - start < seconds * 1000) {
    const id = randomUUID()
    const op = { type: 'stage.update', id: editor.stage, fields: { name: `E${n}` } }
    sent.set(id, [editor.index, performance.now()])
    editor.ws.send(JSON.stringify({ type: 'change', id, ops: [op] }))
    n++
    await sleep(start + n * interval - performance.now())
  }
}

async function main () {
  const config = JSON.parse(process.argv[2])
  const editors = config.stages.map((stage, index) => new Editor(index, stage))
  await Promise.all(editors.map(e => e.open(config.urls[e.index % config.urls.length], config.token, config.origin)))
  const sent = new Map()
  await Promise.all(editors.map(e => drive(e, editors.length, config.rate, config.seconds, sent)))
  const deadline = performance.now() + TAIL_SECONDS * 1000
  while (performance.now() < deadline && editors.some(e => e.received.size < sent.size)) {
    await sleep(100)
  }
  for (const editor of editors) editor.ws.close()
  // Every socket saw revisions in increasing order.
  const ordered = editors.every(e => e.revisions.every((r, i) => i === 0 || e.revisions[i - 1] < r))
  process.stdout.write(JSON.stringify(summarise(editors, sent, config.seconds, ordered)) + '\n')
}

main().then(() => process.exit(0), error => { console.error(error); process.exit(1) })
