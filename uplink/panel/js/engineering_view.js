// The engineering view, for the integrator: every system and module (connected or not), every
// status variable live, a form per method the key may call, and for admins each module's log
// level and a live debug console.
import {debugConsole} from './debug_console.js';
import {el, moduleKey, show} from './dom.js';
import {methodForm} from './method_form.js';

const kLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

// The module's status variables, each bound; `add` binds the names not shown yet (a module
// sets more once its device answers, so the names are read again when it connects).
function statusList(conn, sys, member) {
  const list = el('dl', {class: 'status'});
  const shown = new Set();
  const add = (names) => {
    for (const name of names.filter((n) => !shown.has(n)).sort()) {
      shown.add(name);
      const value = el('dd', {'aria-label': name}, '…');
      list.append(el('div', {class: 'variable'}, el('dt', {}, name), value));
      conn.bind(sys, member.name, member.index, name, (v) => {
        value.textContent = show(v);
      });
    }
  };
  return {list, add};
}

function logLevel(api, member, key) {
  const select = el('select', {'aria-label': 'log level', id: `level-${member.module_id}`},
                    kLevels.map((level) => el('option', {value: level}, level)));
  const note = el('output', {class: 'result', 'aria-label': `${key} log level result`});
  const shown = (levels) => {
    select.value = levels.level;
    note.className = 'result';
    note.textContent = levels.effective === levels.level ? '' : `effective ${levels.effective}`;
  };
  const failed = (error) => {
    note.className = 'result error';
    note.textContent = error.message;
  };
  api.logLevel(member.module_id).then(shown, failed);
  select.addEventListener('change', () => api.setLogLevel(member.module_id, select.value)
                                              .then(shown, failed));
  return el('div', {class: 'log-level'}, el('label', {for: select.id}, 'log level'), select, note);
}

async function moduleBody(context, sys, member, key, body, status) {
  const {api, conn, role} = context;
  status.add(Object.keys(await api.state(sys, key)));
  if (role === 'viewer') return;
  const functions = await api.functions(sys, key);
  const exec = (method, args) => conn.exec(sys, member.name, member.index, method, args);
  const forms = Object.entries(functions)
                    .filter(([, f]) => role === 'admin' || !f.privileged)
                    .map(([name, f]) => methodForm(name, f, exec));
  if (forms.length) body.append(el('div', {class: 'methods'}, forms));
  if (role !== 'admin') return;
  body.append(logLevel(api, member, key),
              debugConsole(key, (listener) =>
                                    conn.debug(sys, member.name, member.index, listener)));
}

function moduleRegion(context, sys, member) {
  const key = moduleKey(member.name, member.index);
  const status = statusList(context.conn, sys, member);
  const readNames = () =>
    context.api.state(sys, key).then((state) => status.add(Object.keys(state)), () => {});
  context.conn.addEventListener('executed', () => setTimeout(readNames, 200));
  const badge = el('span', {class: 'badge', 'aria-label': `${key} connection`}, '…');
  context.conn.bind(sys, member.name, member.index, 'connected', (connected) => {
    badge.textContent = connected ? 'connected' : 'offline';
    badge.classList.toggle('warn', !connected);
    if (connected) readNames();
  });
  const body = el('div', {class: 'module-body'}, status.list);
  moduleBody(context, sys, member, key, body, status).catch((error) => {
    body.append(el('p', {class: 'error', role: 'alert'}, `${key}: ${error.message}`));
  });
  return el('section', {class: 'module card', 'aria-label': key},
            el('h3', {}, key, ' ', badge),
            el('p', {class: 'about'}, `${member.module_id} · ${member.driver}`), body);
}

// systems: the answers of GET /systems/{id}.
export function renderEngineering(container, context, systems) {
  container.replaceChildren(...systems.map(
      (system) => el('section', {class: 'system', 'aria-label': system.name},
                     el('h2', {}, `${system.name} `, el('small', {}, system.id)),
                     system.modules.map((member) => moduleRegion(context, system.id, member)))));
}
