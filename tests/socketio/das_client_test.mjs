// The DAS dialect (Socket.IO) end to end with the real socket.io-client 4.8.1: authorization,
// subscribe, exec, subject_update with and without track, errors, the auth window and a client
// that vanishes, each over polling→websocket upgrade, websocket only and polling only.
// Usage: node das_client_test.mjs ROOMD WORK
import {DasClient, keys, relay, run, startBox, step, until} from './das_harness.mjs';

const kAuthWindow = 1000;
// Pings far enough apart that an upgrade finished before the first ping shows roomd answered
// the paused long-poll itself (socket.io-client sends its upgrade only once that poll is back);
// close enough that a vanished client is freed in a few seconds.
const kPingInterval = 3000;
const kPingTimeout = 1000;

const optionSets = [
  {name: 'default', options: {}, transport: 'websocket'},
  {name: 'websocket', options: {transports: ['websocket']}, transport: 'websocket'},
  {name: 'polling', options: {transports: ['polling'], upgrade: false}, transport: 'polling'},
];

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function round(box, set) {
  const client = (label, url = box.url) => new DasClient(`${set.name}/${label}`, url, set.options);
  // The transport a client must end up on: the default options must have upgraded.
  const onTransport = (c) => c.wait(`transport ${set.transport}`,
                                    () => c.transport() === set.transport);
  const s = (name, body) => step(`das client ${set.name}`, name, body);

  await s('operator and viewer: authorize, subscribe, exec power, subject_update', async () => {
    await box.set('power', {on: false}, 'power', false);
    const operator = client('operator');
    const viewer = client('viewer');
    try {
      await Promise.all([operator.connected(), viewer.connected()]);
      await operator.authorize(keys.operator);
      await viewer.authorize(keys.viewer);
      const all = await operator.subscribe();
      operator.check(same([...(all.systems || [])].sort(), ['sys-1', 'sys-2']),
                     'systems ["sys-1","sys-2"] (every system in scope)', all);
      const one = await viewer.subscribe(['sys-1']);
      viewer.check(same(one.systems, ['sys-1']), 'systems ["sys-1"]', one);
      await viewer.subscribe(['sys-2'], 403);  // outside the viewer key's scope
      await operator.subscribe(['sys-9'], 404);  // a key for every system: unknown is unknown

      const before = operator.updates().length;
      const viewerBefore = viewer.updates().length;
      const exec = await operator.request(
          {type: 'exec', sys: 'sys-1', mod: 'Display', index: 1, name: 'power', args: [true]});
      operator.expectStatus(exec, 'resp_exec', 200);
      operator.check(exec.value === true, 'resp_exec value true', exec);

      const powered = (m) => m.data.changed?.includes('power') && m.data.status?.power === true;
      const update = await operator.wait('subject_update with power true', () =>
        operator.updates().slice(before).find(powered));
      const {data} = update;
      operator.check(data.id === 'mod-disp' && data.system === 'sys-1' &&
                     data.driver === 'samsung_mdc' && data.connected === true,
                     'id mod-disp, system sys-1, driver samsung_mdc, connected true', data);
      operator.check(typeof data.status.volume === 'number' &&
                     typeof data.status.input === 'string',
                     'the whole status (volume, input) beside the changed power', data.status);
      const points = data.track?.power;
      operator.check(Array.isArray(points) && points.length >= 1 && points.length <= 10,
                     'track.power with 1 to 10 points', data.track);
      const [at, value] = points[points.length - 1];
      operator.check(value === true && Math.abs(at - Date.now() / 1000) < 60,
                     'the last track.power point [now in Unix seconds, true]', points);
      operator.check(points.every((p, i) => i === 0 || p[0] >= points[i - 1][0]),
                     'track.power oldest first', points);

      const seen = await viewer.wait('subject_update with power true', () =>
        viewer.updates().slice(viewerBefore).find(powered));
      viewer.check(!('track' in seen.data), 'no track for a viewer', seen.data);

      const refused = await viewer.request(
          {type: 'exec', sys: 'sys-1', mod: 'Display', index: 1, name: 'power', args: [false]});
      viewer.expectStatus(refused, 'resp_exec', 403);

      for (const [what, target, code] of [
        ['an unknown module', {sys: 'sys-1', mod: 'Projector', index: 1}, 404],
        ['an unknown system', {sys: 'sys-9', mod: 'Display', index: 1}, 404],
        ['a display that NAKs', {sys: 'sys-2', mod: 'Display', index: 1}, 500],
      ]) {
        const answer =
            await operator.request({type: 'exec', ...target, name: 'power', args: [true]});
        operator.check(answer.type === 'resp_exec' && answer.status?.code === code,
                       `resp_exec ${code} for ${what}`, answer);
      }

      const bogus = await operator.request({type: 'no_such_type'});
      operator.expectStatus(bogus, 'resp_error', 400);

      // After unsubscribing, the viewer gets no update; the operator seeing it, then one
      // round trip of the viewer's, shows roomd had the chance to send it.
      const off = await viewer.request({type: 'unsubscribe', systems: ['sys-1']});
      viewer.expectStatus(off, 'resp_unsubscribe', 200);
      const mark = viewer.messages.length;
      const volume = (await box.display()).volume === 7 ? 8 : 7;
      const turned = await operator.request(
          {type: 'exec', sys: 'sys-1', mod: 'Display', index: 1, name: 'volume', args: [volume]});
      operator.expectStatus(turned, 'resp_exec', 200);
      await operator.wait(`subject_update with volume ${volume}`, () =>
        operator.updates().find((m) => m.data.changed?.includes('volume') &&
                                       m.data.status?.volume === volume));
      await viewer.request({type: 'no_such_type'});
      const late = viewer.messages.slice(mark).filter((m) => m?.type === 'subject_update');
      viewer.check(late.length === 0, 'no subject_update after unsubscribe', late);

      await Promise.all([onTransport(operator), onTransport(viewer)]);
      for (const c of [operator, viewer]) {
        c.check(!c.disconnect, 'still connected', c.disconnect);
      }
      if (set.transport === 'websocket' && !set.options.transports) {
        const times = [operator, viewer].map((c) => c.upgraded - c.engineOpen);
        for (const c of [operator, viewer]) {
          c.check(c.upgraded - c.engineOpen < kPingInterval,
                  `the upgrade done before the first ping (${kPingInterval} ms)`,
                  `${c.upgraded - c.engineOpen} ms after the session opened`);
        }
        return `upgraded ${times.join(' and ')} ms after the sessions opened`;
      }
    } finally {
      operator.close();
      viewer.close();
    }
  });

  await s('a bad key gets 401 and a disconnect by the server', async () => {
    const intruder = client('bad key');
    try {
      await intruder.connected();
      await intruder.authorize('not-a-key', 401);
      const {reason} = await intruder.disconnected();
      intruder.check(reason === 'io server disconnect', 'the disconnect "io server disconnect"',
                     reason);
    } finally {
      intruder.close();
    }
  });

  await s(`no authorization within auth_window (${kAuthWindow} ms) disconnects`, async () => {
    const silent = client('silent');
    try {
      await silent.connected();
      const {reason, at} = await silent.disconnected(kAuthWindow + 5000);
      // The window starts when the Engine.IO session opens, just before the client sees it.
      const after = at - silent.engineOpen;
      silent.check(['io server disconnect', 'transport close'].includes(reason),
                   'a disconnect by the server', reason);
      silent.check(after >= kAuthWindow * 0.8, `the disconnect no sooner than ~${kAuthWindow} ms`,
                   `${after} ms after the session opened`);
      return `"${reason}" ${after} ms after the session opened`;
    } finally {
      silent.close();
    }
  });

  await s('a client that vanishes is freed by the pings', async () => {
    // Every client of this round has closed or was closed: roomd must hold no session now.
    await until('roomd_socketio_sessions 0 after the clean closes', async () =>
      (await box.sessions()) === 0);
    const cable = await relay(box.apiPort);
    const ghost = client('vanishing', `http://127.0.0.1:${cable.port}`);
    try {
      await ghost.connected();
      await ghost.authorize(keys.operator);
      await ghost.subscribe(['sys-1']);
      await onTransport(ghost);
      await until('roomd_socketio_sessions 1', async () => (await box.sessions()) === 1);
      cable.cut();
      const frozen = Date.now();
      await until('roomd_socketio_sessions back to 0 after the client vanished', async () =>
        (await box.sessions()) === 0, kPingInterval + kPingTimeout + 10000);
      return `freed ${Date.now() - frozen} ms after the cut`;
    } catch (error) {
      throw ghost.fail(error.message);
    } finally {
      ghost.close();
      cable.close();
    }
  });
}

await run('das client', async () => {
  const box = await startBox({
    auth_window: `${kAuthWindow}ms`,
    ping_interval: `${kPingInterval}ms`,
    ping_timeout: `${kPingTimeout}ms`,
  });
  await until('Display_1 polled', async () => typeof (await box.display()).power === 'boolean');
  for (const set of optionSets) await round(box, set);
});
