/**
 * The five logging-configuration operations. A configuration is live: rooms that name it have their
 * messages and events appended under the data directory (see ../chat-log.ts).
 */
import { formatArn, newResourceId, parseLoggingConfigurationArn } from '../../../shared/ivs/arn.js';
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { conflict, notFound, quotaExceeded } from '../errors.js';
import type { DestinationConfiguration, LoggingConfiguration } from '../store.js';
import { Fields } from '../validation.js';
import type { Operation, OperationContext } from './context.js';

const NAME = { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ };

function output(config: LoggingConfiguration, tags: Record<string, string>): Record<string, unknown> {
  return {
    arn: config.arn,
    id: config.id,
    name: config.name,
    createTime: config.createTime,
    updateTime: config.updateTime,
    destinationConfiguration: config.destinationConfiguration,
    // Changes apply at once locally, so a configuration is always ACTIVE.
    state: 'ACTIVE',
    tags,
  };
}

/** Exactly one of s3, cloudWatchLogs or firehose, with the model's name patterns. */
function destination(fields: Fields, required: boolean): DestinationConfiguration | undefined {
  const nested = fields.object('destinationConfiguration');
  if (!nested) {
    if (required) fields.fail('destinationConfiguration', 'is required');
    return undefined;
  }
  const kinds = ['s3', 'cloudWatchLogs', 'firehose'].filter((kind) => nested.has(kind));
  if (kinds.length !== 1) {
    fields.fail('destinationConfiguration', 'must set exactly one of s3, cloudWatchLogs, firehose');
    return undefined;
  }
  let result: DestinationConfiguration | undefined;
  if (kinds[0] === 's3') {
    const s3 = nested.object('s3');
    const bucketName = s3?.string('bucketName', {
      required: true,
      min: 3,
      max: 63,
      pattern: /^[a-z0-9-.]+$/,
    });
    if (s3) nested.absorb(s3);
    if (bucketName !== undefined) result = { s3: { bucketName } };
  } else if (kinds[0] === 'cloudWatchLogs') {
    const logs = nested.object('cloudWatchLogs');
    const logGroupName = logs?.string('logGroupName', {
      required: true,
      min: 1,
      max: 512,
      pattern: /^[.\-_/#A-Za-z0-9]+$/,
    });
    if (logs) nested.absorb(logs);
    if (logGroupName !== undefined) result = { cloudWatchLogs: { logGroupName } };
  } else {
    const firehose = nested.object('firehose');
    const deliveryStreamName = firehose?.string('deliveryStreamName', {
      required: true,
      min: 1,
      max: 64,
      pattern: /^[a-zA-Z0-9_.-]+$/,
    });
    if (firehose) nested.absorb(firehose);
    if (deliveryStreamName !== undefined) result = { firehose: { deliveryStreamName } };
  }
  fields.absorb(nested);
  return result;
}

function find(context: OperationContext, identifier: string): LoggingConfiguration {
  const arn = parseLoggingConfigurationArn(identifier);
  const config = arn ? context.store.loggingConfigurations.get(arn.id) : undefined;
  if (!config || config.arn !== identifier) throw notFound(arn?.id ?? identifier, 'LOGGING_CONFIGURATION');
  return config;
}

function identifierOf(fields: Fields): string {
  fields.loggingConfigurationArn('identifier');
  fields.check();
  return String(fields.raw('identifier'));
}

export const createLoggingConfiguration: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  const name = fields.string('name', NAME);
  const destinationConfiguration = destination(fields, true);
  const tags = fields.tags();
  fields.check();
  const { perAccount } = IVS_LIMITS.loggingConfigurations;
  if (context.store.loggingConfigurations.size >= perAccount || !destinationConfiguration) {
    throw quotaExceeded(
      `At most ${perAccount} logging configurations per account and region`,
      perAccount,
      '',
      'LOGGING_CONFIGURATION',
    );
  }
  const id = newResourceId();
  const now = context.clock.now().toISOString();
  const config: LoggingConfiguration = {
    id,
    arn: formatArn({
      region: context.region,
      accountId: context.accountId,
      resourceType: 'logging-configuration',
      id,
    }),
    name: name ?? '',
    createTime: now,
    updateTime: now,
    destinationConfiguration,
  };
  context.store.loggingConfigurations.set(id, config);
  context.store.setTags(config.arn, tags ?? {});
  return { body: output(config, context.store.tagsOf(config.arn)) };
};

export const getLoggingConfiguration: Operation = ({ body }, context) => {
  const config = find(context, identifierOf(new Fields(body)));
  return { body: output(config, context.store.tagsOf(config.arn)) };
};

export const updateLoggingConfiguration: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.loggingConfigurationArn('identifier');
  const name = fields.string('name', NAME);
  const destinationConfiguration = destination(fields, false);
  fields.check();
  const config = find(context, String(fields.raw('identifier')));
  if (name !== undefined) config.name = name;
  if (destinationConfiguration) config.destinationConfiguration = destinationConfiguration;
  config.updateTime = context.clock.now().toISOString();
  return { body: output(config, context.store.tagsOf(config.arn)) };
};

/** 204, no body. A configuration still named by a room is in use: ConflictException. */
export const deleteLoggingConfiguration: Operation = ({ body }, context) => {
  const config = find(context, identifierOf(new Fields(body)));
  const user = [...context.store.rooms.values()].find((room) =>
    room.loggingConfigurationIdentifiers.includes(config.arn),
  );
  if (user) {
    throw conflict(
      `Logging configuration ${config.id} is used by room ${user.id}`,
      config.id,
      'LOGGING_CONFIGURATION',
    );
  }
  context.store.loggingConfigurations.delete(config.id);
  context.store.setTags(config.arn, {});
  return { status: 204 };
};

export const listLoggingConfigurations: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  const { min, max } = IVS_LIMITS.listMaxResults;
  const maxResults = fields.integer('maxResults', min, max) ?? IVS_LIMITS.listMaxResults.default;
  const nextToken = fields.string('nextToken', { max: 1024 });
  fields.check();
  const all = [...context.store.loggingConfigurations.values()].sort((a, b) =>
    a.createTime === b.createTime ? a.id.localeCompare(b.id) : a.createTime.localeCompare(b.createTime),
  );
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = Buffer.from(nextToken, 'base64url').toString('utf8');
    const index = all.findIndex((config) => config.id === after);
    if (index < 0) {
      fields.fail('nextToken', 'is not a token ListLoggingConfigurations issued');
      fields.check();
    }
    start = index + 1;
  }
  const page = all.slice(start, start + maxResults);
  const last = page.at(-1);
  return {
    body: {
      loggingConfigurations: page.map((config) => output(config, context.store.tagsOf(config.arn))),
      ...(start + page.length < all.length && last
        ? { nextToken: Buffer.from(last.id).toString('base64url') }
        : {}),
    },
  };
};
