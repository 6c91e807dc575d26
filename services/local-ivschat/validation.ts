/**
 * Server-side validation of every request member as the ivschat model constrains it. The SDK validates
 * nothing (IVS Chat API reference, restJson1 as the SDK speaks it), so every problem found here becomes a ValidationException with
 * `reason: FIELD_VALIDATION_FAILED` and one `fieldList` entry per bad member.
 */
import { attributesByteSize, codePointLength, IVS_LIMITS } from '../../shared/ivs/limits.js';
import { parseLoggingConfigurationArn, parseRoomArn, type IvsChatArn } from '../../shared/ivs/arn.js';
import { validationError, type FieldProblem } from './errors.js';
import { isRecord } from '../../shared/json.js';

interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

interface MapRule {
  readonly maxBytes?: number;
  readonly maxEntries?: number;
  readonly keyMin?: number;
  readonly keyMax?: number;
  readonly valueMax?: number;
}

/** Collects every problem in one request, then throws them together (as AWS reports a fieldList). */
export class Fields {
  readonly #problems: FieldProblem[] = [];
  readonly #input: Readonly<Record<string, unknown>>;
  readonly #prefix: string;

  constructor(input: Readonly<Record<string, unknown>>, prefix = '') {
    this.#input = input;
    this.#prefix = prefix;
  }

  fail(name: string, message: string): void {
    this.#problems.push({ name: this.#prefix + name, message });
  }

  has(name: string): boolean {
    return this.#input[name] !== undefined && this.#input[name] !== null;
  }

  raw(name: string): unknown {
    return this.#input[name];
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(name, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(name, 'must be a string');
      return;
    }
    const length = codePointLength(value);
    if (rule.min !== undefined && length < rule.min) {
      this.fail(name, `must be at least ${rule.min} characters`);
      return;
    }
    if (rule.max !== undefined && length > rule.max) {
      this.fail(name, `must be at most ${rule.max} characters`);
      return;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.fail(name, `must match ${String(rule.pattern)}`);
      return;
    }
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(name, 'must be an integer');
      return;
    }
    if (value < min || value > max) {
      this.fail(name, `must be between ${min} and ${max}`);
      return;
    }
    return value;
  }

  oneOf<const T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) this.fail(name, `must be one of ${values.join(', ')}`);
    return found;
  }

  /** A string→string map (attributes, tags) within the model's size bounds. */
  stringMap(name: string, rule: MapRule = {}): Record<string, string> | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.fail(name, 'must be a map of strings');
      return;
    }
    const entries: [string, string][] = [];
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') {
        this.fail(`${name}.${key}`, 'must be a string');
        return;
      }
      const keyLength = codePointLength(key);
      if (rule.keyMin !== undefined && keyLength < rule.keyMin) {
        this.fail(name, `keys must be at least ${rule.keyMin} characters`);
        return;
      }
      if (rule.keyMax !== undefined && keyLength > rule.keyMax) {
        this.fail(name, `keys must be at most ${rule.keyMax} characters`);
        return;
      }
      if (rule.valueMax !== undefined && codePointLength(entry) > rule.valueMax) {
        this.fail(`${name}.${key}`, `must be at most ${rule.valueMax} characters`);
        return;
      }
      entries.push([key, entry]);
    }
    // fromEntries defines own properties: a key named `__proto__` stays an entry instead of being
    // swallowed by the prototype setter that `map[key] = entry` would call.
    const map = Object.fromEntries(entries);
    if (rule.maxEntries !== undefined && Object.keys(map).length > rule.maxEntries) {
      this.fail(name, `must have at most ${rule.maxEntries} entries`);
      return;
    }
    if (rule.maxBytes !== undefined && attributesByteSize(map) > rule.maxBytes) {
      this.fail(name, `must be at most ${rule.maxBytes} bytes in total`);
      return;
    }
    return map;
  }

  tags(name = 'tags'): Record<string, string> | undefined {
    const { maxPerResource, keyMax, valueMax } = IVS_LIMITS.tags;
    return this.stringMap(name, { maxEntries: maxPerResource, keyMin: 1, keyMax, valueMax });
  }

  /** Every roomIdentifier "must currently be an ARN" (IVS Chat API reference and service quotas). */
  roomArn(name: string): IvsChatArn | undefined {
    const value = this.string(name, { required: true, min: 1, max: 128 });
    if (value === undefined) return undefined;
    const arn = parseRoomArn(value);
    if (!arn) this.fail(name, 'must be a room ARN');
    return arn;
  }

  loggingConfigurationArn(name: string): IvsChatArn | undefined {
    const value = this.string(name, { required: true, min: 1, max: 128 });
    if (value === undefined) return undefined;
    const arn = parseLoggingConfigurationArn(value);
    if (!arn) this.fail(name, 'must be a logging configuration ARN');
    return arn;
  }

  list(name: string): unknown[] | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map((item: unknown) => item);
    this.fail(name, 'must be a list');
    return undefined;
  }

  object(name: string): Fields | undefined {
    const value = this.#input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.fail(name, 'must be an object');
      return;
    }
    return new Fields(value, `${this.#prefix}${name}.`);
  }

  /** Adopts the problems a nested checker found. */
  absorb(nested: Fields): void {
    this.#problems.push(...nested.problems);
  }

  get problems(): readonly FieldProblem[] {
    return this.#problems;
  }

  /** Throws a ValidationException naming every bad member, if any. */
  check(): void {
    if (this.#problems.length > 0) throw validationError(this.#problems);
  }
}
