/**
 * The value cached under `key`, made by `make` and kept on first use. The cache
 * holds at most `max` entries, so a long-running process (tests, watch modes)
 * does not grow without bound: the oldest entry goes first.
 */
export function cachedBounded<K, V>(cache: Map<K, V>, key: K, max: number, make: () => V): V {
  if (cache.has(key)) return cache.get(key) as V;
  const value = make();
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}
