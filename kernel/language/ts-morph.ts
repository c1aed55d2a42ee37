/**
 * The one thing the language service takes from ts-morph: its copy of TypeScript. The build
 * bundles the service's process (dist/kernel/language.bundle.js) with "ts-morph" mapped to this
 * module (package.json, build:bundle:kernel), because importing ts-morph's CommonJS from an ES
 * module makes Node load all of it and scan it for export names (~0.15 s) for this one export;
 * here TypeScript comes through the code cache instead. The sources keep importing "ts-morph",
 * for its types and for running unbundled.
 */
import { requireCached } from "../code-cache.js";
import { typescriptFile, type TypeScript } from "../convert/typescript.js";

export const ts = requireCached(typescriptFile(), "language") as TypeScript;
