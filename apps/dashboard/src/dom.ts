/** Tiny element builder: text is always set as text (never parsed as HTML). */
export function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Array<Node | string | null | undefined>): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    // Through CSSOM: the Content-Security-Policy (style-src 'self') refuses inline style attributes.
    if (name === 'style') element.style.cssText = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/** Score colours: 0–18 global scores on a green → red scale. */
export function scoreBadge(score: number): HTMLElement {
  const hue = Math.round(120 - (Math.min(18, Math.max(0, score)) / 18) * 120);
  return h('span', { class: 'score', style: `background:hsl(${hue} 70% 38%)`, 'data-testid': 'score' }, String(score));
}

export function formatDate(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
