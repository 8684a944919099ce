/**
 * LoRA dataset preparation from a portrait: face-centred square crops at three framings, each also
 * mirrored, resized to `size`, with a caption file per image (kohya/diffusers layout: NNNN.png +
 * NNNN.txt), a metadata.jsonl, and the whole folder packed as dataset.tar.gz.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MySpinBotError } from '@myspinbot/contracts';
import sharp from 'sharp';
import { create as createTar } from 'tar';
import { detectFace } from '../portrait/face-landmarks.js';
import type { EngineCallOptions } from '../types.js';
import { planCrops } from './crops.js';

export interface DatasetOptions extends EngineCallOptions {
  image: Buffer;
  /** Folder to write into (created). */
  outDir: string;
  /** The token the LoRA learns for this person. */
  triggerWord: string;
  /** Side of every training image (px). Default 512. */
  size?: number;
  /** Extra words for every caption (e.g. from the script's stage description). */
  description?: string;
}

export interface DatasetResult {
  folder: string;
  archivePath: string;
  images: { file: string; caption: string; framing: string; mirrored: boolean }[];
  face: { box: [number, number, number, number]; confidence: number };
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MySpinBotError('NODE_CANCELLED', 'dataset preparation was cancelled');
}

export async function prepareLoraDataset(options: DatasetOptions): Promise<DatasetResult> {
  const size = options.size ?? 512;
  if (!/^[A-Za-z][A-Za-z0-9_]{1,31}$/.test(options.triggerWord)) {
    throw new MySpinBotError('NODE_INPUT_INVALID', 'the trigger word must be 2..32 letters, digits or "_"');
  }
  const face = await detectFace(options.image);
  checkAborted(options.signal);
  const oriented = await sharp(options.image).rotate().toBuffer();
  const [fx, fy, fw, fh] = face.box;
  const crops = planCrops(
    { x: fx, y: fy, width: fw, height: fh },
    { width: face.imageWidth, height: face.imageHeight },
  );
  const folder = join(options.outDir, 'dataset');
  await mkdir(folder, { recursive: true });
  const images: DatasetResult['images'] = [];
  const extra = options.description?.trim() ? `, ${options.description.trim().replace(/\s+/g, ' ')}` : '';
  const total = crops.length * 2;
  for (const crop of crops) {
    for (const mirrored of [false, true]) {
      checkAborted(options.signal);
      const index = String(images.length + 1).padStart(4, '0');
      let pipeline = sharp(oriented)
        .extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height })
        .resize(size, size, { kernel: 'lanczos3' });
      if (mirrored) pipeline = pipeline.flop();
      await pipeline.png({ compressionLevel: 6 }).toFile(join(folder, `${index}.png`));
      const caption = `${options.triggerWord}, a ${crop.framing} of a person${mirrored ? ', mirrored' : ''}${extra}`;
      await writeFile(join(folder, `${index}.txt`), `${caption}\n`);
      images.push({ file: `${index}.png`, caption, framing: crop.framing, mirrored });
      options.onProgress?.(images.length / (total + 1), `image ${images.length} of ${total}`);
    }
  }
  await writeFile(
    join(folder, 'metadata.jsonl'),
    images
      .map((i) => JSON.stringify({ file_name: i.file, text: i.caption }))
      .join('\n')
      .concat('\n'),
  );
  const archivePath = join(options.outDir, 'dataset.tar.gz');
  // Fixed mtime and sorted entries: the same inputs give the same archive.
  await createTar(
    { gzip: { level: 6 }, file: archivePath, cwd: options.outDir, portable: true, mtime: new Date(0) },
    ['dataset'],
  );
  options.onProgress?.(1, 'dataset packed');
  return { folder, archivePath, images, face: { box: face.box, confidence: face.confidence } };
}
