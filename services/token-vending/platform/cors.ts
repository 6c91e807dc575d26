/**
 * The CORS contract of the API in one place. In a process the app answers CORS itself; in AWS,
 * API Gateway (HTTP API) answers preflights and adds the CORS headers from template.yaml's
 * CorsConfiguration, and ignores the app's. So both read these lists, and a test compares the
 * template with them: a browser can only read `Retry-After` (the demo page waits that long after a
 * 429 or 503), `Admission-Ticket` (its place in the token queue) and `X-Request-Id` when they are
 * exposed, and may only send `X-Request-Id` and `Admission-Ticket` when they are allowed.
 */
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Request-Id',
  'Admission-Ticket',
] as const;
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Location', 'Admission-Ticket'] as const;
/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;
