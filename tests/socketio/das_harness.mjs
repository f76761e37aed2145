// What both DAS (Socket.IO) tests share: roomd and its Samsung MDC simulators on free loopback
// ports (tests/support/roomd_processes.mjs), and a socket.io-client wrapper that keeps a
// transcript of every packet so a failure shows what was exchanged.
import {createHash} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {RoomdProcesses, freePort, kDeadline, relay, stop, until} from '../support/roomd_processes.mjs';

export const [roomd, work] = process.argv.slice(2);
if (!roomd || !work) {
  console.error('usage: node <test>.mjs ROOMD WORK');
  process.exit(2);
}
// The pinned client lives in the build's work folder (npm ci by ./run), not next to the test.
export const {io} = createRequire(join(work, 'package.json'))('socket.io-client');

export const keys = {
  admin: 'das-test-admin-key',
  operator: 'das-test-operator-key',
  viewer: 'das-test-viewer-key',
};
export {kDeadline, relay, until};
const processes = new RoomdProcesses(roomd);
const start = (args, ready) => processes.start(args, ready);
const simulator = (...args) => processes.simulator(...args);
const temp = mkdtempSync(join(tmpdir(), 'roomd-das-'));
let box = null;  // roomd's child process, for its output tail on failure






const sha256 = (text) => createHash('sha256').update(text).digest('hex');

// roomd with two displays: Display_1 of sys-1 works, Display_1 of sys-2 NAKs every command (for
// the device-error answer). Keys are given by hash, as a deployed config would.
export async function startBox(das) {
  const good = await simulator('samsung_mdc');
  const faulty = await simulator('samsung_mdc', '--fault', 'nak');
  const apiPort = await freePort();
  const tcp = (port) => ({tcp: {host: '127.0.0.1', port}});
  const config = {
    box: {id: 'das-test', name: 'DAS test box', state_dir: join(temp, 'state')},
    log: {level: 'info'},
    api: {
      listen: `127.0.0.1:${apiPort}`,
      // The load test holds 400 clients plus polling's short-lived requests from one address.
      max_connections: 2000,
      max_connections_per_address: 2000,
      keys: [
        {id: 'test-admin', key_sha256: sha256(keys.admin), role: 'admin', systems: ['*']},
        {id: 'test-operator', key_sha256: sha256(keys.operator), role: 'operator', systems: ['*']},
        {id: 'test-viewer', key_sha256: sha256(keys.viewer), role: 'viewer', systems: ['sys-1']},
      ],
    },
    dialects: {das},
    modules: [
      {id: 'mod-disp', driver: 'samsung_mdc', name: 'Display', transport: tcp(good),
       settings: {display_id: 1, poll_every: '1s'}},
      {id: 'mod-faulty', driver: 'samsung_mdc', name: 'Display', transport: tcp(faulty),
       settings: {display_id: 1, poll_every: '1s'}},
    ],
    systems: [
      {id: 'sys-1', name: 'Room 1', modules: ['mod-disp']},
      {id: 'sys-2', name: 'Room 2', modules: ['mod-faulty']},
    ],
  };
  const path = join(temp, 'roomd.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  ({child: box} = await start(['run', '--config', path], /API listening on/));
  const base = `http://127.0.0.1:${apiPort}`;
  const rest = async (method, path, body) => {
    const answer = await fetch(base + path, {
      method,
      headers: {Authorization: `Bearer ${keys.admin}`},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: HTTP ${answer.status} ${text}`);
    return text;
  };
  const display = async () =>
    JSON.parse(await rest('GET', '/api/engine/v2/systems/sys-1/Display_1'));
  return {
    url: base,
    apiPort,
    rest,
    display,
    // Sets a Display_1 variable by REST, past the dialect, and waits until roomd shows it.
    async set(method, args, variable, value) {
      await rest('POST', `/api/engine/v2/systems/sys-1/Display_1/${method}`, args);
      await until(`Display_1 ${variable} = ${value} by REST`,
                  async () => (await display())[variable] === value);
    },
    // Open Engine.IO sessions as roomd counts them.
    async sessions() {
      const text = await rest('GET', '/metrics');
      const line = text.match(/^roomd_socketio_sessions(?:\{\})? ([0-9.e+]+)\s*$/m);
      if (!line) {
        throw new Error('no roomd_socketio_sessions line in /metrics; lines naming socketio: ' +
                        JSON.stringify(text.split('\n').filter((l) => /socketio/.test(l))));
      }
      return Number(line[1]);
    },
  };
}

const short = (value) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

// One socket.io-client connection with its own Manager (forceNew: io() would otherwise share
// one Engine.IO connection between clients of the same URL), and no reconnection, so a
// disconnect by the server stays visible.
export class DasClient {
  constructor(label, url, options = {}, {trace = true} = {}) {
    this.label = label;
    this.opened = Date.now();
    this.transcript = [];
    this.messages = [];
    this.nextId = 1;
    this.disconnect = null;  // {reason, at}
    this.engineOpen = null;
    this.upgraded = null;
    this.trace = trace;
    const socket = io(url, {forceNew: true, reconnection: false, ...options});
    this.socket = socket;
    socket.on('connect', () => this.note('connect', this.transport()));
    socket.on('connect_error', (error) => this.note('connect_error', error.message));
    socket.on('disconnect', (reason) => {
      this.disconnect = {reason, at: Date.now()};
      this.note('disconnect', reason);
    });
    socket.on('message', (message) => {
      this.messages.push(message);
      if (this.trace) this.note('<', message);
    });
    socket.io.on('open', () => {
      this.engineOpen = Date.now();
      const engine = socket.io.engine;
      this.note('engine open', `${engine.transport.name} sid ${engine.id}`);
      engine.on('upgrade', (transport) => {
        this.upgraded = Date.now();
        this.note('upgraded to', transport.name);
      });
      engine.on('upgradeError', (error) => this.note('upgrade error', error.message));
      if (this.trace) {
        engine.on('packet', (p) => this.note('engine <', `${p.type} ${short(p.data ?? '')}`));
        engine.on('packetCreate', (p) => this.note('engine >', `${p.type} ${short(p.data ?? '')}`));
      }
    });
  }

  note(what, detail) {
    const at = String(Date.now() - this.opened).padStart(6);
    this.transcript.push(`${at} ms ${what} ${short(detail)}`);
  }

  transport() { return this.socket.io.engine?.transport?.name; }

  dump() { return `--- ${this.label} transcript:\n${this.transcript.join('\n')}`; }

  // A failure that names what was expected and shows what this client exchanged.
  fail(text) { return new Error(`${this.label}: ${text}\n${this.dump()}`); }

  check(ok, expected, got) {
    if (!ok) throw this.fail(`expected ${expected}, got ${short(got)}`);
  }

  async wait(what, check, timeout = kDeadline) {
    try {
      return await until(what, check, timeout);
    } catch (error) {
      throw this.fail(error.message);
    }
  }

  connected(timeout) {
    return this.wait('connect', () => {
      if (this.disconnect) throw new Error(`disconnected: ${this.disconnect.reason}`);
      return this.socket.connected;
    }, timeout);
  }

  send(message) {
    if (this.trace) this.note('>', message);
    this.socket.send(message);
  }

  // Sends a request with the next id and resolves with its answer (any answer with its resp_id).
  async request(message, timeout) {
    const id = message.id ?? this.nextId;
    this.nextId = id + 1;
    this.send({...message, id});
    return this.wait(`the answer to ${message.type} id ${id}`,
                     () => this.messages.find((m) => m?.resp_id === id), timeout);
  }

  // Asserts an answer's type and status code.
  expectStatus(answer, type, code) {
    this.check(answer?.type === type && answer?.status?.code === code,
               `${type} with status.code ${code}`, answer);
  }

  async authorize(key, code = 200) {
    const answer = await this.request({type: 'authorization', Authorization: `Bearer ${key}`});
    this.expectStatus(answer, 'resp_authorization', code);
    return answer;
  }

  async subscribe(systems, code = 200) {
    const answer = await this.request(systems ? {type: 'subscribe', systems} : {type: 'subscribe'});
    this.expectStatus(answer, 'resp_subscribe', code);
    return answer;
  }

  updates(module = 'Display_1') {
    return this.messages.filter((m) => m?.type === 'subject_update' && m.data?.name === module);
  }

  disconnected(timeout) {
    return this.wait('a disconnect', () => this.disconnect, timeout);
  }

  close() { this.socket.disconnect(); }
}

const steps = [];
// Runs one named step, printing its name first so a hang shows where; what the body returns is
// printed after its time.
export async function step(prefix, name, body) {
  process.stdout.write(`${prefix}: ${name} ... `);
  const began = Date.now();
  const detail = await body();
  steps.push(name);
  console.log(`ok (${Date.now() - began} ms${detail ? `; ${detail}` : ''})`);
}

// Runs the test's main, then stops every child; on failure prints the error (with the
// transcripts it carries) and roomd's last lines.
export async function run(prefix, main) {
  const began = Date.now();
  let failed = false;
  try {
    await main();
  } catch (error) {
    failed = true;
    console.log('FAILED');
    console.error(error.stack || String(error));
    if (box) {
      const lines = box.output.trimEnd().split('\n');
      console.error(`--- roomd's last ${Math.min(lines.length, 60)} lines:\n` +
                    lines.slice(-60).join('\n'));
    }
  } finally {
    await processes.stopAll();
    rmSync(temp, {recursive: true, force: true});
  }
  console.log(`${prefix}: ${steps.length} passed, ${failed ? 1 : 0} failed ` +
              `in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}
