// Where the popover goes: centred under the tray icon, on the display that holds the icon, kept inside
// that display's work area (menu bar and Dock excluded). Pure, so every edge is tested.

export interface Point {
  x: number;
  y: number;
}

export interface Rect extends Point {
  width: number;
  height: number;
}

export interface DisplayArea {
  /** the whole display, in global screen coordinates */
  bounds: Rect;
  /** the part windows may use */
  workArea: Rect;
}

export interface PlacementOptions {
  /** space between the icon and the popover */
  gap?: number;
  /** space kept free at the work area's edges */
  margin?: number;
  /** used when the tray reports no bounds (some Linux desktops do) */
  cursor?: Point;
}

export function popoverBounds(
  anchor: Rect,
  size: { width: number; height: number },
  displays: readonly DisplayArea[],
  opts: PlacementOptions = {},
): Rect {
  const first = displays[0];
  if (!first) throw new Error('no display to place the popover on');
  const gap = opts.gap ?? 4;
  const margin = opts.margin ?? 8;
  const icon = usableAnchor(anchor, opts.cursor, first);
  const centre = { x: icon.x + icon.width / 2, y: icon.y + icon.height / 2 };
  const display = displayFor(centre, displays);
  const wa = display.workArea;

  const width = Math.min(size.width, Math.max(0, wa.width - 2 * margin));
  const height = Math.min(size.height, Math.max(0, wa.height - 2 * margin));
  // An icon in the lower half of its display sits in a bottom panel: open upwards.
  const below = centre.y < display.bounds.y + display.bounds.height / 2;
  const x = clamp(centre.x - width / 2, wa.x + margin, wa.x + wa.width - margin - width);
  const wantedY = below ? icon.y + icon.height + gap : icon.y - gap - height;
  // Under the menu bar the popover touches the work area's top, not the margin below it.
  const top = below ? wa.y : wa.y + margin;
  const bottom = below ? wa.y + wa.height - margin - height : wa.y + wa.height - height;
  const y = clamp(wantedY, top, bottom);
  return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) };
}

function usableAnchor(anchor: Rect, cursor: Point | undefined, fallback: DisplayArea): Rect {
  if (anchor.width > 0 && anchor.height > 0) return anchor;
  if (cursor) return { x: cursor.x, y: cursor.y, width: 0, height: 0 };
  // No icon position and no cursor: the top right corner of the first display, where macOS puts icons.
  const wa = fallback.workArea;
  return { x: wa.x + wa.width - 1, y: wa.y, width: 0, height: 0 };
}

/** The display containing the point, else the nearest one. */
export function displayFor(p: Point, displays: readonly DisplayArea[]): DisplayArea {
  let best: DisplayArea | undefined;
  let bestDistance = Infinity;
  for (const d of displays) {
    const b = d.bounds;
    const dx = Math.max(b.x - p.x, 0, p.x - (b.x + b.width - 1));
    const dy = Math.max(b.y - p.y, 0, p.y - (b.y + b.height - 1));
    const distance = dx * dx + dy * dy;
    if (distance < bestDistance) {
      best = d;
      bestDistance = distance;
    }
  }
  if (!best) throw new Error('no display to place the popover on');
  return best;
}

function clamp(v: number, min: number, max: number): number {
  // When the window is wider than the space, it starts at the space's start.
  return Math.max(min, Math.min(v, max));
}
