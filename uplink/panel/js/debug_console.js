// A module's live debug console (admins): its log records, device traffic included, coloured
// by level, capped at 2,000 lines, pausable. Streams while it is open.
import {el} from './dom.js';

const kMaxLines = 2000;

function line(record) {
  const time = new Date((record.time || Date.now() / 1000) * 1000).toISOString().slice(11, 23);
  return el('div', {class: `line level-${record.level}`}, `${time} ${record.level} ${record.msg}`);
}

function trim(node) {
  while (node.childElementCount > kMaxLines) node.firstElementChild.remove();
}

export function debugConsole(key, subscribe) {
  const log = el('div', {class: 'console', role: 'log', 'aria-label': `${key} debug console`});
  const held = [];
  let paused = false;
  let stop = null;
  const pause = el('button', {type: 'button', 'aria-pressed': 'false'}, 'Pause');
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      log.append(...held.splice(0));
      trim(log);
      log.scrollTop = log.scrollHeight;
    }
  });
  const clear = el('button', {type: 'button'}, 'Clear');
  clear.addEventListener('click', () => log.replaceChildren());
  const details = el('details', {class: 'debug'}, el('summary', {}, 'Debug console'),
                     el('div', {class: 'console-tools'}, pause, clear), log);
  details.addEventListener('toggle', () => {
    if (details.open && !stop) {
      stop = subscribe((record) => {
        if (paused) {
          held.push(line(record));
          if (held.length > kMaxLines) held.shift();
          return;
        }
        const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
        log.append(line(record));
        trim(log);
        if (atBottom) log.scrollTop = log.scrollHeight;
      });
    } else if (!details.open && stop) {
      stop();
      stop = null;
    }
  });
  return details;
}
