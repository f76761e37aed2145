// The panel's entry point: sign in with an API key (kept in sessionStorage, for this browser
// tab's session only), learn what the key may see from the API, then show the room and
// engineering views over one connection. Signing out forgets the key.
import {Api} from './api.js';
import {Connection} from './connection.js';
import {renderEngineering} from './engineering_view.js';
import {renderRoom} from './room_view.js';

const kStorage = 'roomd-api-key';
const $ = (id) => document.getElementById(id);

let session = null;  // {conn}

function showView(name) {
  for (const view of ['room', 'engineering']) {
    $(view).hidden = view !== name;
    $(`show-${view}`).setAttribute('aria-pressed', String(view === name));
  }
}

function setLink(online) {
  $('link').textContent = online ? 'online' : 'offline: reconnecting…';
  document.body.classList.toggle('offline', !online);
}

async function start(key) {
  const api = new Api(key);
  const grant = await api.inspect();
  const list = await api.systems();
  const systems = await Promise.all(list.map((s) => api.system(s.id)));
  sessionStorage.setItem(kStorage, key);

  const conn = new Connection(key);
  session = {conn};
  conn.addEventListener('online', () => setLink(true));
  conn.addEventListener('offline', () => setLink(false));
  const role = grant.role;
  const rooms = [];
  for (const system of systems) {
    const room = system.modules.find((m) => m.name === 'System');
    if (room) rooms.push({sys: system.id, name: system.name, index: room.index});
  }
  renderRoom($('room'), conn, rooms, role !== 'viewer');
  renderEngineering($('engineering'), {api, conn, role}, systems);
  conn.open();

  $('who').textContent = `${grant.id} (${role})`;
  $('sign-in').hidden = true;
  $('views').hidden = false;
  $('sign-out').hidden = false;
  setLink(false);
  showView('room');
}

function signOut() {
  sessionStorage.removeItem(kStorage);
  if (session) session.conn.close();
  session = null;
  for (const id of ['room', 'engineering']) {
    $(id).replaceChildren();
    $(id).hidden = true;
  }
  $('views').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('link').textContent = '';
  document.body.classList.remove('offline');
  $('api-key').value = '';
  $('sign-in').hidden = false;
}

async function signIn(key) {
  $('sign-in-error').textContent = '';
  try {
    await start(key);
  } catch (error) {
    sessionStorage.removeItem(kStorage);
    $('sign-in-error').textContent = error.status === 401
        ? 'Sign in failed: the box does not know this API key.'
        : `Sign in failed: ${error.message}`;
  }
}

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($('api-key').value.trim());
});
$('sign-out').addEventListener('click', signOut);
$('show-room').addEventListener('click', () => showView('room'));
$('show-engineering').addEventListener('click', () => showView('engineering'));

const saved = sessionStorage.getItem(kStorage);
if (saved) signIn(saved);
