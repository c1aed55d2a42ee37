/**
 * HTML helpers shared by the display modules.
 */

/**
 * Escapes text for HTML element content and attribute values.
 * @example escapeHtml('<b>"x"</b>') // "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
