/**
 * One-at-a-time sections per key, in this process. The local store renames an object and its sidecar
 * inside such a section and reads them inside one too, so a reader never pairs new bytes with old metadata.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      // The map holds a key only while some section for it runs or waits.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a section running or waiting (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
