/**
 * The bus's Lua scripts, loaded once from ./lua and run with EVALSHA (EVAL when the script cache is empty,
 * e.g. after a Redis restart). `--@include owned` pulls in the shared ownership check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

function loadSource(name: string): string {
  const source = readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8');
  return source.replace(/^--@include (\w+)$/gm, (_line, fragment: string) => loadSource(fragment));
}

export type ScriptArg = string | number;

export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(readonly name: string) {
    this.source = loadSource(name);
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}

export const SCRIPTS = {
  submit: new LuaScript('submit'),
  checkpoint: new LuaScript('checkpoint'),
  handoff: new LuaScript('handoff'),
  finish: new LuaScript('finish'),
  release: new LuaScript('release'),
  deadLetter: new LuaScript('deadletter'),
  heartbeat: new LuaScript('heartbeat'),
  reclaim: new LuaScript('reclaim'),
  trim: new LuaScript('trim'),
  cancel: new LuaScript('cancel'),
  requeue: new LuaScript('requeue'),
  retry: new LuaScript('retry'),
  progress: new LuaScript('progress'),
} as const;
