/**
 * What the runtime does as each notebook cell starts. The kernel calls it; plain Node scripts
 * never need it.
 */
import { clearInterrupt } from "./interrupt.js";
import { resetScopes } from "./tensor/engine.js";

/**
 * Prepares the runtime for a new cell: forgets a stop requested during the previous one, and
 * closes any tensor scope or gradient tape that a stopped synchronous cell left open (a Stop
 * that ends a cell inside `fit` runs no `finally`).
 *
 * @example beginCell(); // the kernel, before running each cell
 */
export function beginCell(): void {
  clearInterrupt();
  resetScopes();
}
