// The panel's one WebSocket to the box (protocol.md): requests answered by id, bindings
// shared by every view (the box notifies a variable once per connection, under the first
// bind's id, so notifies are routed by their meta, not by id), debug streams, and a reconnect
// with backoff that binds everything again once the box is back. A network that drops without
// closing anything (a pulled cable, a switch rebooting) is noticed by silence: the panel pings
// every kHeartbeat and the box answers, so nothing heard for kSilence means the link is gone.
const kMinDelay = 500;
const kMaxDelay = 5000;
const kHeartbeat = 3000;
const kSilence = 8000;

function variableKey(sys, mod, index, name) {
  return `${sys}/${mod}/${index}/${name}`;
}

export class Connection extends EventTarget {
  constructor(key) {
    super();
    this.key = key;
    this.online = false;
    this.stopped = false;
    this.delay = kMinDelay;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject}
    this.bindings = new Map();  // variable key -> {target, listeners, value}
    this.debugs = new Map();    // module key -> {target, listeners}
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/api/engine/v2/systems/control` +
                `?api-key=${encodeURIComponent(this.key)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.heard = Date.now();
    socket.addEventListener('open', () => this.opened(socket));
    socket.addEventListener('message', (event) => {
      socket.heard = Date.now();
      this.receive(event.data);
    });
    socket.addEventListener('close', () => this.closed(socket));
    // Also while connecting: a handshake a dead network leaves hanging is given up the same way.
    socket.watch = setInterval(() => this.check(socket), kHeartbeat);
  }

  check(socket) {
    if (Date.now() - socket.heard > kSilence) {
      // The browser may wait minutes for the close handshake: go offline and retry now.
      this.closed(socket);
      socket.close();
    } else if (socket.readyState === WebSocket.OPEN) {
      socket.send('ping');
    }
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.socket) this.socket.close(1000);
  }

  opened(socket) {
    if (socket !== this.socket) return;
    socket.heard = Date.now();
    this.online = true;
    this.delay = kMinDelay;
    for (const binding of this.bindings.values()) this.sendBind(binding.target);
    for (const debug of this.debugs.values()) this.sendDebug(debug.target);
    this.dispatchEvent(new Event('online'));
  }

  closed(socket) {
    clearInterval(socket.watch);
    if (socket !== this.socket || socket.gone) return;
    socket.gone = true;
    const wasOnline = this.online;
    this.online = false;
    for (const {reject} of this.pending.values()) reject(new Error('the box is offline'));
    this.pending.clear();
    if (wasOnline || this.stopped) this.dispatchEvent(new Event('offline'));
    if (this.stopped) return;
    this.retry = setTimeout(() => this.open(), this.delay);
    this.delay = Math.min(this.delay * 2, kMaxDelay);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;  // "pong" and the like
    }
    const meta = message.meta || {};
    if (message.type === 'notify') {
      const binding = this.bindings.get(variableKey(meta.sys, meta.mod, meta.index, meta.name));
      if (!binding) return;
      binding.value = message.value;
      for (const listener of binding.listeners) listener(message.value);
      return;
    }
    if (message.type === 'debug') {
      const debug = this.debugs.get(variableKey(meta.sys, meta.mod, meta.index, ''));
      if (debug) for (const listener of debug.listeners) listener(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.type === 'error') {
      const error = new Error(`code ${message.code}: ${message.msg}`);
      error.code = message.code;
      waiting.reject(error);
    } else {
      waiting.resolve(message.value === undefined ? null : message.value);
    }
  }

  request(message) {
    if (!this.online) return Promise.reject(new Error('the box is offline'));
    const id = this.nextId++;
    this.socket.send(JSON.stringify({id, ...message}));
    return new Promise((resolve, reject) => this.pending.set(id, {resolve, reject}));
  }

  sendBind(target) {
    this.request({cmd: 'bind', ...target}).catch(() => {});
  }

  sendDebug(target) {
    this.request({cmd: 'debug', sys: target.sys, mod: target.mod, index: target.index})
        .catch(() => {});
  }

  // Calls listener(value) with the current value, then on every change, until the returned
  // function is called.
  bind(sys, mod, index, name, listener) {
    const key = variableKey(sys, mod, index, name);
    let binding = this.bindings.get(key);
    if (!binding) {
      binding = {target: {sys, mod, index, name}, listeners: new Set(), value: undefined};
      this.bindings.set(key, binding);
      if (this.online) this.sendBind(binding.target);
    } else if (binding.value !== undefined) {
      listener(binding.value);
    }
    binding.listeners.add(listener);
    return () => {
      binding.listeners.delete(listener);
      if (binding.listeners.size > 0) return;
      this.bindings.delete(key);
      if (this.online) this.request({cmd: 'unbind', ...binding.target}).catch(() => {});
    };
  }

  // Resolves with the method's value; then tells the views ('executed'), since a method may
  // make a module set variables it had not set before.
  exec(sys, mod, index, name, args) {
    const done = this.request({cmd: 'exec', sys, mod, index, name, args});
    const executed = () => this.dispatchEvent(new Event('executed'));
    done.then(executed, executed);
    return done;
  }

  // Streams the module's debug records to listener(record) until the returned function is
  // called (admin keys only).
  debug(sys, mod, index, listener) {
    const key = variableKey(sys, mod, index, '');
    let debug = this.debugs.get(key);
    if (!debug) {
      debug = {target: {sys, mod, index}, listeners: new Set()};
      this.debugs.set(key, debug);
      if (this.online) this.sendDebug(debug.target);
    }
    debug.listeners.add(listener);
    return () => {
      debug.listeners.delete(listener);
      if (debug.listeners.size > 0) return;
      this.debugs.delete(key);
      if (this.online) this.request({cmd: 'ignore', sys, mod, index}).catch(() => {});
    };
  }
}
