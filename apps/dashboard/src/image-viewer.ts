import { h } from './dom.js';

/** A zone's box on the radiograph: its corners in fractions of the image's width and height (GraphQL Assessment.zoneBoxes). */
export interface ZoneBoxOutline {
  readonly zone: string;
  readonly corners: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

/** What the viewer shows: the display radiograph, optionally an overlay of the same geometry and the zone boxes. */
export interface ViewerImages {
  readonly radiograph: HTMLImageElement;
  readonly overlay: HTMLImageElement | null;
  readonly zoneBoxes?: readonly ZoneBoxOutline[];
}

/** The boxes' colour: saturated, so it never reads as anatomy on a grey radiograph. */
export const ZONE_BOX_COLOUR = '#ffd400';
/** Box lines and labels keep this size on screen whatever the zoom (canvas pixels). */
const BOX_LINE_PX = 2;
const BOX_LABEL_PX = 16;

/** The viewer's state, exposed for tests and for the controls. */
export interface ViewState {
  zoom: number;
  panX: number;
  panY: number;
  /** Window width and level on the 8-bit display values (256 / 128 = as stored). */
  window: number;
  level: number;
  overlayOpacity: number;
  showZoneBoxes: boolean;
}

const MIN_ZOOM = 1;
const MAX_ZOOM = 8;

/** The 8-bit display value after a linear window/level (DICOM PS3.3 C.11.2.1.2 style, on display values). */
export function applyWindow(value: number, window: number, level: number): number {
  const low = level - window / 2;
  return Math.max(0, Math.min(255, Math.round(((value - low) / Math.max(1, window)) * 255)));
}

/**
 * A canvas viewer: zoom (wheel or buttons, 1–8×, about the cursor), pan (drag), window/level sliders on
 * the radiograph, and the heat-map overlay blended with an opacity slider. The radiograph's pixels are
 * windowed through a lookup table, never resampled twice: the canvas draws them at the zoom asked for.
 * The six zone boxes (where the model scores each zone, carried by its alignment θ) are drawn over both
 * in the image's coordinates, so they follow zoom and pan; a checkbox hides them.
 */
export function imageViewer(images: ViewerImages): { element: HTMLElement; state: ViewState; setOverlay(image: HTMLImageElement | null): void } {
  const { radiograph } = images;
  let overlay = images.overlay;
  const zoneBoxes = images.zoneBoxes ?? [];
  const state: ViewState = { zoom: 1, panX: 0, panY: 0, window: 256, level: 128, overlayOpacity: 0.6, showZoneBoxes: zoneBoxes.length > 0 };
  const canvas = h('canvas', { 'data-testid': 'viewer-canvas', 'aria-label': 'Radiograph viewer' }) as HTMLCanvasElement;
  const windowed = document.createElement('canvas');
  let source: ImageData | null = null;

  const prepare = (): void => {
    canvas.width = radiograph.naturalWidth;
    canvas.height = radiograph.naturalHeight;
    windowed.width = radiograph.naturalWidth;
    windowed.height = radiograph.naturalHeight;
    const context = windowed.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    context.drawImage(radiograph, 0, 0);
    source = context.getImageData(0, 0, windowed.width, windowed.height);
  };

  const draw = (): void => {
    if (!source) return;
    const lut = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) lut[v] = applyWindow(v, state.window, state.level);
    const out = new ImageData(source.width, source.height);
    for (let i = 0; i < source.data.length; i += 4) {
      out.data[i] = lut[source.data[i]];
      out.data[i + 1] = lut[source.data[i + 1]];
      out.data[i + 2] = lut[source.data[i + 2]];
      out.data[i + 3] = 255;
    }
    windowed.getContext('2d')?.putImageData(out, 0, 0);
    const context = canvas.getContext('2d');
    if (!context) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.setTransform(state.zoom, 0, 0, state.zoom, state.panX, state.panY);
    context.imageSmoothingEnabled = state.zoom < 2;
    context.drawImage(windowed, 0, 0);
    if (overlay && overlay.complete && overlay.naturalWidth > 0 && state.overlayOpacity > 0) {
      context.globalAlpha = state.overlayOpacity;
      context.drawImage(overlay, 0, 0, canvas.width, canvas.height);
      context.globalAlpha = 1;
    }
    if (state.showZoneBoxes) drawZoneBoxes(context);
    canvas.dataset['zoom'] = String(state.zoom);
    canvas.dataset['panX'] = String(state.panX);
    canvas.dataset['panY'] = String(state.panY);
  };

  // In the image's coordinates (the zoom/pan transform is set), so the boxes follow the image.
  const drawZoneBoxes = (context: CanvasRenderingContext2D): void => {
    context.strokeStyle = ZONE_BOX_COLOUR;
    context.fillStyle = ZONE_BOX_COLOUR;
    context.lineWidth = BOX_LINE_PX / state.zoom;
    context.font = `${BOX_LABEL_PX / state.zoom}px sans-serif`;
    context.textBaseline = 'top';
    for (const box of zoneBoxes) {
      const points = box.corners.map((corner): [number, number] => [corner.x * canvas.width, corner.y * canvas.height]);
      if (points.length < 3) continue;
      context.beginPath();
      context.moveTo(...points[0]);
      for (const point of points.slice(1)) context.lineTo(...point);
      context.closePath();
      context.stroke();
      const inset = (BOX_LINE_PX + 3) / state.zoom;
      context.fillText(box.zone, points[0][0] + inset, points[0][1] + inset);
    }
  };

  const clampPan = (): void => {
    state.panX = Math.min(0, Math.max(canvas.width * (1 - state.zoom), state.panX));
    state.panY = Math.min(0, Math.max(canvas.height * (1 - state.zoom), state.panY));
  };
  const zoomAbout = (factor: number, cx: number, cy: number): void => {
    const next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, state.zoom * factor));
    state.panX = cx - ((cx - state.panX) * next) / state.zoom;
    state.panY = cy - ((cy - state.panY) * next) / state.zoom;
    state.zoom = next;
    clampPan();
    draw();
  };
  const toCanvas = (event: MouseEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * canvas.width, ((event.clientY - box.top) / box.height) * canvas.height];
  };
  canvas.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoomAbout(event.deltaY < 0 ? 1.25 : 0.8, ...toCanvas(event));
  });
  let drag: { x: number; y: number; panX: number; panY: number } | null = null;
  canvas.addEventListener('mousedown', (event) => {
    const [x, y] = toCanvas(event);
    drag = { x, y, panX: state.panX, panY: state.panY };
  });
  window.addEventListener('mouseup', () => (drag = null));
  canvas.addEventListener('mousemove', (event) => {
    if (!drag) return;
    const [x, y] = toCanvas(event);
    state.panX = drag.panX + (x - drag.x);
    state.panY = drag.panY + (y - drag.y);
    clampPan();
    draw();
  });

  const slider = (label: string, testId: string, min: number, max: number, value: number, onInput: (value: number) => void): HTMLElement => {
    const input = h('input', { type: 'range', min, max, value, 'data-testid': testId, 'aria-label': label }) as HTMLInputElement;
    input.addEventListener('input', () => {
      onInput(Number(input.value));
      draw();
    });
    return h('label', {}, `${label} `, input);
  };
  const checkbox = (label: string, testId: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement => {
    const input = h('input', { type: 'checkbox', checked, 'data-testid': testId, 'aria-label': label }) as HTMLInputElement;
    input.addEventListener('change', () => {
      onChange(input.checked);
      draw();
    });
    return h('label', {}, input, ` ${label}`);
  };
  const button = (text: string, testId: string, onClick: () => void): HTMLElement => {
    const element = h('button', { 'data-testid': testId, type: 'button' }, text);
    element.addEventListener('click', onClick);
    return element;
  };
  const centre = (): [number, number] => [canvas.width / 2, canvas.height / 2];
  const controls = h(
    'div',
    { class: 'viewer-controls' },
    button('+', 'zoom-in', () => zoomAbout(1.5, ...centre())),
    button('−', 'zoom-out', () => zoomAbout(1 / 1.5, ...centre())),
    button('reset', 'view-reset', () => {
      Object.assign(state, { zoom: 1, panX: 0, panY: 0, window: 256, level: 128 });
      element.querySelectorAll<HTMLInputElement>('input[data-testid=window]').forEach((input) => (input.value = '256'));
      element.querySelectorAll<HTMLInputElement>('input[data-testid=level]').forEach((input) => (input.value = '128'));
      draw();
    }),
    slider('window', 'window', 1, 256, state.window, (value) => (state.window = value)),
    slider('level', 'level', 0, 255, state.level, (value) => (state.level = value)),
    slider('overlay', 'overlay-opacity', 0, 100, state.overlayOpacity * 100, (value) => (state.overlayOpacity = value / 100)),
    ...(zoneBoxes.length > 0 ? [checkbox('zone boxes', 'zone-boxes', state.showZoneBoxes, (checked) => (state.showZoneBoxes = checked))] : []),
  );
  const element = h('div', { class: 'viewer', 'data-testid': 'viewer' }, canvas, controls);
  const start = (): void => {
    prepare();
    draw();
  };
  if (radiograph.complete && radiograph.naturalWidth > 0) start();
  else radiograph.addEventListener('load', start, { once: true });
  overlay?.addEventListener('load', draw);
  return {
    element,
    state,
    setOverlay(image): void {
      overlay = image;
      if (image && !(image.complete && image.naturalWidth > 0)) image.addEventListener('load', draw, { once: true });
      draw();
    },
  };
}
