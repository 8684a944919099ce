import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { createArtifactStore, parseStorageUrl } from '../src/create-store.js';
import { LocalArtifactStore } from '../src/local/local-store.js';
import { S3ArtifactStore } from '../src/s3/s3-store.js';

function errorOf(run: () => unknown): MySpinBotError {
  try {
    run();
  } catch (error) {
    if (error instanceof MySpinBotError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('storage URLs', () => {
  it('file:///abs, file:/abs and file://localhost/abs name a local folder', () => {
    expect(parseStorageUrl('file:///srv/artifacts')).toEqual({ kind: 'local', root: '/srv/artifacts' });
    expect(parseStorageUrl('file:/srv/artifacts/')).toEqual({ kind: 'local', root: '/srv/artifacts/' });
    expect(parseStorageUrl('file://localhost/srv/my%20data')).toEqual({
      kind: 'local',
      root: '/srv/my data',
    });
  });

  it('file:./relative resolves against the base directory, and needs one', () => {
    expect(parseStorageUrl('file:./data/artifacts', '/home/me/myspinbot')).toEqual({
      kind: 'local',
      root: '/home/me/myspinbot/data/artifacts',
    });
    expect(parseStorageUrl('file:data', '/base')).toEqual({ kind: 'local', root: '/base/data' });
    expect(parseStorageUrl('file:../shared', '/base/app')).toEqual({ kind: 'local', root: '/base/shared' });
    expect(errorOf(() => parseStorageUrl('file:./data')).code).toBe('CONFIG_INVALID');
    expect(errorOf(() => parseStorageUrl('file:./data', 'relative/base')).code).toBe('CONFIG_INVALID');
  });

  it('s3://bucket[/prefix] names a bucket and a key prefix', () => {
    expect(parseStorageUrl('s3://artifacts')).toEqual({ kind: 's3', bucket: 'artifacts', prefix: '' });
    expect(parseStorageUrl('s3://artifacts/')).toEqual({ kind: 's3', bucket: 'artifacts', prefix: '' });
    expect(parseStorageUrl('s3://my.bucket-1/team/myspinbot/')).toEqual({
      kind: 's3',
      bucket: 'my.bucket-1',
      prefix: 'team/myspinbot/',
    });
  });

  it('anything else is CONFIG_INVALID naming the value, with credentials hidden', () => {
    for (const url of [
      '',
      '   ',
      './data/artifacts',
      '/srv/artifacts',
      'http://example.com/bucket',
      'redis://localhost',
      'file:',
      'file://server/share',
      'file:///srv?x=1',
      'file:./a%zz',
      's3://',
      's3://Bad_Bucket',
      's3://ab',
      's3://bucket:9000',
      's3://bucket/a/../b',
      's3://bucket/a b',
      's3://bucket?region=x',
      's3://bucket#x',
      'minio://bucket',
    ]) {
      const error = errorOf(() => parseStorageUrl(url, '/base'));
      expect(error.code, url).toBe('CONFIG_INVALID');
      expect(error.message, url).toContain(`"${url.slice(0, 20)}`);
    }
    const secret = errorOf(() => parseStorageUrl('s3://AKIA:topsecret@bucket'));
    expect(secret.code).toBe('CONFIG_INVALID');
    expect(secret.message).not.toContain('topsecret');
    expect(JSON.stringify(secret.details)).not.toContain('topsecret');
  });

  it('createArtifactStore builds the store the URL names', async () => {
    const local = createArtifactStore('file:./data', {}, '/tmp/base');
    expect(local).toBeInstanceOf(LocalArtifactStore);
    expect(local.kind).toBe('local');
    expect((local as LocalArtifactStore).root).toBe('/tmp/base/data');
    const s3 = createArtifactStore('s3://artifacts/pre', {
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(s3).toBeInstanceOf(S3ArtifactStore);
    expect(s3.kind).toBe('s3');
    expect((s3 as S3ArtifactStore).bucket).toBe('artifacts');
    expect((s3 as S3ArtifactStore).prefix).toBe('pre/');
    expect(await (s3 as S3ArtifactStore).client.config.region()).toBe('us-east-1');
    await s3.close();
    expect(errorOf(() => createArtifactStore('ftp://x')).code).toBe('CONFIG_INVALID');
  });
});
