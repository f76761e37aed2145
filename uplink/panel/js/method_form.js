// A form for one method of a module, built from the functions endpoint: a checkbox for a
// boolean, a number field for a number (bounded by the method's "ranges" when the driver
// declares one), text for a string, JSON for anything else; the result or the error (code and
// message) is shown beside the button.
import {el, show} from './dom.js';

let nextField = 0;

function field(name, spec, range) {
  const [type, ...rest] = spec;
  const hasDefault = rest.length > 0;
  const fallback = rest[0];
  const id = `field-${nextField++}`;
  let input;
  let read;
  if (type === 'boolean') {
    input = el('input', {id, type: 'checkbox', checked: fallback === true});
    read = () => input.checked;
  } else if (type === 'integer' || type === 'number') {
    input = el('input', {id, type: 'number', step: type === 'integer' ? 1 : 'any',
                         min: range ? range[0] : null, max: range ? range[1] : null,
                         value: typeof fallback === 'number' ? fallback : null});
    read = () => (input.value === '' ? undefined : Number(input.value));
  } else if (type === 'string') {
    input = el('input', {id, type: 'text', value: typeof fallback === 'string' ? fallback : null});
    read = () => (input.value === '' && hasDefault ? undefined : input.value);
  } else {
    input = el('textarea', {id, rows: 2, spellcheck: 'false', placeholder: type},
               hasDefault && fallback !== null ? JSON.stringify(fallback) : '');
    read = () => (input.value.trim() === '' ? undefined : JSON.parse(input.value));
  }
  const bounds = range ? ` from ${range[0]} to ${range[1]}` : '';
  const title = `${type}${bounds}${hasDefault ? `, default ${show(fallback)}` : ''}`;
  const label = el('label', {for: id, title}, name);
  return {node: el('span', {class: 'field'}, label, input), read};
}

export function methodForm(name, description, exec) {
  const fields = description.order.map(
      (param) => ({param, ...field(param, description.params[param],
                                   (description.ranges || {})[param])}));
  const result = el('output', {class: 'result', 'aria-label': `${name} result`});
  const form = el('form', {class: 'method', 'aria-label': name, title: description.description},
                  fields.map((f) => f.node), el('button', {type: 'submit'}, name), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const args = {};
    try {
      for (const f of fields) {
        const value = f.read();
        if (value !== undefined) args[f.param] = value;
      }
    } catch (error) {
      result.className = 'result error';
      result.textContent = `bad JSON: ${error.message}`;
      return;
    }
    result.className = 'result';
    result.textContent = '…';
    try {
      result.textContent = show(await exec(name, args));
    } catch (error) {
      result.className = 'result error';
      result.textContent = error.message;
    }
  });
  return form;
}
