// The tray's template icons (black with alpha; macOS tints them for light and dark menu bars) and
// the app icon, drawn from a few shapes on a 16-unit grid with supersampled edges. Deterministic:
// scripts/make-icons.ts writes them to assets/ and build/, and a test checks the files match.
import type { RgbaImage } from './png.js';
import { TRAY_STATES, trayIconName, type TrayState } from './tray-state.js';

type Inside = (x: number, y: number) => boolean;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Inside {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function segment(ax: number, ay: number, bx: number, by: number, width: number): Inside {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (width / 2) ** 2;
  };
}

function triangle(pts: [number, number, number, number, number, number]): Inside {
  const [ax, ay, bx, by, cx, cy] = pts;
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) =>
    (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const s1 = side(ax, ay, bx, by, x, y);
    const s2 = side(bx, by, cx, cy, x, y);
    const s3 = side(cx, cy, ax, ay, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
}

function circle(cx: number, cy: number, r: number): Inside {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const any =
  (...shapes: Inside[]): Inside =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus =
  (a: Inside, b: Inside): Inside =>
  (x, y) =>
    a(x, y) && !b(x, y);

// The glyph: a box (the cache) with a down arrow (pulls through it).
const boxOuter = roundedRect(1.5, 2, 14.5, 14, 2.5);
const boxInner = roundedRect(3, 3.5, 13, 12.5, 1.2);
const boxOutline = minus(boxOuter, boxInner);
const arrow = any(segment(8, 4.8, 8, 8.6, 1.7), triangle([4.9, 7.9, 11.1, 7.9, 8, 11.3]));

const GLYPHS: Record<TrayState, Inside> = {
  // Filled: the one state where everything works.
  running: minus(boxOuter, arrow),
  stopped: any(boxOutline, roundedRect(5.5, 5.5, 10.5, 10.5, 0.8)),
  starting: any(boxOutline, circle(5.3, 8, 1.05), circle(8, 8, 1.05), circle(10.7, 8, 1.05)),
  error: any(boxOutline, segment(8, 5, 8, 8.4, 1.8), circle(8, 10.6, 1.05)),
  offline: any(minus(boxOutline, segment(1, 15, 15, 1, 3.6)), segment(1.6, 14.4, 14.4, 1.6, 1.5)),
};

/** Draws `inside` (16-unit grid) at `size` pixels, returning coverage 0..1 per pixel. */
function coverage(inside: Inside, size: number, samples: number, grid = 16): Float32Array {
  const out = new Float32Array(size * size);
  const scale = grid / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) * scale;
          const y = (py + (sy + 0.5) / samples) * scale;
          if (inside(x, y)) hits++;
        }
      }
      out[py * size + px] = hits / (samples * samples);
    }
  }
  return out;
}

export function trayIcon(state: TrayState, scale: 1 | 2): RgbaImage {
  const size = 16 * scale;
  const cov = coverage(GLYPHS[state], size, 8);
  const data = new Uint8Array(size * size * 4);
  for (let i = 0; i < cov.length; i++) data[i * 4 + 3] = Math.round((cov[i] ?? 0) * 255);
  return { width: size, height: size, data };
}

/** Every tray icon file: `assets/<name>.png` and `assets/<name>@2x.png`. */
export function trayIconFiles(): { file: string; image: () => RgbaImage }[] {
  return TRAY_STATES.flatMap((state) => [
    { file: `${trayIconName(state)}.png`, image: () => trayIcon(state, 1) },
    { file: `${trayIconName(state)}@2x.png`, image: () => trayIcon(state, 2) },
  ]);
}

/** The 1024 px app icon: a blue rounded square (Apple's 824 px grid) with the glyph in white. */
export function appIcon(size = 1024): RgbaImage {
  const unit = size / 1024;
  const inset = 100 * unit;
  const plate = roundedRect(inset, inset, size - inset, size - inset, 185 * unit);
  // The glyph in the middle 560 px, on its 16-unit grid.
  const g = 560 * unit;
  const origin = (size - g) / 2;
  const glyph = any(boxOutline, arrow);
  const plateCov = coverage((x, y) => plate(x, y), size, 3, size);
  const glyphCov = coverage((x, y) => glyph(((x - origin) / g) * 16, ((y - origin) / g) * 16), size, 3, size);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    const t = y / size;
    // #2f6fe4 at the top to #1d3f9e at the bottom
    const top = [0x2f, 0x6f, 0xe4];
    const bottom = [0x1d, 0x3f, 0x9e];
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const w = glyphCov[i] ?? 0;
      for (let c = 0; c < 3; c++) {
        const bg = (top[c] ?? 0) * (1 - t) + (bottom[c] ?? 0) * t;
        data[i * 4 + c] = Math.round(bg * (1 - w) + 255 * w);
      }
      data[i * 4 + 3] = Math.round((plateCov[i] ?? 0) * 255);
    }
  }
  return { width: size, height: size, data };
}
