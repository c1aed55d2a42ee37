/**
 * A package registry on 127.0.0.1 that serves the project's own installed production
 * dependencies (node_modules, as package-lock.json lists them), so a test can run a plain
 * `npm install tsdl-x.y.z.tgz` — npm resolving every range from package metadata exactly as for a
 * user — with no network and no npm cache of its own: `npm install --offline` needs the
 * registry's metadata in the cache, which `npm ci` never writes, so it passed only on machines
 * where an earlier `npm install` had left it in ~/.npm.
 *
 * Each package is re-tarred from its installed folder (what npm extracted from the registry's
 * tarball; nested node_modules are other packages and served on their own).
 *
 * @example const reg = await startLocalRegistry(REPO_ROOT, dir); npmEnv(reg.url, cache); await reg.close();
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

export interface LocalRegistry {
  /** The registry's address, for npm's `registry` setting. */
  url: string;
  /** How many package versions it serves. */
  versions: number;
  close(): Promise<void>;
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
}

/** Tars every installed production dependency of `root` into `dir` and serves them with their metadata. */
export async function startLocalRegistry(root: string, dir: string): Promise<LocalRegistry> {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const packuments = new Map<string, { name: string; versions: Record<string, unknown>; "dist-tags": { latest: string } }>();
  const tarballs = join(dir, "tarballs");
  mkdirSync(tarballs, { recursive: true });
  const pending: { name: string; version: string; file: string; manifest: Record<string, unknown> }[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    // "" is the project itself; dev-only packages are not what a user installs; optional
    // packages for other platforms (esbuild's) are not installed here, and npm skips an optional
    // dependency it cannot fetch, as it would skip it for the platform.
    if (path === "" || entry.dev || entry.link || !existsSync(join(root, path, "package.json"))) continue;
    const manifest = JSON.parse(readFileSync(join(root, path, "package.json"), "utf8")) as Record<string, unknown>;
    const name = manifest.name as string;
    const version = manifest.version as string;
    const file = `${name.replace("/", "__")}-${version}.tar`;
    // Uncompressed (npm's tar reader detects gzip or not): gzip of the ~150 MB would cost more
    // time than the test's install.
    execFileSync("tar", ["-cf", join(tarballs, file), "--exclude=./node_modules", "--transform=s,^\\.,package,", "-C", join(root, path), "."]);
    pending.push({ name, version, file, manifest });
  }

  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    if (path.startsWith("/-/tarballs/")) {
      const file = join(tarballs, path.slice("/-/tarballs/".length).replace(/[/\\]/g, ""));
      if (existsSync(file)) {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(readFileSync(file));
        return;
      }
    }
    const packument = packuments.get(path.slice(1));
    if (packument) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(packument));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

  for (const { name, version, file, manifest } of pending) {
    const integrity = "sha512-" + createHash("sha512").update(readFileSync(join(tarballs, file))).digest("base64");
    const packument = packuments.get(name) ?? { name, versions: {}, "dist-tags": { latest: version } };
    packument.versions[version] = { ...manifest, dist: { tarball: `${url}-/tarballs/${file}`, integrity } };
    packuments.set(name, packument);
  }
  return {
    url,
    versions: pending.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The environment (`base` and) for an npm command that uses only `registryUrl` and the empty
 * `cache`: npm settings inherited from the npm that started the tests, and the user's and global
 * npmrc (a scoped registry, a token) are left out.
 */
export function npmEnv(registryUrl: string, cache: string, dir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!/^npm_/i.test(k)) env[k] = v;
  const [userrc, globalrc] = [join(dir, "user-npmrc"), join(dir, "global-npmrc")];
  writeFileSync(userrc, "");
  writeFileSync(globalrc, "");
  return {
    ...env,
    npm_config_registry: registryUrl,
    npm_config_cache: cache,
    npm_config_userconfig: userrc,
    npm_config_globalconfig: globalrc,
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
}
