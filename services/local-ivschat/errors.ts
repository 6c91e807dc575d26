/**
 * The IVS Chat control plane's typed errors, as `@aws-sdk/client-ivschat` decodes them
 * (IVS Chat API reference, restJson1 as the SDK speaks it): the model's HTTP status, the name in the `x-amzn-ErrorType` header, and a body
 * `{message, ...members}` with every member the model declares — never a `code` key, which the SDK
 * would read as the error name.
 */
export const ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;
export type IvsChatErrorName = keyof typeof ERROR_STATUS;

export const VALIDATION_REASONS = ['UNKNOWN_OPERATION', 'FIELD_VALIDATION_FAILED', 'OTHER'] as const;
export type ValidationReason = (typeof VALIDATION_REASONS)[number];

export interface FieldProblem {
  readonly name: string;
  readonly message: string;
}

/** `ROOM` is the model's only ResourceType; logging configurations get a name of the same form. */
export type ResourceType = 'ROOM' | 'LOGGING_CONFIGURATION';

export class IvsChatError extends Error {
  readonly status: number;
  readonly members: Readonly<Record<string, unknown>>;

  constructor(name: IvsChatErrorName, message: string, members: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = name;
    this.status = ERROR_STATUS[name];
    this.members = members;
  }

  /** The response body: the message and every member, as the SDK deserializes them by name. */
  body(): Record<string, unknown> {
    return { message: this.message, ...this.members };
  }
}

export function validationError(
  fieldList: readonly FieldProblem[],
  reason: ValidationReason = 'FIELD_VALIDATION_FAILED',
  message?: string,
): IvsChatError {
  const text = message ?? fieldList.map((field) => `${field.name}: ${field.message}`).join('; ');
  return new IvsChatError('ValidationException', text, { reason, fieldList });
}

export function notFound(resourceId: string, resourceType: ResourceType = 'ROOM'): IvsChatError {
  const what = resourceType === 'ROOM' ? 'room' : 'logging configuration';
  return new IvsChatError('ResourceNotFoundException', `The ${what} ${resourceId} does not exist`, {
    resourceId,
    resourceType,
  });
}

export function conflict(message: string, resourceId: string, resourceType: ResourceType): IvsChatError {
  return new IvsChatError('ConflictException', message, { resourceId, resourceType });
}

export function quotaExceeded(
  message: string,
  limit: number,
  resourceId: string,
  resourceType: ResourceType,
): IvsChatError {
  return new IvsChatError('ServiceQuotaExceededException', message, { resourceId, resourceType, limit });
}

export function throttled(
  limit: number,
  resourceId: string,
  resourceType: ResourceType = 'ROOM',
): IvsChatError {
  return new IvsChatError('ThrottlingException', `Rate exceeded: at most ${limit} requests per second`, {
    resourceId,
    resourceType,
    limit,
  });
}

export function accessDenied(message: string): IvsChatError {
  return new IvsChatError('AccessDeniedException', message);
}
