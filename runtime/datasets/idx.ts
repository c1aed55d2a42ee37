/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
 *
 * Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions, then one
 * big-endian uint32 per dimension; the data follows, row-major. Files may be gzip-compressed.
 * Every check names the file: a truncated or corrupt file is an error, never a partial dataset.
 */
import { gunzipSync } from "node:zlib";

/** An IDX array: its dimensions and its bytes (uint8 data, as every MNIST-style file holds). */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** What the caller expects a file to hold, checked against its header. */
export interface IdxExpectation {
  /** Number of dimensions: 3 for images (n, rows, cols), 1 for labels. */
  ndim: number;
  /** Expected dimensions (e.g. [60000, 28, 28]); omitted dims are not checked. */
  shape?: number[];
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC0 && bytes[1] === GZIP_MAGIC1;
}

/** Decompresses gzip bytes (or returns plain bytes as they are); a corrupt stream names the file. */
export function decompressIfGzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new Error(`IDX: ${file} is a corrupt or truncated gzip file (${(e as Error).message})`);
  }
}

/**
 * Parses IDX bytes (plain or gzip). Example: `parseIdx(readFileSync(f), f, { ndim: 1 })`.
 * Throws when the magic number, the dimensions or the data length are wrong.
 */
export function parseIdx(raw: Uint8Array, file: string, expect: IdxExpectation): IdxArray {
  const bytes = decompressIfGzip(raw, file);
  if (bytes.length < 4) throw new Error(`IDX: ${file} is truncated: ${bytes.length} bytes, not even a header`);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== expect.ndim) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
    throw new Error(
      `IDX: ${file} has magic number 0x${magic}; expected 0x0000080${expect.ndim} (unsigned bytes, ${expect.ndim} dimension${expect.ndim > 1 ? "s" : ""})`,
    );
  }
  const ndim = bytes[3];
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new Error(`IDX: ${file} is truncated inside its header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  if (expect.shape) {
    expect.shape.forEach((d, i) => {
      if (d !== undefined && shape[i] !== d) {
        throw new Error(`IDX: ${file} has shape [${shape.join(", ")}]; expected [${expect.shape!.join(", ")}]`);
      }
    });
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerLen;
  if (have !== count) {
    throw new Error(
      `IDX: ${file} is ${have < count ? "truncated" : "too long"}: header says [${shape.join(", ")}] = ${count} bytes of data, file holds ${have}`,
    );
  }
  return { shape, data: bytes.subarray(headerLen) };
}
