/** The template as the template tests read it, and the small readers they share. */
import { strict as assert } from 'node:assert';
import { isRecord } from '../../shared/json.js';
import { readTemplate, resources } from '../../scripts/sam-template.js';

export const template = readTemplate();
export const all = resources(template);

/** A resource's Properties (the test fails, naming the resource, when it has none). */
export function properties(id: string): Record<string, unknown> {
  const value = all[id]?.Properties;
  assert.ok(isRecord(value), `${id} has Properties`);
  return value;
}

export function isRef(value: unknown, target: string): boolean {
  return isRecord(value) && value.Ref === target;
}

/** `!GetAtt A.B` in either of the forms the YAML parser yields. */
export function isGetAtt(value: unknown, resource: string, attribute: string): boolean {
  if (!isRecord(value)) return false;
  const getAtt = value['Fn::GetAtt'];
  return (
    (Array.isArray(getAtt) && getAtt[0] === resource && getAtt[1] === attribute) ||
    getAtt === `${resource}.${attribute}`
  );
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
