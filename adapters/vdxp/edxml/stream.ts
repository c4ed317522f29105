import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * Writes chunks to a stream, waiting for 'drain' when it asks, and ends it
 * (unless `end` is false, e.g. for stdout). A failing source or destination
 * destroys the destination and rejects. Direct writes rather than
 * Readable.from + pipeline: for a small document the stream machinery cost
 * 30 times the building (about 700 µs against 20 µs, measured here).
 */
export async function writeAll(
  dest: Writable,
  chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
  end = true,
): Promise<void> {
  // Listening from the start: an error between two writes is not lost.
  const done = finished(dest, { readable: false });
  done.catch(() => undefined);
  try {
    for await (const c of chunks) {
      if (!dest.write(c)) await Promise.race([once(dest, 'drain'), done]);
    }
    if (end) {
      dest.end();
      await done;
    }
  } catch (err) {
    dest.destroy(err as Error);
    throw err;
  }
}
