import { randomBytes } from 'node:crypto';
import { IVS_LIMITS } from './limits.js';

/** `arn:aws:ivschat:<region>:<12-digit account>:room/<12-char id>` (every roomIdentifier must be an ARN). */
const ROOM_ARN = /^arn:(aws|aws-cn|aws-us-gov):ivschat:([a-z0-9-]+):([0-9]{12}):room\/([a-zA-Z0-9]{12})$/;
const LOGGING_CONFIGURATION_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):ivschat:([a-z0-9-]+):([0-9]{12}):logging-configuration\/([a-zA-Z0-9]{12})$/;

export interface IvsChatArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'room' | 'logging-configuration';
  readonly id: string;
}

function parse(
  value: unknown,
  pattern: RegExp,
  resourceType: IvsChatArn['resourceType'],
): IvsChatArn | undefined {
  if (typeof value !== 'string') return undefined;
  const match = pattern.exec(value);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', id = ''] = match;
  return { partition, region, accountId, resourceType, id };
}

export function parseRoomArn(value: unknown): IvsChatArn | undefined {
  return parse(value, ROOM_ARN, 'room');
}

export function parseLoggingConfigurationArn(value: unknown): IvsChatArn | undefined {
  return parse(value, LOGGING_CONFIGURATION_ARN, 'logging-configuration');
}

export function formatArn(arn: Omit<IvsChatArn, 'partition'> & { partition?: string }): string {
  return `arn:${arn.partition ?? 'aws'}:ivschat:${arn.region}:${arn.accountId}:${arn.resourceType}/${arn.id}`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh id as IVS makes them: exactly 12 of [a-zA-Z0-9], unbiased. */
export function newResourceId(): string {
  const length = IVS_LIMITS.resourceId.length;
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && id.length < length) id += ALPHANUMERIC.charAt(byte % 62);
    }
  }
  return id;
}
