/**
 * Deno's permissions, asked without ever prompting: `Deno.permissions.querySync` only reports
 * the state, so a missing permission becomes an error that names the flag to add, on a
 * terminal or not, whether or not the program runs with `--no-prompt`.
 */
import { BatchValidationError } from "@batch-custom-data/core";

/** The error for a missing permission: what was refused and the flag that grants it. */
export function permissionError(what: string, flag: string): BatchValidationError {
  return new BatchValidationError(`Deno may not ${what}: run with ${flag}.`);
}

/** Whether the permission is granted now (false for "prompt" or "denied"). */
export function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/** True for the errors Deno throws when a permission is missing. */
export function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/** `host:port` as `--allow-net` takes it (the default port written out: narrowest). */
export function netHost(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

/** A path as a shell word, quoted only when it has to be. */
export function shellWord(text: string): string {
  return /^[\w./:@%+,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
