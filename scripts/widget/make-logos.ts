/**
 * Draws the six widget logos (a white speech bubble on a blue gradient) at their exact sizes into
 * widget/images/. Run once by hand (`npx tsx scripts/widget/make-logos.ts`); the PNGs are committed,
 * so the build never depends on this script.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { REQUIRED_IMAGES } from './archive-rules.js';

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];

const TOP: Rgb = [45, 156, 219];
const BOTTOM: Rgb = [27, 111, 201];
const GLYPH: Rgb = [255, 255, 255];
const SAMPLES = 4; // 4×4 supersampling per pixel for smooth edges

function roundedRectContains(x: number, y: number, halfW: number, halfH: number, r: number): boolean {
  const dx = Math.max(Math.abs(x) - (halfW - r), 0);
  const dy = Math.max(Math.abs(y) - (halfH - r), 0);
  return dx * dx + dy * dy <= r * r;
}

function triangleContains(px: number, py: number, a: Point, b: Point, c: Point): boolean {
  const sign = (p: Point, q: Point, x: number, y: number) => (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1]);
  const d1 = sign(a, b, px, py);
  const d2 = sign(b, c, px, py);
  const d3 = sign(c, a, px, py);
  const hasNeg = d1 < 0 || d2 < 0 || d3 < 0;
  const hasPos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(hasNeg && hasPos);
}

/** The bubble in glyph units: the glyph is 1 unit tall, centred on (0, 0). */
function insideGlyph(x: number, y: number): boolean {
  const inDot = [-0.2, 0, 0.2].some((cx) => (x - cx) ** 2 + (y + 0.08) ** 2 <= 0.055 ** 2);
  if (inDot) return false;
  const inBody = roundedRectContains(x, y + 0.08, 0.5, 0.34, 0.16);
  const inTail = triangleContains(x, y, [-0.3, 0.2], [-0.06, 0.2], [-0.36, 0.46]);
  return inBody || inTail;
}

export function drawLogo(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  const unit = Math.min(width, height) * 0.62; // glyph height in pixels
  for (let py = 0; py < height; py++) {
    const k = height > 1 ? py / (height - 1) : 0;
    const bg = TOP.map((c, i) => Math.round(c + (BOTTOM[i]! - c) * k));
    for (let px = 0; px < width; px++) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const gx = (px + (sx + 0.5) / SAMPLES - width / 2) / unit;
          const gy = (py + (sy + 0.5) / SAMPLES - height / 2) / unit;
          if (insideGlyph(gx, gy)) hits++;
        }
      }
      const cover = hits / (SAMPLES * SAMPLES);
      const o = (py * width + px) * 4;
      for (let i = 0; i < 3; i++) png.data[o + i] = Math.round(bg[i]! + (GLYPH[i]! - bg[i]!) * cover);
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const outDir = join(root, 'widget');
  for (const image of REQUIRED_IMAGES) {
    const file = join(outDir, image.path);
    mkdirSync(dirname(file), { recursive: true });
    const data = drawLogo(image.width, image.height);
    writeFileSync(file, data);
    console.log(`${image.path}: ${image.width}x${image.height}, ${data.length} bytes`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
