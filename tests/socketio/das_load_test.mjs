// The DAS dialect (Socket.IO) under load with the real socket.io-client 4.8.1: 200 polling and
// 200 websocket clients at once, all subscribed; 20 volume changes in a row must reach every
// one of them exactly once each, in order. Times are logged, not asserted.
// Usage: node das_load_test.mjs ROOMD WORK
import {DasClient, keys, run, startBox, step, until} from './das_harness.mjs';

const kPerTransport = 200;
const kValues = Array.from({length: 20}, (_, i) => i + 1);
const kDeadline = 60000;

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// The volumes a client saw, in arrival order, from the updates that say volume changed.
const volumesSeen = (c) =>
  c.updates().filter((m) => m.data.changed?.includes('volume')).map((m) => m.data.status?.volume);

await run('das load', async () => {
  // Pings far apart: the test is about delivery, and a slow shared machine must not time out
  // 400 sessions.
  const box = await startBox({auth_window: '30s', ping_interval: '10s', ping_timeout: '20s'});
  await until('Display_1 polled', async () => typeof (await box.display()).power === 'boolean');
  // From 0, each of 1..20 is a change, so each is one update.
  await box.set('volume', {level: 0}, 'volume', 0);

  const clients = [];
  const s = (name, body) => step('das load', name, body);
  await s(`${2 * kPerTransport} clients connect, authorize and subscribe`, async () => {
    for (let i = 0; i < kPerTransport; ++i) {
      // Viewers and operators alternate, so both shapes of subject_update are under load.
      const key = i % 2 ? keys.operator : keys.viewer;
      for (const [name, options] of [['polling', {transports: ['polling'], upgrade: false}],
                                     ['websocket', {transports: ['websocket']}]]) {
        const c = new DasClient(`${name} ${i}`, box.url, options, {trace: false});
        c.key = key;
        clients.push(c);
      }
    }
    await Promise.all(clients.map(async (c) => {
      await c.connected(kDeadline);
      await c.authorize(c.key);
      await c.subscribe(['sys-1']);
    }));
    const sessions = await box.sessions();
    if (sessions !== clients.length) {
      throw new Error(`roomd_socketio_sessions ${sessions} with ${clients.length} clients open`);
    }
  });

  const range = `${kValues[0]}..${kValues.at(-1)}`;
  await s(`volume ${range} reaches every client once, in order`, async () => {
    const control = new DasClient('control', box.url, {transports: ['websocket']});
    try {
      await control.connected();
      await control.authorize(keys.operator);
      const began = Date.now();
      for (const level of kValues) {
        const answer = await control.request(
            {type: 'exec', sys: 'sys-1', mod: 'Display', index: 1, name: 'volume', args: [level]});
        control.expectStatus(answer, 'resp_exec', 200);
        control.check(answer.value === level, `resp_exec value ${level}`, answer);
      }
      const execs = Date.now() - began;
      const complete = (c) => volumesSeen(c).length >= kValues.length;
      try {
        await until('every client to see 20 volume updates', () => clients.every(complete),
                    kDeadline);
      } catch (error) {
        const behind = clients.filter((c) => !complete(c));
        throw new Error(`${error.message}: ${behind.length} clients short, e.g. ` +
                        behind.slice(0, 3).map((c) =>
                          `${c.label} saw ${JSON.stringify(volumesSeen(c))}` +
                          (c.disconnect ? ` (disconnected: ${c.disconnect.reason})` : ''))
                            .join('; '));
      }
      const delivered = Date.now() - began;
      const expected = JSON.stringify(kValues);
      const wrong = clients.filter((c) => JSON.stringify(volumesSeen(c)) !== expected);
      if (wrong.length) {
        const examples =
            wrong.slice(0, 3).map((c) => `${c.label}: ${JSON.stringify(volumesSeen(c))}`);
        throw new Error(`${wrong.length} clients did not see ${expected} exactly once each in ` +
                        `order, e.g. ${examples.join('; ')}`);
      }
      // Viewers' updates carry no track, operators' do; under load as when idle.
      const shapes = clients.filter((c) => c.updates().some((m) =>
        m.data.changed?.includes('volume') && ('track' in m.data) !== (c.key === keys.operator)));
      if (shapes.length) {
        throw new Error(`${shapes.length} clients got track against their role, e.g. ` +
                        shapes[0].label);
      }
      const gone = clients.filter((c) => c.disconnect);
      if (gone.length) {
        throw new Error(`${gone.length} clients were disconnected, e.g. ${gone[0].label}: ` +
                        gone[0].disconnect.reason);
      }
      return `20 execs awaited in ${seconds(execs)}, every update delivered ` +
             `${seconds(delivered)} after the first exec`;
    } finally {
      control.close();
    }
  });

  await s('every session closes with its client', async () => {
    for (const c of clients) c.close();
    await until('roomd_socketio_sessions 0', async () => (await box.sessions()) === 0, kDeadline);
  });
});
