// What the node end-to-end tests (tests/panel, tests/socketio) share: roomd and its device
// simulators as child processes on free loopback ports, stopped at the end; waiting on a
// condition with a deadline instead of sleeping; and a relay that can drop off the network.

import {spawn} from 'node:child_process';
import {connect, createServer} from 'node:net';

export const kDeadline = 15000;

// Polls check() until it returns something truthy; fails with `what` at the deadline.
export async function until(what, check, timeout = kDeadline) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}` +
                      (last ? `; last error: ${last.message || last}` : ''));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Stops a child with SIGTERM; resolves once it exited.
export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The processes of one test run of the `roomd` binary: every one started is stopped by
// stopAll().
export class RoomdProcesses {
  constructor(roomd) {
    this.roomd = roomd;
    this.children = new Set();
  }

  // Starts `roomd args…`; resolves with the child and the first match of `ready` in its output.
  start(args, ready) {
    const child = spawn(this.roomd, args, {stdio: ['ignore', 'pipe', 'pipe']});
    this.children.add(child);
    child.output = '';
    child.on('exit', () => this.children.delete(child));
    return new Promise((resolve, reject) => {
      const seen = (chunk) => {
        child.output += chunk;
        const match = child.output.match(ready);
        if (match) resolve({child, match});
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('exit', (code) => reject(new Error(
          `roomd ${args.join(' ')} exited (${code}) before ${ready}:\n${child.output}`)));
      setTimeout(() => reject(new Error(`no ${ready} from roomd ${args.join(' ')} in time:\n` +
                                        child.output)), kDeadline);
    });
  }

  // A device simulator (`roomd simulate kind options…`) on a free port; resolves with the port.
  async simulator(...args) {
    const {match} = await this.start(['simulate', ...args, '--port', '0'], /127\.0\.0\.1:(\d+)/);
    return Number(match[1]);
  }

  stopAll() {
    return Promise.all([...this.children].map(stop));
  }
}

// A TCP relay from a free loopback port to `targetPort`. cut() stops every byte in both
// directions and passes no close either way, new connections included: a pulled cable, not a
// refused connection, so only heartbeats and pings can tell. restore() lets new connections
// through and closes the ones held meanwhile, as either end would once it timed them out.
export function relay(targetPort) {
  const pairs = new Set();
  let down = false;
  const drop = (pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = {client, upstream, held: down};
    pairs.add(pair);
    const end = () => { if (!pair.held) drop(pair); };
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      from.on('data', (chunk) => { if (!pair.held) to.write(chunk); });
      from.on('close', end);
      from.on('error', end);
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      cut() {
        down = true;
        for (const pair of pairs) pair.held = true;
      },
      restore() {
        down = false;
        for (const pair of [...pairs]) if (pair.held) drop(pair);
      },
      close() {
        server.close();
        for (const pair of [...pairs]) drop(pair);
      },
    }));
  });
}
