/**
 * TagResource, UntagResource and ListTagsForResource. The ARN arrives percent-encoded in the path
 * (`/tags/{resourceArn}`, IVS Chat API reference, restJson1 as the SDK speaks it) and is decoded by the router.
 */
import { parseLoggingConfigurationArn, parseRoomArn } from '../../../shared/ivs/arn.js';
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { notFound, validationError } from '../errors.js';
import { Fields } from '../validation.js';
import type { OperationContext, OperationInput, Operation } from './context.js';

/** The tagged resource must exist: a room or a logging configuration of this emulator. */
function resource(input: OperationInput, context: OperationContext): string {
  const arn = input.resourceArn ?? '';
  const room = parseRoomArn(arn);
  if (room) {
    if (context.store.rooms.get(room.id)?.arn !== arn) throw notFound(room.id, 'ROOM');
    return arn;
  }
  const config = parseLoggingConfigurationArn(arn);
  if (config) {
    if (context.store.loggingConfigurations.get(config.id)?.arn !== arn)
      throw notFound(config.id, 'LOGGING_CONFIGURATION');
    return arn;
  }
  throw validationError([
    { name: 'resourceArn', message: 'must be an IVS Chat room or logging configuration ARN' },
  ]);
}

export const tagResource: Operation = (input, context) => {
  const fields = new Fields(input.body);
  const tags = fields.tags();
  if (!fields.has('tags')) fields.fail('tags', 'is required');
  fields.check();
  const arn = resource(input, context);
  const merged = { ...context.store.tagsOf(arn), ...tags };
  // At most 50 tags per resource, counting the ones it already has (IVS Chat API reference and service quotas).
  if (Object.keys(merged).length > IVS_LIMITS.tags.maxPerResource) {
    throw validationError([
      { name: 'tags', message: `a resource has at most ${IVS_LIMITS.tags.maxPerResource} tags` },
    ]);
  }
  context.store.setTags(arn, merged);
  return { body: {} };
};

export const untagResource: Operation = (input, context) => {
  const keys = input.query?.getAll('tagKeys') ?? [];
  if (keys.length === 0 || keys.length > IVS_LIMITS.tags.maxPerResource) {
    throw validationError([
      { name: 'tagKeys', message: `must name 1 to ${IVS_LIMITS.tags.maxPerResource} keys` },
    ]);
  }
  const arn = resource(input, context);
  const tags = context.store.tagsOf(arn);
  for (const key of keys) Reflect.deleteProperty(tags, key);
  context.store.setTags(arn, tags);
  return { body: {} };
};

export const listTagsForResource: Operation = (input, context) => {
  const arn = resource(input, context);
  return { body: { tags: context.store.tagsOf(arn) } };
};
