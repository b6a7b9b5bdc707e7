// The Yjs peer of bench/live_latency.py: the same number of editors, each making changes at the
// same rate on one shared document, through a y-websocket server (@y/websocket-server's own
// server.js, started here as a separate Node process, or an already running one with --url).
//
//   npm install --prefix bench        # once; node_modules is not committed
//   node bench/yjs_latency.mjs [--editors 25] [--rate 2] [--seconds 10] [--port 8413]
//        [--ramp 4,8,12,16,20,24] [--ramp-seconds 5] [--url ws://127.0.0.1:1234]
//
// Measured as on the Python side: every editor owns one entry ("its stage") of a shared Y.Map and
// sets it `rate` times a second for `seconds` (phases offset evenly between editors); a change is
// one `map.set(stageId, {id, name, author, n})` (one Yjs update, ~the size of a stage.update op).
// Latency is the author's send (just before the local transaction, which the provider sends at
// once) to each other editor's observe of that value; changes/s is changes sent / seconds; after
// the phase the tail may arrive for up to 30 s, and an expected delivery never observed is lost.
// Yjs has no server revision: "in_order" checks that each editor saw each author's changes in
// the author's order. Each phase uses a fresh room and fresh clients, as the Python side uses a
// fresh map and fresh sockets. The ramp stops after the first rate whose p99 passes 100 ms.
// Prints one JSON line per phase, then the whole result as the last line.

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import process from 'node:process'

import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

import { summarise } from './latency_summary.mjs'

const TAIL_SECONDS = 30

function parseArgs (argv) {
  const options = {
    editors: 25,
    rate: 2,
    seconds: 10,
    port: Number(process.env.BENCH_YJS_PORT || 8413),
    ramp: '4,8,12,16,20,24',
    rampSeconds: 5,
    url: null
  }
  const names = { '--ramp-seconds': 'rampSeconds' }
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]
    const key = names[flag] || flag.replace(/^--/, '')
    if (!(key in options) || argv[i + 1] === undefined) {
      throw new Error(`unknown or incomplete option ${flag}`)
    }
    options[key] = ['ramp', 'url'].includes(key) ? argv[i + 1] : Number(argv[i + 1])
  }
  return options
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))

async function waitForPort (port) {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise(resolve => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await sleep(100)
  }
  throw new Error(`nothing listens on ${port}`)
}

function startServer (port) {
  const require = createRequire(import.meta.url)
  const entry = require.resolve('@y/websocket-server/package.json').replace(/package\.json$/, 'src/server.js')
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port) }
  delete env.YPERSISTENCE // in memory, as the server runs by default
  return spawn(process.execPath, [entry], { env, stdio: ['ignore', 'ignore', 'inherit'] })
}

class Editor {
  constructor (index, stage) {
    this.index = index
    this.stage = stage
    this.received = new Map() // change id -> perf time observed
    this.lastSeen = new Map() // author -> last n observed
    this.duplicates = 0
    this.outOfOrder = 0
    this.errors = 0
    this.doc = new Y.Doc()
    this.stages = this.doc.getMap('stages')
  }

  open (serverUrl, room) {
    this.provider = new WebsocketProvider(serverUrl, room, this.doc, {
      WebSocketPolyfill: WebSocket,
      disableBc: true // otherwise clients in one process would bypass the server
    })
    this.provider.on('connection-error', () => { this.errors++ })
    this.provider.on('connection-close', event => { if (!this.closing) this.errors++ })
    this.stages.observe(event => {
      const now = performance.now()
      if (event.transaction.local) return
      for (const key of event.keysChanged) {
        const value = this.stages.get(key)
        if (value === undefined || value.id === undefined) continue
        if (this.received.has(value.id)) this.duplicates++
        this.received.set(value.id, now)
        if (value.n <= (this.lastSeen.get(value.author) ?? -1)) this.outOfOrder++
        this.lastSeen.set(value.author, value.n)
      }
    })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no sync in 20 s')), 20000)
      this.provider.once('sync', synced => { if (synced) { clearTimeout(timer); resolve() } })
    })
  }

  close () {
    this.closing = true
    this.provider.destroy()
    this.doc.destroy()
  }
}

async function drive (editor, count, rate, seconds, sent) {
  const interval = 1000 / rate
  await sleep(interval * editor.index / count)
  const start = performance.now()
  let n = 0
  // Node timers may fire up to 1 ms early, so bound the count too (asyncio's do not fire early:
  // the Python side sends the same number of changes per editor).
  while (n * interval < seconds * 1000 && performance.now() - start < seconds * 1000) {
    const id = randomUUID()
    sent.set(id, [editor.index, performance.now()])
    editor.stages.set(editor.stage, { id, name: `E${n}`, author: editor.index, n })
    n++
    await sleep(start + n * interval - performance.now())
  }
}

async function measure (serverUrl, count, rate, seconds) {
  const room = `bench-${randomUUID().slice(0, 8)}`
  const stages = Array.from({ length: count }, () => randomUUID())
  const editors = stages.map((stage, i) => new Editor(i, stage))
  for (const editor of editors) await editor.open(serverUrl, room)
  // The stages exist before the run, as on the Python side (made through apply_ops there).
  editors[0].doc.transact(() => {
    stages.forEach((stage, i) => editors[0].stages.set(stage, { name: `S${i}` }))
  })
  const deadline = performance.now() + 20000
  while (editors.some(e => e.stages.size < count)) {
    if (performance.now() > deadline) throw new Error('initial stages did not reach every client')
    await sleep(10)
  }
  const sent = new Map()
  await Promise.all(editors.map(editor => drive(editor, count, rate, seconds, sent)))
  // Let the tail arrive (a backlog shows as latency; only what never arrives is lost).
  const tail = performance.now() + TAIL_SECONDS * 1000
  while (performance.now() < tail && editors.some(e => e.received.size < sent.size - countOwn(sent, e.index))) {
    await sleep(100)
  }
  for (const editor of editors) editor.close()
  return summarise(editors, sent, seconds, editors.every(e => e.outOfOrder === 0))
}

function countOwn (sent, index) {
  let own = 0
  for (const [author] of sent.values()) if (author === index) own++
  return own
}

async function main () {
  const options = parseArgs(process.argv.slice(2))
  process.setMaxListeners(0) // each WebsocketProvider adds a process 'exit' handler
  let server = null
  let serverUrl = options.url
  if (serverUrl === null) {
    server = startServer(options.port)
    server.on('exit', code => {
      if (!server.stopping) {
        console.error(`y-websocket server exited (${code})`)
        process.exit(1)
      }
    })
    await waitForPort(options.port)
    serverUrl = `ws://127.0.0.1:${options.port}`
  }
  const require = createRequire(import.meta.url)
  const versions = Object.fromEntries(['@y/websocket-server', 'yjs', 'y-websocket', 'ws'].map(
    name => [name, require(`${name}/package.json`).version]
  ))
  const result = { editors: options.editors, rate: options.rate, node: process.version, versions }
  try {
    result.steady = await measure(serverUrl, options.editors, options.rate, options.seconds)
    console.log(JSON.stringify({ phase: 'steady', rate: options.rate, ...result.steady }))
    result.ramp = []
    for (const rate of options.ramp.split(',').filter(Boolean).map(Number)) {
      const step = await measure(serverUrl, options.editors, rate, options.rampSeconds)
      console.log(JSON.stringify({ phase: 'ramp', rate, ...step }))
      result.ramp.push({ rate_per_editor: rate, ...step })
      if (step.p99_ms > 100) break
    }
  } finally {
    if (server !== null) {
      server.stopping = true
      server.kill('SIGTERM')
    }
  }
  console.log(JSON.stringify(result))
}

main().then(() => process.exit(0), error => {
  console.error(error)
  process.exit(1)
})
