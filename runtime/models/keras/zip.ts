/**
 * The zip container of a `.keras` file: read any zip Keras (Python's zipfile) writes, write one
 * Keras reads.
 *
 * Writing: every entry is *stored* (method 0, no compression), as Keras 3 itself writes its
 * archives; zipfile reads stored entries, the weights are float32 noise that deflate hardly
 * shrinks, and a stored entry needs only its CRC-32 (computed here: Node 20's zlib has no crc32,
 * it came in Node 22). Reading: stored and deflated (method 8, through zlib's inflateRawSync)
 * entries, sizes from the central directory (so data descriptors and zip64 extra fields of a
 * file zipped by another tool are fine), and every entry's CRC-32 checked, so a damaged archive
 * is an error that names the file and the entry rather than wrong weights.
 */
import { inflateRawSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (ISO 3309, the zip and PNG checksum) of some bytes.
 * @example crc32(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time fields of a Date (zip's timestamps; local time, 2-second steps). */
function dosDateTime(d: Date): [number, number] {
  const year = Math.max(1980, d.getFullYear());
  const date = ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
  return [date, time];
}

/**
 * A zip archive of stored entries, in the order given.
 * @example writeZip([["config.json", bytes]])
 */
export function writeZip(entries: readonly (readonly [string, Uint8Array])[], when = new Date()): Uint8Array {
  const [date, time] = dosDateTime(when);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    if (data.length >= 0xffffffff || offset >= 0xffffffff) throw new Error(`writeZip: '${name}' would need zip64 (4 GiB or more), which tsdl does not write`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, ...centrals, end]));
}

/** The end-of-central-directory record's offset, searched backwards past a comment of up to 64 KiB. */
function findEnd(buf: Buffer, file: string): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) return i;
  }
  throw new Error(`${file} is not a zip archive (no end of central directory): a .keras file is a zip holding config.json and model.weights.h5`);
}

/**
 * Every entry of a zip archive by name. `file` names the archive in errors.
 * @example const entries = readZip(readFileSync("m.keras"), "m.keras"); entries.get("config.json")
 */
export function readZip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(buf, file);
  let count = buf.readUInt16LE(end + 10);
  let centralOffset = buf.readUInt32LE(end + 16);
  // zip64: the real count and offset live in the zip64 end record the locator points at.
  if ((count === 0xffff || centralOffset === 0xffffffff) && end >= 20 && buf.readUInt32LE(end - 20) === 0x07064b50) {
    const z64 = Number(buf.readBigUInt64LE(end - 20 + 8));
    if (buf.readUInt32LE(z64) !== 0x06064b50) throw new Error(`${file}: damaged zip64 end record`);
    count = Number(buf.readBigUInt64LE(z64 + 32));
    centralOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const out = new Map<string, Uint8Array>();
  let p = centralOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: damaged zip central directory (entry ${i + 1} of ${count})`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressed = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLength);
    // zip64 extra field (id 1): the 64-bit values of the fields that read 0xffffffff, in order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        const next = () => {
          const v = Number(buf.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      e += 4 + len;
    }
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/")) continue; // a folder entry
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`${file}: damaged zip entry '${name}' (no local header)`);
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataStart + compressed > buf.length) throw new Error(`${file}: zip entry '${name}' is truncated (${buf.length - dataStart} of ${compressed} bytes)`);
    const raw = buf.subarray(dataStart, dataStart + compressed);
    let data: Uint8Array;
    if (method === 0) data = new Uint8Array(raw);
    else if (method === 8) {
      try {
        data = new Uint8Array(inflateRawSync(raw));
      } catch (e) {
        throw new Error(`${file}: zip entry '${name}' cannot be inflated (${(e as Error).message})`);
      }
    } else throw new Error(`${file}: zip entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are read`);
    if (data.length !== size) throw new Error(`${file}: zip entry '${name}' holds ${data.length} bytes; the directory says ${size}`);
    if (crc32(data) !== crc) throw new Error(`${file}: zip entry '${name}' fails its CRC-32 check (damaged file)`);
    out.set(name, data);
  }
  return out;
}
