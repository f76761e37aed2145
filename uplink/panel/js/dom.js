// A tiny element builder: el('button', {class: 'big', onclick: f}, 'Power on').
// Attributes starting with "on" become listeners; null and false attributes are left out.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A value as a person reads it: strings bare, everything else as JSON.
export function show(value) {
  if (value === undefined) return '…';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// "Display_1" from a module's generic name and index.
export function moduleKey(name, index) {
  return `${name}_${index}`;
}
