// The web panel end to end: Debian's chromium (playwright-core) against `roomd run` and the
// device simulators on free loopback ports. The browser reaches roomd through a TCP relay the
// test can cut like a network drop. Every wait has a deadline; screenshots of both views
// (desktop and 1024x600) go to the work folder. Usage: node panel_test.mjs ROOMD WORK
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {RoomdProcesses, freePort, kDeadline, relay, stop, until} from '../support/roomd_processes.mjs';

const [roomd, work] = process.argv.slice(2);
const {chromium} = createRequire(join(work, 'package.json'))('playwright-core');

const kAdminKey = 'panel-test-admin-key';
const kViewerKey = 'panel-test-viewer-key';
const processes = new RoomdProcesses(roomd);
const start = (args, ready) => processes.start(args, ready);
const simulator = (...args) => processes.simulator(...args);
const temp = mkdtempSync(join(tmpdir(), 'roomd-panel-'));






async function writeConfig(apiPort) {
  const mdc = await simulator('samsung_mdc');
  const bravia = await simulator('sony_bravia', '--on');
  const extron = await simulator('extron_sis', '--inputs', '4', '--outputs', '2');
  const tcp = (port) => ({tcp: {host: '127.0.0.1', port}});
  const config = {
    box: {id: 'panel-test', name: 'Panel test box', state_dir: join(temp, 'state')},
    log: {level: 'info'},
    api: {
      listen: `127.0.0.1:${apiPort}`,
      keys: [
        {id: 'test-admin', key: kAdminKey, role: 'admin', systems: ['*']},
        {id: 'test-viewer', key: kViewerKey, role: 'viewer', systems: ['sys-101']},
      ],
    },
    modules: [
      {id: 'mod-room', driver: 'room', name: 'System', settings: {
        sources: {
          laptop: {switcher_input: 1, inputs: {Display_1: 'hdmi1', Display_2: 'hdmi1'}},
          pc: {switcher_input: 2, inputs: {Display_1: 'hdmi1', Display_2: 'hdmi1'}},
        },
        outputs: {Display_1: 1, Display_2: 2},
      }},
      {id: 'mod-disp1', driver: 'samsung_mdc', name: 'Display', transport: tcp(mdc),
       settings: {display_id: 1, poll_every: '1s'}},
      {id: 'mod-disp2', driver: 'sony_bravia', name: 'Display', transport: tcp(bravia),
       settings: {poll_every: '1s'}},
      {id: 'mod-switcher', driver: 'extron_sis', name: 'Switcher', transport: tcp(extron),
       settings: {outputs: 2}},
    ],
    systems: [{id: 'sys-101', name: 'Room 101',
               modules: ['mod-room', 'mod-disp1', 'mod-disp2', 'mod-switcher']}],
  };
  const path = join(temp, 'roomd.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function runRoomd(config) {
  return start(['run', '--config', config], /API listening on/).then(({child}) => child);
}

// The inputs a switcher's `ties` status shows, deduplicated: "2" when every output shows input 2.
function tiedInputs(text) {
  const inputs = JSON.stringify(JSON.parse(text)).replace(/"[^"]*":/g, '').match(/\d+/g) || [];
  return [...new Set(inputs)].sort().join(',');
}

async function signIn(page, key) {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', {name: 'Sign in', exact: true}).click();
  await page.getByRole('button', {name: 'Sign out', exact: true}).waitFor({timeout: kDeadline});
  await until('the panel to go online', async () =>
    (await page.getByRole('status', {name: 'connection', exact: true}).textContent()) === 'online');
}

const steps = [];
async function step(name, body) {
  process.stdout.write(`panel test: ${name} ... `);
  await body();
  steps.push(name);
  console.log('ok');
}

async function main() {
  rmSync(join(work, 'panel-failure.png'), {force: true});
  const apiPort = await freePort();
  const config = await writeConfig(apiPort);
  let box = await runRoomd(config);
  const network = await relay(apiPort);
  const origin = `127.0.0.1:${network.port}`;
  const userDir = mkdtempSync(join(temp, 'chromium-'));
  const browser = await chromium.launchPersistentContext(userDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: {width: 1366, height: 900},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    browser.setDefaultTimeout(3000);  // single actions; until() retries them to its deadline
    const page = browser.pages()[0] || await browser.newPage();
    const outside = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`http://${origin}/`) &&
          !request.url().startsWith(`ws://${origin}/`)) outside.push(request.url());
    });
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.goto(`http://${origin}/`);

    await step('a wrong key is refused and says why', async () => {
      await page.getByLabel('API key').fill('not-a-key');
      await page.getByRole('button', {name: 'Sign in', exact: true}).click();
      await until('the refusal', async () =>
        /does not know this API key/.test(await page.getByRole('alert').first().textContent()));
    });

    await step('sign in with the admin key', () => signIn(page, kAdminKey));

    const room = page.locator('#room');
    const engineering = page.locator('#engineering');
    // A status value in the engineering view, shown or not (both views update at once).
    const value = (module, name) =>
      engineering.getByRole('region', {name: module, exact: true, includeHidden: true})
          .locator(`dd[aria-label="${name}"]`);
    const link = () => page.getByRole('status', {name: 'connection', exact: true}).textContent();
    // Powers Display_1 by REST, past the panel, and waits for the panel to show it: its
    // bindings are live (bound again after a reconnect).
    const seenLive = async (on, after) => {
      const answer = await fetch(
          `http://127.0.0.1:${apiPort}/api/engine/v2/systems/sys-101/Display_1/power`,
          {method: 'POST', headers: {'X-API-Key': kAdminKey}, body: JSON.stringify({on})});
      if (!answer.ok) throw new Error(`power ${on} by REST: HTTP ${answer.status}`);
      await until(`Display_1 power ${on} after ${after}`, async () =>
        (await value('Display_1', 'power').textContent()) === String(on));
    };

    await step('the room view offers one button per configured source', async () => {
      await room.getByRole('button', {name: 'laptop', exact: true}).waitFor({timeout: kDeadline});
      await room.getByRole('button', {name: 'pc', exact: true}).waitFor({timeout: kDeadline});
      await room.getByRole('button', {name: 'Power on', exact: true}).waitFor({timeout: kDeadline});
    });

    await step('the room view says volume and mute are unknown until they are', async () => {
      const answer = await fetch(`http://127.0.0.1:${apiPort}/api/engine/v2/systems/sys-101/System_1`,
                                 {headers: {'X-API-Key': kAdminKey}});
      const known = await answer.json();
      if (known.volume !== null || known.mute !== null)
        throw new Error(`the room already knows volume ${known.volume} and mute ${known.mute}`);
      await until('volume and mute unknown in the room view', async () =>
        (await room.getByLabel('volume', {exact: true}).textContent()) === 'unknown' &&
        (await room.getByLabel('mute', {exact: true}).textContent()) === 'unknown');
    });

    await step('number fields carry the ranges the drivers declare', async () => {
      await page.getByRole('button', {name: 'Engineering', exact: true}).click();
      const range = async (module, method, param) => {
        const field = engineering.getByRole('region', {name: module, exact: true})
                          .getByRole('form', {name: method, exact: true})
                          .getByLabel(param, {exact: true});
        return `${await field.getAttribute('min')}..${await field.getAttribute('max')}`;
      };
      await until('System_1 volume level bounded', async () =>
        (await range('System_1', 'volume', 'level')) === '0..100');
      const output = await range('Switcher_1', 'tie', 'output');
      if (output !== '1..999') throw new Error(`tie's output field is bounded ${output}`);
      // Set within the range, the room view shows the volume it now knows.
      const form = engineering.getByRole('region', {name: 'System_1', exact: true})
                       .getByRole('form', {name: 'volume', exact: true});
      await form.getByLabel('level', {exact: true}).fill('30');
      await form.getByRole('button', {name: 'volume', exact: true}).click();
      await page.getByRole('button', {name: 'Room', exact: true}).click();
      await until('volume 30 in the room view', async () =>
        (await room.getByLabel('volume', {exact: true}).textContent()) === '30');
    });

    await step('power a display on from the engineering view', async () => {
      await page.getByRole('button', {name: 'Engineering', exact: true}).click();
      const display = engineering.getByRole('region', {name: 'Display_1', exact: true});
      await until('Display_1 connected', async () =>
        (await display.locator('.badge').textContent()) === 'connected');
      await until('Display_1 power false', async () =>
        (await value('Display_1', 'power').textContent()) === 'false');
      const form = display.getByRole('form', {name: 'power', exact: true});
      await form.getByLabel('on', {exact: true}).check();
      await form.getByRole('button', {name: 'power', exact: true}).click();
      await until('Display_1 power true', async () =>
        (await value('Display_1', 'power').textContent()) === 'true');
      await until('the exec result beside the form', async () =>
        (await form.locator('output').textContent()) !== '…');
    });

    await step('an error shows its code and message', async () => {
      const form = engineering.getByRole('region', {name: 'System_1', exact: true})
                       .getByRole('form', {name: 'present', exact: true});
      await form.getByLabel('source', {exact: true}).fill('nowhere');
      await form.getByRole('button', {name: 'present', exact: true}).click();
      await until('the error beside present', async () =>
        /code 1: .*unknown source "nowhere"/.test(await form.locator('output').textContent()));
    });

    await step('press a source in the room view and see the switcher ties change', async () => {
      await page.getByRole('button', {name: 'Room', exact: true}).click();
      await room.getByRole('button', {name: 'pc', exact: true}).click();
      await until('pc active in the room view', async () =>
        (await room.getByRole('button', {name: 'pc', exact: true}).getAttribute('aria-pressed')) === 'true');
      await until('Switcher_1 ties on input 2', async () =>
        tiedInputs(await value('Switcher_1', 'ties').textContent()) === '2');
      await room.getByRole('button', {name: 'laptop', exact: true}).click();
      await until('Switcher_1 ties on input 1', async () =>
        tiedInputs(await value('Switcher_1', 'ties').textContent()) === '1');
      // One binding, two views: the engineering view's System_1 shows the same source.
      await until('active_source in both views', async () =>
        (await value('System_1', 'active_source').textContent()) === 'laptop' &&
        (await room.getByLabel('active source').textContent()) === 'laptop');
    });

    await step('screenshots of both views', async () => {
      for (const [size, viewport] of [['desktop', {width: 1366, height: 900}],
                                      ['1024x600', {width: 1024, height: 600}]]) {
        await page.setViewportSize(viewport);
        await page.getByRole('button', {name: 'Room', exact: true}).click();
        await page.screenshot({path: join(work, `panel-room-${size}.png`)});
        await page.getByRole('button', {name: 'Engineering', exact: true}).click();
        await page.screenshot({path: join(work, `panel-engineering-${size}.png`)});
      }
      await page.setViewportSize({width: 1366, height: 900});
    });

    await step('set a log level and see debug lines arrive', async () => {
      const display = engineering.getByRole('region', {name: 'Display_1', exact: true});
      await display.getByLabel('log level', {exact: true}).selectOption('debug');
      await until('the level stored', async () => {
        const answer = await fetch(`http://127.0.0.1:${apiPort}/api/engine/v2/modules/mod-disp1/log_level`,
                                   {headers: {'X-API-Key': kAdminKey}});
        return (await answer.json()).level === 'debug';
      });
      await display.getByText('Debug console').click();
      const log = display.getByRole('log');
      await until('debug lines in Display_1\'s console', async () =>
        (await log.locator('.level-debug').count()) > 0);
      await display.getByLabel('log level', {exact: true}).selectOption('info');
    });

    await step('stop and restart roomd: the panel shows offline, then reconnects', async () => {
      await stop(box);
      await until('offline shown', async () => /offline/.test(await link()));
      box = await runRoomd(config);
      await until('online again', async () => (await link()) === 'online');
      await seenLive(false, 'the restart');
    });

    await step('the network drops: the panel shows offline, then reconnects', async () => {
      network.cut();
      // Nothing is closed: the panel notices by its heartbeat going unanswered.
      await until('offline shown while the network is down', async () =>
        /offline/.test(await link()), 2 * kDeadline);
      network.restore();
      await until('online again', async () => (await link()) === 'online', 2 * kDeadline);
      await seenLive(true, 'the drop');
    });

    await step('sign out forgets the key', async () => {
      await page.getByRole('button', {name: 'Sign out', exact: true}).click();
      await page.getByLabel('API key').waitFor({timeout: kDeadline});
      if (await page.evaluate(() => sessionStorage.length) !== 0)
        throw new Error('sessionStorage still holds the key');
      await page.reload();
      await page.getByLabel('API key').waitFor({timeout: kDeadline});
    });

    await step('a viewer key sees the state but no controls', async () => {
      await signIn(page, kViewerKey);
      await room.getByRole('group', {name: 'Sources', exact: true}).getByText('laptop', {exact: true}).waitFor({timeout: kDeadline});
      await page.getByRole('button', {name: 'Engineering', exact: true}).click();
      await until('Display_1 status shown', async () =>
        (await value('Display_1', 'power').textContent()) !== '…');
      const forms = await engineering.getByRole('form').count();
      const roomButtons = await room.getByRole('button').count();
      const levels = await engineering.getByLabel('log level', {exact: true}).count();
      if (forms || roomButtons || levels)
        throw new Error(`a viewer was offered ${forms} forms, ${roomButtons} room buttons, ` +
                        `${levels} log level controls`);
    });

    if (outside.length) throw new Error(`requests left the box: ${outside.join(', ')}`);
    const unexpected = problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load/.test(p));
    if (unexpected.length) throw new Error(`errors in the page: ${unexpected.join('\n')}`);
  } catch (error) {
    // What the page showed when it failed, for whoever reads the log.
    const page = browser.pages()[0];
    if (page) {
      await page.screenshot({path: join(work, 'panel-failure.png'), fullPage: true}).catch(() => {});
      console.error(`the page's text:\n${await page.locator('body').innerText().catch(() => '')}`);
    }
    throw error;
  } finally {
    await browser.close();
    network.close();
  }
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.log('FAILED');
  console.error(error.stack || String(error));
} finally {
  await processes.stopAll();
  rmSync(temp, {recursive: true, force: true});
}
console.log(`${steps.length} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
