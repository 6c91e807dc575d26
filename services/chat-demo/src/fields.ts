/** Guards for single fields of the token service's JSON answers; each parser checks the whole shape. */

export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** A time as the service sends them (ISO 8601); the page reads it with `new Date`. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
