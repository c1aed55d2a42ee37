/**
 * The TypeScript language service over a notebook session. Three virtual files: the preloaded
 * globals (globals.ts), what earlier cells declared (session.ts; changes once per cell), and
 * the cell being completed, inspected or checked (changes on every request, so it is kept
 * small). Everything else — lib files, @types/node, the runtime's declarations, npm packages'
 * typings next to the notebook — comes through host.ts, read once and kept.
 *
 * It runs in a worker thread (worker.ts) so that loading TypeScript never delays the kernel.
 *
 * @example
 * const s = new CellLanguageService({ cwd: process.cwd() });
 * s.addCell("const network = models.Sequential([layers.Dense(10)])");
 * s.complete("network.fi", 10).matches // ["fit"]
 */
import { join } from "node:path";
import { ts } from "ts-morph";
import { SessionDeclarations, topLevelNames } from "./session.js";
import { compilerOptionsFor, createHost, type VirtualFile } from "./host.js";
import { KERNEL_GLOBALS, exportNames, locateModules, renderGlobals } from "./globals.js";
import { complete } from "./completion.js";
import { inspect } from "./inspection.js";
import { check } from "./diagnostics.js";
import { blankMagics } from "./strict.js";
import type { CellView } from "./view.js";
import type { CellCheck, CompleteReply, InspectReply } from "./types.js";

export interface CellLanguageServiceOptions {
  /** The notebook's folder: imports and npm packages' typings resolve from here. */
  cwd: string;
}

export class CellLanguageService {
  private readonly files = new Map<string, VirtualFile>();
  private readonly session: SessionDeclarations;
  private readonly sessionPath: string;
  private readonly forgetDisk: () => void;
  private readonly ls: ts.LanguageService;
  private readonly cellPath: string;
  private readonly globalsPath: string;

  constructor(options: CellLanguageServiceOptions) {
    // Inside the notebook's folder so that `./util.js` and npm packages resolve as at run time.
    this.cellPath = join(options.cwd, "__tsdl_cell__.ts");
    this.globalsPath = join(options.cwd, "__tsdl_globals__.d.ts");
    this.sessionPath = join(options.cwd, "__tsdl_session__.d.ts");
    const modules = locateModules();
    const roots = [this.globalsPath, this.sessionPath, this.cellPath];
    const { host, forget } = createHost(options.cwd, compilerOptionsFor(options.cwd, modules.packageRoot), (f) => this.files.get(f), roots);
    this.forgetDisk = forget;
    this.ls = ts.createLanguageService(host, ts.createDocumentRegistry());
    this.setFile(this.sessionPath, "export {};\n");
    const runtimeNames = this.writeGlobals(modules.runtime, modules.displayApi);
    // A cell's name that Node or the runtime already has as a global stays in the cell's scope.
    const preloaded = new Set<string>([...runtimeNames, ...KERNEL_GLOBALS]);
    this.session = new SessionDeclarations((name) => preloaded.has(name) || name in globalThis);
    this.setFile(this.sessionPath, this.session.fileText());
  }

  /** Writes the globals file from the runtime's exports (read from its syntax, else through the checker). */
  private writeGlobals(runtime: string, displayApi: string): string[] {
    this.setFile(this.cellPath, "export {};\n");
    // As the kernel does, a runtime export does not replace a global Node already has.
    const names = (exportNames(runtime) ?? this.exportsThroughChecker(runtime)).filter((name) => !(name in globalThis));
    this.setFile(this.globalsPath, renderGlobals(runtime, names, displayApi));
    return names;
  }

  private exportsThroughChecker(runtime: string): string[] {
    this.setFile(this.globalsPath, `import * as __runtime from ${JSON.stringify(runtime)};\nexport {};\n`);
    const program = this.ls.getProgram();
    const sf = program?.getSourceFile(this.globalsPath);
    const decl = sf?.statements.find(ts.isImportDeclaration);
    const checker = program?.getTypeChecker();
    const moduleSymbol = decl && checker?.getSymbolAtLocation(decl.moduleSpecifier);
    return moduleSymbol && checker ? checker.getExportsOfModule(moduleSymbol).map((s) => s.name) : [];
  }

  private setFile(path: string, text: string): void {
    const old = this.files.get(path);
    if (old?.text === text) return;
    this.files.set(path, { text, version: (old?.version ?? 0) + 1 });
  }

  /** Puts a cell under its header (the session's local-only names it does not declare itself). */
  private view(code: string, trailer = ""): CellView {
    code = blankMagics(code);
    const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const header = this.session.header(new Set(topLevelNames(sf)));
    this.setFile(this.cellPath, header + code + trailer);
    return { ls: this.ls, path: this.cellPath, offset: header.length, code };
  }

  complete(code: string, cursorPos: number): CompleteReply {
    return complete(this.view(code), cursorPos);
  }

  inspect(code: string, cursorPos: number): InspectReply {
    return inspect(this.view(code), cursorPos);
  }

  check(code: string): CellCheck {
    return check(this.view(code));
  }

  /** After a cell ran: the names it declared, with their inferred types, join the session. */
  addCell(code: string): void {
    // The cell may have installed a package or written a module that later cells import.
    this.forgetDisk();
    code = blankMagics(code);
    const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const names = topLevelNames(sf);
    if (names.length === 0) return;
    this.view(code, `\n;export { ${names.join(", ")} };\n`);
    const out = this.ls.getEmitOutput(this.cellPath, true, true);
    const dts = out.outputFiles.find((f) => f.name.endsWith(".d.ts"))?.text ?? "";
    this.session.add(dts, names);
    this.setFile(this.sessionPath, this.session.fileText());
  }

  /** Loads every file a first completion needs and lets the JIT see the hot paths. */
  warmUp(): void {
    this.complete("tensor", 6);
    this.check("const __warm: number = 1");
    this.inspect("tensor", 6);
  }
}
