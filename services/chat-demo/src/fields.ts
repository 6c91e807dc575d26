/** Guards for single fields of the token service's JSON answers; each parser checks the whole shape. */
import { isRecord } from '../../../shared/json.js';

export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** A time as the service sends them (ISO 8601); the page reads it with `new Date`. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/**
 * A map of strings (message attributes), copied key by key as own data properties, so a key such as
 * `__proto__` is a plain key; absent reads as empty, anything else not all strings as invalid.
 */
export function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) return undefined;
  const record: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') return undefined;
    Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return record;
}
