/**
 * Amazon IVS Chat limits this project enforces. Sources: the IVS Chat API reference (parameter constraints) and the IVS Chat service quotas
 * (AWS API model ivschat/2020-07-14 and the service quotas page).
 */
export const IVS_LIMITS = {
  /** CreateChatToken sessionDurationInMinutes: 1–180, default 60. */
  sessionDurationMinutes: { min: 1, max: 180, default: 60 },
  /** userId: 1–128 characters; sensitive, never logged at info level. */
  userIdLength: { min: 1, max: 128 },
  /** Token and event attribute maps: string→string, 1 KB in total (keys plus values, UTF-8 bytes). */
  attributesMaxBytes: 1024,
  /** maximumMessageLength: 1–500, default 500, counted in Unicode code points. */
  maximumMessageLength: { min: 1, max: 500, default: 500 },
  /** maximumMessageRatePerSecond: API 1–100, default 10 (CloudFormation's schema caps it at 10). */
  maximumMessageRatePerSecond: { min: 1, max: 100, default: 10, cloudFormationMax: 10 },
  /** Room name: 0–128 characters of [a-zA-Z0-9-_]. */
  roomName: { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ },
  /** Room, message and logging-configuration ids: exactly 12 of [a-zA-Z0-9]. */
  resourceId: { length: 12, pattern: /^[a-zA-Z0-9]{12}$/ },
  /** Tags: at most 50 per resource; key 1–128, value 0–256. */
  tags: { maxPerResource: 50, keyMax: 128, valueMax: 256 },
  /** reason on DeleteMessage / DisconnectUser: 1–256 characters. */
  reasonLength: { min: 1, max: 256 },
  /**
   * Messaging RequestId: the messaging API reference documents no bound and the messaging SDK sends a
   * 36-character uuid. Unconfirmed: this project's reading is at most 64 characters, which every
   * uuid-style id fits, answered like any other oversized field (ERROR 413).
   */
  requestIdLength: { max: 64 },
  /** SendEvent eventName: 1–100 characters. */
  eventNameLength: { min: 1, max: 100 },
  /** ListRooms / ListLoggingConfigurations maxResults: 1–50, default 50. */
  listMaxResults: { min: 1, max: 50, default: 50 },
  /** Logging configurations: 10 per account and region, at most 3 per room. */
  loggingConfigurations: { perAccount: 10, perRoom: 3 },
  /** Message review handler uri: 0–170 characters, empty or a Lambda function ARN. */
  reviewHandlerUri: { max: 170, pattern: /^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+/ },
  /** Message review handler timeout: 200 ms, not adjustable; past it the room's fallbackResult applies. */
  reviewTimeoutMs: 200,
  /**
   * API call rates, TPS per account and region, each operation its own (IVS Chat service quotas):
   * CreateChatToken 200 (not adjustable); DeleteMessage, DisconnectUser and SendEvent 100 each, over
   * the API and the messaging socket together; the five room operations 5 each; the five
   * logging-configuration operations 3 each; the three tag operations 10 each.
   */
  rates: {
    createChatToken: 200,
    deleteMessage: 100,
    disconnectUser: 100,
    sendEvent: 100,
    roomControlPlane: 5,
    loggingConfiguration: 3,
    tags: 10,
  },
  /** Concurrent chat connections per account and region: 50,000 by default (adjustable in AWS). */
  concurrentConnections: 50_000,
} as const;

export const FALLBACK_RESULTS = ['ALLOW', 'DENY'] as const;
export type FallbackResult = (typeof FALLBACK_RESULTS)[number];

export const CHAT_TOKEN_CAPABILITIES = ['SEND_MESSAGE', 'DISCONNECT_USER', 'DELETE_MESSAGE'] as const;
export type ChatTokenCapability = (typeof CHAT_TOKEN_CAPABILITIES)[number];

/** Length in Unicode code points, as IVS counts maximumMessageLength (not UTF-16 units, not bytes). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Size of a string→string attribute map as IVS bounds it: UTF-8 bytes of every key and value. */
export function attributesByteSize(attributes: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const [key, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return size;
}
