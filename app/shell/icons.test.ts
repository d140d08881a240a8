import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { appIcon, trayIcon, trayIconFiles } from './icons.js';
import { decodePng, encodePng } from './png.js';
import { TRAY_STATES, trayIconName } from './tray-state.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => decodePng(readFileSync(new URL(path, root)));

describe('tray icons in assets/', () => {
  it('has a 16 px and a 32 px (@2x) template image for every tray state', () => {
    for (const state of TRAY_STATES) {
      expect(read(`assets/${trayIconName(state)}.png`)).toMatchObject({ width: 16, height: 16 });
      expect(read(`assets/${trayIconName(state)}@2x.png`)).toMatchObject({ width: 32, height: 32 });
    }
  });

  it('are template images: black, drawn with alpha only, and not empty', () => {
    for (const { file } of trayIconFiles()) {
      const img = read(`assets/${file}`);
      let opaque = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        expect([img.data[i], img.data[i + 1], img.data[i + 2]]).toEqual([0, 0, 0]);
        if ((img.data[i + 3] ?? 0) > 128) opaque++;
      }
      expect(opaque, file).toBeGreaterThan(img.width * 2);
    }
  });

  it('are what scripts/make-icons.ts draws (regenerate after changing the drawing)', () => {
    for (const { file, image } of trayIconFiles()) {
      expect(Buffer.from(read(`assets/${file}`).data).equals(Buffer.from(image().data)), file).toBe(true);
    }
  });

  it('tell the five states apart', () => {
    const looks = new Set(TRAY_STATES.map((s) => Buffer.from(trayIcon(s, 1).data).toString('hex')));
    expect(looks.size).toBe(TRAY_STATES.length);
  });
});

describe('build/icon.png', () => {
  it('is the 1024 px app icon the script draws, transparent at the corners', () => {
    const img = read('build/icon.png');
    expect(img).toMatchObject({ width: 1024, height: 1024 });
    expect(img.data[3]).toBe(0);
    expect(img.data[(512 * 1024 + 200) * 4 + 3]).toBe(255);
    expect(Buffer.from(img.data).equals(Buffer.from(appIcon().data))).toBe(true);
  });
});

describe('png', () => {
  it('round-trips an image', () => {
    const data = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) & 0xff);
    expect(decodePng(encodePng({ width: 3, height: 2, data }))).toEqual({ width: 3, height: 2, data });
  });

  it('reads rows written with the other filters', () => {
    // 2x2 RGBA; row 0 filter Sub, row 1 filter Paeth.
    const raw = Buffer.from([1, 10, 20, 30, 40, 5, 5, 5, 5, 4, 1, 1, 1, 1, 0, 0, 0, 0]);
    const png = encodePng({ width: 2, height: 2, data: new Uint8Array(16) });
    const idatAt = png.indexOf('IDAT') - 4;
    const length = png.readUInt32BE(idatAt);
    const body = deflateSync(raw);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write('IDAT', 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from('IDAT'), body])), 0);
    const patched = Buffer.concat([
      png.subarray(0, idatAt),
      head,
      body,
      crc,
      png.subarray(idatAt + 12 + length),
    ]);
    expect(Array.from(decodePng(patched).data)).toEqual([
      10, 20, 30, 40, 15, 25, 35, 45, 11, 21, 31, 41, 15, 25, 35, 45,
    ]);
  });

  it('refuses what is not a PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });
});
