// The room view, for the people in the room on a 10-inch touch panel: per system, the System
// module's power, one button per source, volume and mute as large controls, with the room's
// state and its offline devices updating live. A viewer key sees the state, no controls.
import {el, show} from './dom.js';

// Shows a room variable, or `absent` in muted type while it has no value: the room publishes
// null for what it does not know yet (no volume set, a switcher that has not reported one).
function showKnown(output, value, absent) {
  const known = value !== null && value !== undefined;
  output.textContent = known ? show(value) : absent;
  output.classList.toggle('unknown', !known);
}

function roomCard(conn, system, mayControl, report) {
  const {sys, index} = system;
  const bind = (name, listener) => conn.bind(sys, 'System', index, name, listener);
  const run = (method, args) =>
      conn.exec(sys, 'System', index, method, args)
          .then(() => report(''), (error) => report(`${method} failed: ${error.message}`));

  const state = el('output', {'aria-label': 'state'}, '…');
  const source = el('output', {'aria-label': 'active source'}, '…');
  const volume = el('output', {'aria-label': 'volume', class: 'unknown'}, 'unknown');
  const mute = el('output', {'aria-label': 'mute', class: 'unknown'}, 'unknown');
  const offline = el('p', {class: 'offline-devices', 'aria-label': 'offline devices'});
  const sources = el('div', {class: 'sources', role: 'group', 'aria-label': 'Sources'});
  const controls = [];

  bind('state', (value) => { state.textContent = show(value); });
  bind('volume', (value) => showKnown(volume, value, 'unknown'));
  bind('mute', (value) => {
    showKnown(mute, value, 'unknown');
    for (const button of controls.filter((c) => c.dataset.mute)) {
      button.setAttribute('aria-pressed', value === true ? 'true' : 'false');
    }
  });
  bind('devices', (devices) => {
    const names = Object.entries(devices || {}).filter(([, d]) => !d.connected).map(([k]) => k);
    offline.textContent = names.length ? `Offline: ${names.join(', ')}` : 'All devices online';
    offline.classList.toggle('warn', names.length > 0);
  });
  let active = null;
  const markActive = () => {
    showKnown(source, active, 'none');
    for (const button of sources.children) {
      const on = button.dataset.source === active;
      button.setAttribute(button.tagName === 'BUTTON' ? 'aria-pressed' : 'aria-current',
                          on ? 'true' : 'false');
    }
  };
  bind('active_source', (value) => {
    active = value;
    markActive();
  });
  bind('sources', (names) => {
    sources.replaceChildren(...(names || []).map((name) => mayControl
        ? el('button', {type: 'button', class: 'big source', 'data-source': name,
                        onclick: () => run('present', {source: name})}, name)
        : el('span', {class: 'source', 'data-source': name}, name)));
    markActive();
  });

  const children = [
    el('h2', {}, system.name),
    el('dl', {class: 'room-state'},
       el('dt', {}, 'State'), el('dd', {}, state),
       el('dt', {}, 'Source'), el('dd', {}, source),
       el('dt', {}, 'Volume'), el('dd', {}, volume),
       el('dt', {}, 'Mute'), el('dd', {}, mute)),
    offline,
  ];
  if (mayControl) {
    const slider = el('input', {type: 'range', min: 0, max: 100, step: 1, id: `volume-${sys}`,
                                onchange: (e) => run('volume', {level: Number(e.target.value)})});
    bind('volume', (value) => { if (typeof value === 'number') slider.value = value; });
    const muteButton = el('button', {type: 'button', class: 'big', 'data-mute': 'yes',
                                     'aria-pressed': 'false',
                                     onclick: () => run('mute', {on: mute.textContent !== 'true'})},
                          'Mute');
    controls.push(muteButton);
    children.push(
        el('div', {class: 'power', role: 'group', 'aria-label': 'Power'},
           el('button', {type: 'button', class: 'big', onclick: () => run('power', {on: true})},
              'Power on'),
           el('button', {type: 'button', class: 'big', onclick: () => run('power', {on: false})},
              'Power off')),
        sources,
        el('div', {class: 'volume'}, el('label', {for: `volume-${sys}`}, 'Volume'), slider,
           muteButton));
  } else {
    children.push(sources);
  }
  return el('section', {class: 'card', 'aria-label': system.name}, children);
}

// systems: [{sys, name, index}] of the systems that have a System module.
export function renderRoom(container, conn, systems, mayControl) {
  const message = el('p', {class: 'error', role: 'alert'});
  const report = (text) => { message.textContent = text; };
  container.replaceChildren(
      message,
      ...(systems.length ? systems.map((s) => roomCard(conn, s, mayControl, report))
                         : [el('p', {}, 'None of your systems has a System module.')]));
}
