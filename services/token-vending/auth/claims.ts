/**
 * Reading a claim by name or by a path into nested claims, the way identity providers shape them:
 * Cognito's `cognito:groups` and Auth0's namespaced `https://example.com/roles` are top-level names
 * that contain `:`, `/` and dots; Keycloak puts realm roles at `realm_access.roles` and client roles
 * at `resource_access.<client id>.roles` (a client id may itself contain dots).
 *
 * So a claim path is resolved greedily from the left: a name present as it is wins; otherwise the
 * path is split at a dot whose left part names an object, and the rest is read inside it. The
 * shortest such left part is tried first, then longer ones, so every split is found without a
 * quoting syntax. Only own properties of plain objects are read (never `__proto__` or a prototype).
 */
import { isRecord } from '../../../shared/json.js';

/** Deeper paths than this are refused unread (no provider nests roles beyond three levels). */
const MAX_DEPTH = 8;

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function resolve(object: Record<string, unknown>, path: string, depth: number): unknown {
  const direct = own(object, path);
  if (direct !== undefined || depth >= MAX_DEPTH) return direct;
  for (let dot = path.indexOf('.', 1); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const inner = own(object, path.slice(0, dot));
    if (!isRecord(inner)) continue;
    const found = resolve(inner, path.slice(dot + 1), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The value at `path` in the verified claims, or undefined when nothing is there. */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  return resolve(claims, path, 0);
}

/**
 * Roles from the claim at `path`: an array of strings (Cognito groups, Keycloak and Auth0 role lists)
 * or one space- or comma-separated string (OAuth-style `scope`-like claims). Anything else is none.
 */
export function readRoles(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  const value = readClaim(claims, path);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((role) => role !== '');
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  return [];
}
