/**
 * Each deployable's environment is one declaration read by this one helper: a variable is a name and
 * how its text becomes a value, and `readEnv` reads them all, reporting every problem at once (each
 * naming the variable, what it must be, and what it got). Hand-written rather than zod: the review
 * function bundles this, and its bundle has a 60 KB budget and a 15 ms load budget that zod/mini's
 * core would take a large share of (measured: 14.5 KB minified for two variables).
 */
import { LOG_LEVELS, type LogLevel } from '../logger.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type Reading<T> =
  | { readonly ok: true; readonly value: T }
  /** `value`: what the deployable runs with meanwhile; `warning`: a problem that stops nothing. */
  | { readonly ok: false; readonly value: T; readonly problem: string; readonly warning?: boolean };

export interface Variable<T> {
  read(text: string | undefined, name: string): Reading<T>;
}

/** The text, trimmed; absent or blank reads as undefined. */
function present(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** What a refused value is quoted as (short: a variable can hold a whole policy). */
function quoted(text: string): string {
  return `"${text.length > 64 ? `${text.slice(0, 64)}…` : text}"`;
}

export function integer(fallback: number, min: number, max: number): Variable<number> {
  return {
    read(text, name) {
      const value = present(text);
      if (value === undefined) return { ok: true, value: fallback };
      const number = Number(value);
      if (/^\d+$/.test(value) && number >= min && number <= max) return { ok: true, value: number };
      return {
        ok: false,
        value: fallback,
        problem: `${name} must be an integer from ${min} to ${max}; got ${quoted(value)}`,
      };
    },
  };
}

export function boolean(fallback = false): Variable<boolean> {
  return {
    read(text, name) {
      const value = present(text)?.toLowerCase();
      if (value === undefined) return { ok: true, value: fallback };
      if (value === 'true' || value === '1') return { ok: true, value: true };
      if (value === 'false' || value === '0') return { ok: true, value: false };
      return { ok: false, value: fallback, problem: `${name} must be true or false; got ${quoted(value)}` };
    },
  };
}

/**
 * One of a few words, case-insensitive. `whenInvalid`: the value a refused text reads as (FALLBACK_RESULT
 * reads DENY, the safe reading of an explicit request), default the fallback.
 */
export function oneOf<const T extends string>(
  values: readonly T[],
  fallback: T,
  options: { readonly whenInvalid?: T; readonly upperCase?: boolean } = {},
): Variable<T> {
  return {
    read(text, name) {
      const value = present(text);
      if (value === undefined) return { ok: true, value: fallback };
      const normal = options.upperCase === true ? value.toUpperCase() : value.toLowerCase();
      const found = values.find((candidate) => candidate === normal);
      if (found !== undefined) return { ok: true, value: found };
      const reading = options.whenInvalid ?? fallback;
      return {
        ok: false,
        value: reading,
        problem: `${name} must be ${values.join(' or ')}; got ${quoted(value)}${options.whenInvalid === undefined ? '' : ` (reading ${reading})`}`,
      };
    },
  };
}

/** Free text (an id, a path, a JSON document): absent or blank is undefined. */
export function text(): Variable<string | undefined> {
  return { read: (value) => ({ ok: true, value: present(value) }) };
}

/** Text that must match `pattern`, described by `what`. */
export function matching(pattern: RegExp, what: string): Variable<string | undefined> {
  return {
    read(value, name) {
      const found = present(value);
      if (found === undefined || pattern.test(found)) return { ok: true, value: found };
      return { ok: false, value: undefined, problem: `${name} must be ${what}; got ${quoted(found)}` };
    },
  };
}

export function httpUrl(): Variable<string | undefined> {
  return {
    read(value, name) {
      const found = present(value);
      if (found === undefined) return { ok: true, value: undefined };
      try {
        const protocol = new URL(found).protocol;
        if (protocol === 'https:' || protocol === 'http:') return { ok: true, value: found };
      } catch {
        // refused below
      }
      return { ok: false, value: undefined, problem: `${name} must be an http(s) URL; got ${quoted(found)}` };
    },
  };
}

/**
 * LOG_LEVEL. A bad level is a warning that stops nothing where `lenient` (a Lambda must not stop
 * moderating over its log detail), and a problem otherwise.
 */
export function logLevel(options: { readonly lenient?: boolean } = {}): Variable<LogLevel> {
  return {
    read(value, name) {
      const found = present(value)?.toLowerCase();
      if (found === undefined) return { ok: true, value: 'info' };
      const level = LOG_LEVELS.find((candidate) => candidate === found);
      if (level !== undefined) return { ok: true, value: level };
      return {
        ok: false,
        value: 'info',
        problem: `${name} must be one of ${LOG_LEVELS.join(', ')}; got ${quoted(found)}${options.lenient === true ? ' (using info)' : ''}`,
        ...(options.lenient === true ? { warning: true } : {}),
      };
    },
  };
}

type Values<V extends Record<string, Variable<unknown>>> = {
  readonly [K in keyof V]: V[K] extends Variable<infer T> ? T : never;
};

export interface EnvReading<V extends Record<string, Variable<unknown>>> {
  readonly values: Values<V>;
  /** Every refused value, one sentence each. */
  readonly problems: string[];
  /** Refused values that stop nothing. */
  readonly warnings: string[];
}

/** Reads every declared variable; never throws (each deployable decides what a problem means). */
export function readEnv<V extends Record<string, Variable<unknown>>>(env: Env, variables: V): EnvReading<V> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [name, variable] of Object.entries(variables)) {
    const reading = variable.read(env[name], name);
    values[name] = reading.value;
    if (!reading.ok) (reading.warning === true ? warnings : problems).push(reading.problem);
  }
  return { values: values as Values<V>, problems, warnings };
}

/** LOG_LEVEL of a process (the local stack, the emulator): a bad value is an error that names it. */
export function logLevelOf(env: Env): LogLevel {
  const reading = logLevel().read(env.LOG_LEVEL, 'LOG_LEVEL');
  if (!reading.ok) throw new Error(reading.problem);
  return reading.value;
}
