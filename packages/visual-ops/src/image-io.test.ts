import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecompressionBombError,
  ImageDecodeError,
  InputReadError,
  InvalidDataUrlError,
  InvalidOptionError,
  InvalidRawImageError,
  VisualOpsError,
} from './errors.js';
import {
  decodeImage,
  decodeImageDataUrl,
  encodeImage,
  pngOptionsFor,
  readImage,
  toDataUrl,
} from './image-io.js';
import { gradientImage, gradientPixels } from './test-helpers/images.js';

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 2x1 48-bit RGB PNG written by hand, since sharp writes 16-bit PNGs only from 16-bit pipelines. */
function sixteenBitPng(values: [number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 16;
  header[9] = 2;
  const row = Buffer.alloc(13);
  for (let channel = 0; channel < 3; channel++) {
    row.writeUInt16BE(values[0], 1 + channel * 2);
    row.writeUInt16BE(values[1], 7 + channel * 2);
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(row)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('image input', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'visual-ops-io-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a path, bytes and a data URL to the same image', async () => {
    const image = await gradientImage(60, 40);
    const path = join(directory, 'gradient.png');
    await writeFile(path, image.data);
    const fromPath = await decodeImage(path);
    const fromBytes = await decodeImage(image.data);
    const fromUrl = await decodeImage(toDataUrl(image));
    for (const decoded of [fromPath, fromBytes, fromUrl]) {
      expect(decoded).toMatchObject({ width: 60, height: 40, mediaType: 'image/png' });
      expect(Buffer.from(decoded.raw.data).equals(Buffer.from(image.raw.data))).toBe(true);
    }
  });

  it('reads the header only with readImage and keeps JPEG bytes as they are', async () => {
    const jpeg = await encodeImage(
      { width: 64, height: 32, channels: 3, data: gradientPixels(64, 32) },
      { format: 'jpeg' },
    );
    const read = await readImage(jpeg.data);
    expect(read).toEqual({ data: jpeg.data, mediaType: 'image/jpeg', width: 64, height: 32 });
  });

  it('re-encodes other formats as PNG', async () => {
    const webp = await sharp(Buffer.from(gradientPixels(30, 20)), {
      raw: { width: 30, height: 20, channels: 3 },
    })
      .webp({ lossless: true })
      .toBuffer();
    const read = await readImage(webp);
    expect(read).toMatchObject({ mediaType: 'image/png', width: 30, height: 20 });
  });

  it('composites transparency on white', async () => {
    const rgba = new Uint8Array([255, 0, 0, 0, 0, 0, 255, 255]);
    const image = await encodeImage({ width: 2, height: 1, channels: 4, data: rgba });
    expect([...image.raw.data]).toEqual([255, 255, 255, 0, 0, 255]);
  });

  it('reduces 16-bit samples to their high byte, as PIL does for RGB', async () => {
    const decoded = await decodeImage(sixteenBitPng([40_000, 1_000]));
    expect([...decoded.raw.data]).toEqual([156, 156, 156, 3, 3, 3]);
  });

  it('resizes on decode when asked', async () => {
    const image = await gradientImage(400, 300);
    const decoded = await decodeImage(image.data, { resize: { maxPixels: 100 * 784 } });
    expect([decoded.width, decoded.height]).toEqual([308, 224]);
    expect(decoded.raw.data.byteLength).toBe(308 * 224 * 3);
  });

  it('refuses corrupt bytes naming the input', async () => {
    const path = join(directory, 'corrupt.jpg');
    await writeFile(path, Buffer.from('definitely not an image'));
    await expect(readImage(path)).rejects.toThrow(ImageDecodeError);
    await expect(readImage(path)).rejects.toThrow(/corrupt\.jpg/);
    await expect(
      decodeImage(new Uint8Array([1, 2, 3]), { label: 'dataset item 7' }),
    ).rejects.toThrow(/dataset item 7/);
  });

  it('refuses a truncated JPEG at decode time', async () => {
    const jpeg = await encodeImage(
      { width: 64, height: 64, channels: 3, data: gradientPixels(64, 64) },
      { format: 'jpeg' },
    );
    const truncated = jpeg.data.subarray(0, Math.floor(jpeg.data.byteLength / 2));
    await expect(decodeImage(truncated, { label: 'half.jpg' })).rejects.toThrow(ImageDecodeError);
  });

  it('refuses images above the pixel limit before decoding them', async () => {
    const image = await gradientImage(100, 100);
    const attempt = decodeImage(image.data, { maxPixels: 9_999, label: 'big.png' });
    await expect(attempt).rejects.toThrow(DecompressionBombError);
    await expect(decodeImage(image.data, { maxPixels: 9_999 })).rejects.toThrow(/100x100/);
  });

  it('refuses unreadable paths and malformed data URLs', async () => {
    const missing = join(directory, 'missing.png');
    await expect(readImage(missing)).rejects.toThrow(InputReadError);
    await expect(readImage(missing)).rejects.toThrow(/missing\.png: ENOENT/);
    await expect(readImage('data:text/plain,hello')).rejects.toThrow(InvalidDataUrlError);
  });

  it('decodes what toDataUrl encodes, and nothing but base64 image URLs', async () => {
    const image = await gradientImage(5, 3);
    expect(toDataUrl(image)).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const decoded = decodeImageDataUrl(toDataUrl(image));
    expect(decoded?.mediaType).toBe('image/png');
    expect(Buffer.from(decoded!.data).equals(Buffer.from(image.data))).toBe(true);
    expect(decodeImageDataUrl('data:image/webp;base64,AAAA')).toMatchObject({
      mediaType: 'image/webp',
      data: new Uint8Array([0, 0, 0]),
    });
    expect(decodeImageDataUrl('data:text/plain;base64,AAAA')).toBeUndefined();
    expect(decodeImageDataUrl('data:image/png,raw')).toBeUndefined();
    expect(decodeImageDataUrl('image/png;base64,AAAA')).toBeUndefined();
  });

  it('checks raw pixel buffers', async () => {
    await expect(
      encodeImage({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }),
    ).rejects.toThrow(InvalidRawImageError);
    const error = await encodeImage({
      width: 0,
      height: 2,
      channels: 3,
      data: new Uint8Array(0),
    }).catch((caught: unknown) => caught);
    expect(VisualOpsError.isInstance(error)).toBe(true);
  });

  it('encodes the same pixels to the same PNG bytes', async () => {
    const pixels = { width: 50, height: 30, channels: 3 as const, data: gradientPixels(50, 30, 3) };
    const first = await encodeImage(pixels);
    const second = await encodeImage(pixels);
    expect(Buffer.from(first.data).equals(Buffer.from(second.data))).toBe(true);
  });
});

/** Photo-like pixels: smooth colour under blurred sensor-like noise, as a JPEG (quality 90). */
async function photoJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .blur(3)
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('lazy reading and photo encoding', () => {
  it('reads an image already at its smartResize size without decoding it', async () => {
    const jpeg = await photoJpeg(280, 224);
    const image = await readImage(jpeg, { resize: { factor: 28, minPixels: 4 * 784 } });
    expect(image.raw).toBeUndefined();
    expect(image.mediaType).toBe('image/jpeg');
    expect(Buffer.from(image.data).equals(jpeg)).toBe(true);
  });

  it('resizes (and keeps the pixels) only when smartResize changes the size', async () => {
    const jpeg = await photoJpeg(300, 230);
    const options = { resize: { factor: 28, minPixels: 4 * 784 } };
    const lazy = await readImage(jpeg, options);
    const eager = await decodeImage(jpeg, options);
    expect([lazy.width, lazy.height]).toEqual([308, 224]);
    expect(lazy.mediaType).toBe('image/png');
    expect(lazy.raw).toBeDefined();
    expect(Buffer.from(lazy.data).equals(Buffer.from(eager.data))).toBe(true);
  });

  it('writes the same PNG bytes for the same pixels, losslessly', async () => {
    const { data, info } = await sharp(await photoJpeg(320, 240))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = {
      data: new Uint8Array(data),
      width: info.width,
      height: info.height,
      channels: 3 as const,
    };
    const first = await encodeImage(pixels);
    const second = await encodeImage(pixels);
    expect(Buffer.from(first.data).equals(Buffer.from(second.data))).toBe(true);
    // Unfiltered level-1 PNGs of photos came out at ~60% (smooth) to >95% (noisy) of the raw size.
    const decoded = await decodeImage(first.data);
    expect(Buffer.from(decoded.raw.data).equals(data)).toBe(true);
  });
});

/** Decoded pixels of sharp's noise under a light blur: photo grain, which level 1 cannot deflate. */
async function grainyPixels(width: number, height: number) {
  const { data, info } = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .blur(1.2)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data),
    width: info.width,
    height: info.height,
    channels: 3 as const,
  };
}

describe('PNG compression by content', () => {
  it('stores photo grain (level 1 made it larger than its pixels) and deflates flat pixels', async () => {
    const grain = await grainyPixels(640, 480);
    // Flat fills, as scenes, charts and documents have: stripes 32 px wide.
    const stripes = new Uint8Array(640 * 480 * 3);
    for (let pixel = 0; pixel < 640 * 480; pixel++) {
      stripes.fill(((pixel % 640) >> 5) * 60, pixel * 3, pixel * 3 + 3);
    }
    const flat = { data: stripes, width: 640, height: 480, channels: 3 as const };
    expect((await pngOptionsFor(grain)).compressionLevel).toBe(0);
    expect((await pngOptionsFor(flat)).compressionLevel).toBe(1);
    const stored = await encodeImage(grain);
    const deflated = await encodeImage(flat);
    expect(stored.data.byteLength).toBeLessThan(1.01 * grain.data.byteLength);
    expect(deflated.data.byteLength).toBeLessThan(0.5 * flat.data.byteLength);
    for (const [image, pixels] of [
      [stored, grain.data],
      [deflated, flat.data],
    ] as const) {
      const decoded = await decodeImage(image.data);
      expect(Buffer.from(decoded.raw.data).equals(Buffer.from(pixels))).toBe(true);
    }
    expect(Buffer.from((await encodeImage(grain)).data).equals(Buffer.from(stored.data))).toBe(
      true,
    );
  });
});

describe('readImage encoding', () => {
  const resize = { factor: 28, minPixels: 4 * 784 };

  it('writes a resized input as JPEG when asked, without pixels that decoding it would not give', async () => {
    const jpeg = await photoJpeg(300, 230);
    const image = await readImage(jpeg, { resize, encoding: { format: 'jpeg', quality: 85 } });
    expect(image.mediaType).toBe('image/jpeg');
    expect([image.width, image.height]).toEqual([308, 224]);
    expect(image.raw).toBeUndefined();
    const decoded = await decodeImage(image.data);
    expect([decoded.width, decoded.height]).toEqual([308, 224]);
    const png = await readImage(jpeg, { resize });
    expect(image.data.byteLength).toBeLessThan(png.data.byteLength / 3);
  });

  it('keeps the bytes of an image already at its size, whatever the encoding', async () => {
    const jpeg = await photoJpeg(280, 224);
    const image = await readImage(jpeg, { resize, encoding: { format: 'jpeg', quality: 50 } });
    expect(Buffer.from(image.data).equals(jpeg)).toBe(true);
  });

  it('rejects a bad encoding, naming the option', async () => {
    const jpeg = await photoJpeg(64, 64);
    await expect(readImage(jpeg, { encoding: { format: 'webp' as never } })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(readImage(jpeg, { encoding: { format: 'jpeg', quality: 101 } })).rejects.toThrow(
      /encoding\.quality/,
    );
  });
});
