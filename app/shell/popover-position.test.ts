import { describe, expect, it } from 'vitest';
import { displayFor, popoverBounds, type DisplayArea, type Rect } from './popover-position.js';

// A 1512x982 MacBook display: 37 px menu bar (notch), Dock at the bottom.
const laptop: DisplayArea = {
  bounds: { x: 0, y: 0, width: 1512, height: 982 },
  workArea: { x: 0, y: 37, width: 1512, height: 870 },
};
// An external 2560x1440 display to the left of it, its top 200 px higher.
const external: DisplayArea = {
  bounds: { x: -2560, y: -200, width: 2560, height: 1440 },
  workArea: { x: -2560, y: -175, width: 2560, height: 1415 },
};
const size = { width: 360, height: 520 };
const icon = (x: number, y = 0, w = 24, h = 37): Rect => ({ x, y, width: w, height: h });

describe('popoverBounds', () => {
  it('centres the popover under an icon in the middle of the menu bar', () => {
    const b = popoverBounds(icon(1000), size, [laptop]);
    expect(b).toEqual({ x: 1000 + 12 - 180, y: 37 + 4, width: 360, height: 520 });
  });

  it('keeps the popover inside the work area when the icon is at the far right', () => {
    const b = popoverBounds(icon(1490), size, [laptop]);
    expect(b.x).toBe(1512 - 8 - 360);
    expect(b.x + b.width).toBeLessThanOrEqual(1512);
  });

  it('keeps the popover inside the work area when the icon is at the far left', () => {
    expect(popoverBounds(icon(2), size, [laptop]).x).toBe(8);
  });

  it('never overlaps the menu bar even when the icon reports a shorter height', () => {
    expect(popoverBounds(icon(700, 0, 22, 22), size, [laptop]).y).toBe(37);
  });

  it('places the popover on the display that holds the icon', () => {
    const onExternal = popoverBounds(icon(-300, -200, 24, 25), size, [laptop, external]);
    expect(onExternal).toEqual({ x: -300 + 12 - 180, y: -200 + 25 + 4, width: 360, height: 520 });
    const onLaptop = popoverBounds(icon(800), size, [external, laptop]);
    expect(onLaptop.x).toBe(800 + 12 - 180);
    expect(onLaptop.y).toBe(41);
  });

  it('clamps to the right edge of a display that is not the rightmost', () => {
    const b = popoverBounds(icon(-20, -200, 24, 25), size, [laptop, external]);
    expect(b.x).toBe(-8 - 360);
  });

  it('opens upwards from an icon in a bottom panel', () => {
    const panel: DisplayArea = {
      bounds: { x: 0, y: 0, width: 1920, height: 1080 },
      workArea: { x: 0, y: 0, width: 1920, height: 1040 },
    };
    const b = popoverBounds(icon(1800, 1045, 24, 30), size, [panel]);
    expect(b.y + b.height).toBe(1040);
    expect(b.x).toBe(1920 - 8 - 360);
  });

  it('shrinks a popover taller than the work area', () => {
    const small: DisplayArea = {
      bounds: { x: 0, y: 0, width: 800, height: 400 },
      workArea: { x: 0, y: 25, width: 800, height: 375 },
    };
    const b = popoverBounds(icon(400, 0, 24, 25), size, [small]);
    expect(b.height).toBe(375 - 16);
    expect(b.y).toBeGreaterThanOrEqual(25);
    expect(b.y + b.height).toBeLessThanOrEqual(400);
  });

  it('uses the cursor when the tray reports empty bounds', () => {
    const b = popoverBounds({ x: 0, y: 0, width: 0, height: 0 }, size, [laptop, external], {
      cursor: { x: -1000, y: -190 },
    });
    expect(b.x).toBe(-1000 - 180);
    expect(b.y).toBe(-175);
  });

  it('falls back to the top right of the first display without bounds or cursor', () => {
    const b = popoverBounds({ x: 0, y: 0, width: 0, height: 0 }, size, [laptop]);
    expect(b).toEqual({ x: 1512 - 8 - 360, y: 37 + 4, width: 360, height: 520 });
  });

  it('refuses to place anything without a display', () => {
    expect(() => popoverBounds(icon(10), size, [])).toThrow(/no display/);
  });
});

describe('displayFor', () => {
  it('picks the nearest display for a point between displays', () => {
    expect(displayFor({ x: 1600, y: 10 }, [external, laptop])).toBe(laptop);
    expect(displayFor({ x: -3000, y: 0 }, [laptop, external])).toBe(external);
  });
});
