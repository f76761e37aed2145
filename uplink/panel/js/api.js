// REST calls to the box with the signed-in key (X-API-Key). A failure throws an Error whose
// message is the box's own ("code 2: …") so the panel can say why.
export class Api {
  constructor(key) {
    this.key = key;
  }

  async request(method, path, body) {
    const options = {method, headers: {'X-API-Key': this.key}};
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const error = new Error(json && json.msg ? `code ${json.code}: ${json.msg}`
                                               : `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  inspect() { return this.request('GET', '/api/engine/v2/api_keys/inspect'); }
  systems() { return this.request('GET', '/api/engine/v2/systems'); }
  system(id) { return this.request('GET', `/api/engine/v2/systems/${encodeURIComponent(id)}`); }
  state(sys, key) {
    return this.request('GET', `/api/engine/v2/systems/${encodeURIComponent(sys)}/${key}`);
  }
  functions(sys, key) {
    return this.request('GET',
                        `/api/engine/v2/systems/${encodeURIComponent(sys)}/functions/${key}`);
  }
  logLevel(moduleId) {
    return this.request('GET', `/api/engine/v2/modules/${encodeURIComponent(moduleId)}/log_level`);
  }
  setLogLevel(moduleId, level) {
    return this.request('PUT', `/api/engine/v2/modules/${encodeURIComponent(moduleId)}/log_level`,
                        {level});
  }
}
