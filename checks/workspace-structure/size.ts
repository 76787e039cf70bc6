/**
 * Byte sizes in config (`max-file-size.limit`): an integer number of bytes, or a string such as
 * `5 MiB`, `500KB`, `1.5 GB`. Binary units (KiB, MiB, GiB) are powers of 1024; decimal units
 * (KB, MB, GB) are powers of 1000, as in IEC 80000-13.
 */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** The grammar the schema also enforces for the string form. */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)\s*$/i;

/** Parses a size into bytes (rounded down). Throws a RangeError for anything else. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`size ${value} must be a positive integer of bytes`);
    return value;
  }
  const m = SIZE_PATTERN.exec(value);
  if (!m)
    throw new RangeError(`size "${value}" is not a size (examples: 5242880, "5 MiB", "500 KB")`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (bytes < 1) throw new RangeError(`size "${value}" is less than one byte`);
  return bytes;
}

/** A size for messages: `52.4 MB (52,428,800 bytes)` style, short form `52.4 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}
