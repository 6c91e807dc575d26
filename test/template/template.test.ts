/**
 * Structural checks of template.yaml that cfn-lint cannot make: it ignores Metadata (the esbuild
 * build), does not know our handlers, and accepts a too-broad IAM grant or a missing DependsOn.
 */
import { strict as assert } from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { targets } from '../../scripts/build.js';
import { isRecord } from '../../shared/json.js';
import { TABLE_KEYS, tableDefinition } from '../../shared/table/schema.js';
import { STACK_TAG } from '../../shared/ivs/tags.js';
import {
  defaultValue,
  repoRoot,
  resources,
  resourcesOfType,
  serverlessFunction,
  type Json,
} from '../../scripts/sam-template.js';
import { template, all, properties, isRef, isGetAtt, asList, functionStatements } from './support.js';

const functionIds = resourcesOfType(template, 'AWS::Serverless::Function').map(([id]) => id);

/** What `sam deploy --guided` would be told for the parameters that have no default. */
const DEPLOY_ANSWERS: Readonly<Record<string, string>> = {
  AuthJwksUri: 'https://idp.example.com/.well-known/jwks.json',
  AuthIssuer: 'https://idp.example.com',
  AuthAudience: 'chat-app',
  // Resources and pseudo parameters the function's environment refers to.
  ChatTable: 'ivs-chat-backend-ChatTable-EXAMPLE',
  'MessageReviewFunction.Alias': 'arn:aws:lambda:us-east-1:123456789012:function:review:live',
  'AWS::AccountId': '123456789012',
  CorsOrigins: 'https://app.example.com',
};

/**
 * The BuildProperties keys `sam build` passes to esbuild, as the SAM developer guide lists them
 * ("Building Node.js Lambda functions with esbuild in AWS SAM"). Anything else is silently dropped,
 * so a typo (e.g. `SourceMap`) would ship a bundle built differently from the one tested.
 */
const SAM_ESBUILD_PROPERTIES = new Set([
  'EntryPoints',
  'External',
  'Format',
  'Loader',
  'MainFields',
  'Minify',
  'OutExtension',
  'Sourcemap',
  'SourcesContent',
  'Target',
]);

/** Every IAM policy statement in the template: SAM function Policies, roles and policies. */
function policyStatements(tpl: Json): Record<string, unknown>[] {
  const statements: Record<string, unknown>[] = [];
  const collect = (document: unknown): void => {
    if (!isRecord(document)) return;
    for (const statement of asList(document.Statement)) if (isRecord(statement)) statements.push(statement);
  };
  for (const [, resource] of Object.entries(resources(tpl))) {
    const props = isRecord(resource.Properties) ? resource.Properties : {};
    if (resource.Type === 'AWS::Serverless::Function') {
      for (const policy of asList(props.Policies)) collect(policy);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asList(props.Policies)) if (isRecord(policy)) collect(policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      collect(props.PolicyDocument);
    }
  }
  return statements;
}

describe('template.yaml globals', () => {
  it('deploys through the SAM transform', () => {
    assert.equal(template.Transform, 'AWS::Serverless-2016-10-31');
  });

  it('runs every function on nodejs22.x, arm64, traced, JSON-logged; source maps on all but the token function', () => {
    const globals = isRecord(template.Globals) ? template.Globals.Function : undefined;
    assert.ok(isRecord(globals));
    assert.equal(globals.Runtime, 'nodejs22.x');
    assert.deepEqual(globals.Architectures, ['arm64']);
    // Tracing is the Tracing parameter (default Active); test/template/operations.test.ts checks it.
    assert.ok(isRef(globals.Tracing, 'Tracing'));
    assert.deepEqual(globals.LoggingConfig, { LogFormat: 'JSON' });
    for (const id of functionIds) {
      // The token bundle carries its AWS SDK: decoding its map would cost every cold start (template.yaml).
      const expected = id === 'TokenVendingFunction' ? undefined : '--enable-source-maps';
      assert.equal(serverlessFunction(template, id).environment.NODE_OPTIONS, expected, id);
    }
  });
});

describe('template.yaml functions', () => {
  it('has the four deployable functions', () => {
    assert.deepEqual([...functionIds].sort(), [
      'AccessSweeperFunction',
      'ChatHistoryFunction',
      'MessageReviewFunction',
      'TokenVendingFunction',
    ]);
  });

  for (const id of functionIds) {
    describe(id, () => {
      const fn = serverlessFunction(template, id);

      it('is built by esbuild from the repository root', () => {
        assert.equal(
          all[id]?.Metadata && isRecord(all[id].Metadata) && all[id].Metadata.BuildMethod,
          'esbuild',
        );
        assert.equal(properties(id).CodeUri, '.');
      });

      it('gives esbuild only BuildProperties SAM accepts', () => {
        const unknown = Object.keys(fn.buildProperties).filter((key) => !SAM_ESBUILD_PROPERTIES.has(key));
        assert.deepEqual(unknown, []);
      });

      it('names one entry file that exists, and a Handler that matches esbuild output', () => {
        assert.equal(fn.entryPoints.length, 1);
        const entry = fn.entryPoints[0] ?? '';
        assert.ok(existsSync(join(repoRoot, entry)), `${entry} exists`);
        // One entry point: esbuild writes <entry basename>.js at the top of the artifact.
        assert.equal(fn.handlerFile, basename(entry, extname(entry)));
      });

      it('exports a handler taking at most (event, context)', async () => {
        const entry = join(repoRoot, fn.entryPoints[0] ?? '');
        assert.ok(existsSync(entry), `${entry} exists`);
        // Entries read their environment at load, as in Lambda: give them what a deployment would.
        for (const [name, value] of Object.entries(fn.environment)) {
          const parameter = isRecord(value) && typeof value.Ref === 'string' ? value.Ref : '';
          const deployed = defaultValue(template, value) ?? DEPLOY_ANSWERS[parameter];
          if (deployed !== undefined) process.env[name] ??= deployed;
        }
        const module: unknown = await import(pathToFileURL(entry).href);
        const handler: unknown = isRecord(module) ? module[fn.handlerExport] : undefined;
        assert.equal(typeof handler, 'function', `${entry} exports ${fn.handlerExport}`);
        assert.ok(typeof handler === 'function' && handler.length <= 2, 'at most two parameters');
      });

      it('is built with the same esbuild options as scripts/build.ts', () => {
        const entry = fn.entryPoints[0] ?? '';
        const target = targets.find(
          (candidate) =>
            Array.isArray(candidate.options.entryPoints) && candidate.options.entryPoints.includes(entry),
        );
        assert.ok(target, `scripts/build.ts has a target for ${entry}`);
        const { options } = target;
        const props = fn.buildProperties;
        assert.equal(props.Format, options.format);
        assert.equal(props.Target, options.target);
        assert.equal(props.Minify, options.minify);
        assert.equal(props.Sourcemap, options.sourcemap);
        // SAM marks nothing external unless told to: an absent External bundles everything.
        assert.deepEqual(props.External ?? [], options.external ?? []);
      });

      it('logs to its own log group with a retention', () => {
        const logging = properties(id).LoggingConfig;
        assert.ok(isRecord(logging) && isRecord(logging.LogGroup));
        const groupId = logging.LogGroup.Ref;
        assert.equal(typeof groupId, 'string');
        const group = all[String(groupId)];
        assert.equal(group?.Type, 'AWS::Logs::LogGroup');
        assert.ok(isRecord(group.Properties) && group.Properties.RetentionInDays !== undefined);
      });
    });
  }

  it('gives the review function a timeout of about a second and a small memory', () => {
    const fn = serverlessFunction(template, 'MessageReviewFunction');
    // IVS waits 200 ms whatever the timeout (IVS Chat User Guide, chat message review handler).
    assert.ok(fn.timeoutSeconds <= 3, `timeout ${fn.timeoutSeconds}s`);
    assert.ok(fn.memorySize <= 512, `memory ${fn.memorySize} MB`);
    assert.ok(isRef(fn.environment.FALLBACK_RESULT, 'FallbackResult'));
  });
});

describe('message review wiring', () => {
  const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
    ([, resource]) =>
      isRecord(resource.Properties) && resource.Properties.Principal === 'ivschat.amazonaws.com',
  );

  it('lets only IVS Chat rooms of this account and region invoke the review function', () => {
    assert.equal(permissions.length, 1);
    const [id] = permissions[0] ?? [''];
    const props = properties(id);
    assert.equal(props.Principal, 'ivschat.amazonaws.com');
    assert.equal(props.Action, 'lambda:InvokeFunction');
    // The alias: what the room invokes, and what provisioned concurrency keeps warm.
    assert.ok(isRef(props.FunctionName, 'MessageReviewFunction.Alias'));
    assert.ok(isRef(props.SourceAccount, 'AWS::AccountId'));
    assert.deepEqual(props.SourceArn, {
      'Fn::Sub': 'arn:${AWS::Partition}:ivschat:${AWS::Region}:${AWS::AccountId}:room/*',
    });
  });

  it('creates the room after the permission, with the function as its review handler', () => {
    const rooms = resourcesOfType(template, 'AWS::IVSChat::Room');
    assert.equal(rooms.length, 1);
    const [roomId, room] = rooms[0] ?? ['', {}];
    const [permissionId] = permissions[0] ?? [''];
    assert.ok(asList(room.DependsOn).includes(permissionId), `${roomId} DependsOn ${permissionId}`);
    const handler = properties(roomId).MessageReviewHandler;
    assert.ok(isRecord(handler));
    assert.ok(isRef(handler.Uri, 'MessageReviewFunction.Alias'));
    assert.ok(isRef(handler.FallbackResult, 'FallbackResult'));
  });

  it('logs the room to a CloudWatch log group with a retention', () => {
    const [roomId] = resourcesOfType(template, 'AWS::IVSChat::Room')[0] ?? [''];
    const configs = resourcesOfType(template, 'AWS::IVSChat::LoggingConfiguration');
    assert.equal(configs.length, 1);
    const [configId] = configs[0] ?? [''];
    assert.ok(
      asList(properties(roomId).LoggingConfigurationIdentifiers).some((v) => isGetAtt(v, configId, 'Arn')),
    );
    const destination = properties(configId).DestinationConfiguration;
    assert.ok(isRecord(destination) && isRecord(destination.CloudWatchLogs));
    const groupRef = destination.CloudWatchLogs.LogGroupName;
    assert.ok(isRecord(groupRef) && typeof groupRef.Ref === 'string');
    const group = all[groupRef.Ref];
    assert.equal(group?.Type, 'AWS::Logs::LogGroup');
    assert.ok(isRecord(group.Properties) && group.Properties.RetentionInDays !== undefined);
  });
});

describe('logging', () => {
  it('keeps every log group for a bounded time', () => {
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    assert.ok(groups.length >= 6, 'the four functions, the chat log and the API access log');
    for (const [id] of groups)
      assert.ok(
        isRef(properties(id).RetentionInDays, 'LogRetentionInDays') ||
          isRef(properties(id).RetentionInDays, 'ChatLogRetentionInDays'),
        id,
      );
  });

  it('writes API access logs without headers, query strings or bodies', () => {
    const settings = properties('TokenApi').AccessLogSettings;
    assert.ok(isRecord(settings) && typeof settings.Format === 'string');
    assert.doesNotMatch(
      settings.Format,
      /\$context\.(authorizer|requestOverride|responseOverride)|\$request\.|querystring|header/i,
    );
    assert.ok(JSON.parse(settings.Format), 'the format is one JSON object');
  });
});

describe('IAM', () => {
  const statements = policyStatements(template);
  const ivschatStatements = statements.filter((statement) =>
    asList(statement.Action).some((action) => typeof action === 'string' && /^(ivschat:|\*$)/i.test(action)),
  );

  const roomsOfThisRegion = {
    'Fn::Sub': 'arn:${AWS::Partition}:ivschat:${AWS::Region}:${AWS::AccountId}:room/*',
  };

  it('grants ivschat actions by name, on this account and region\'s rooms, with "*" only for ListRooms', () => {
    assert.ok(ivschatStatements.length > 0, 'the token function has an ivschat grant');
    for (const statement of ivschatStatements) {
      for (const action of asList(statement.Action)) {
        assert.ok(typeof action === 'string' && !action.includes('*'), `action ${JSON.stringify(action)}`);
      }
      const actions = asList(statement.Action);
      const granted = asList(statement.Resource);
      if (granted.includes('*')) assert.deepEqual(actions, ['ivschat:ListRooms']);
      else
        for (const resource of granted) {
          const text = JSON.stringify(resource);
          assert.ok(
            JSON.stringify(resource) === JSON.stringify(roomsOfThisRegion) ||
              /ChatLoggingConfiguration/.test(text),
            `resource ${text}`,
          );
        }
      assert.equal(statement.NotResource, undefined);
      assert.equal(statement.NotAction, undefined);
    }
  });

  it('lets the token function use exactly the ivschat actions the service calls', () => {
    const actions = new Set(
      functionStatements('TokenVendingFunction')
        .flatMap((statement) => asList(statement.Action))
        .filter((action) => typeof action === 'string' && action.startsWith('ivschat:')),
    );
    assert.deepEqual([...actions].sort(), [
      'ivschat:CreateChatToken',
      'ivschat:CreateRoom',
      'ivschat:DeleteMessage',
      'ivschat:DeleteRoom',
      'ivschat:DisconnectUser',
      'ivschat:GetRoom',
      'ivschat:ListRooms',
      'ivschat:SendEvent',
      'ivschat:TagResource',
      'ivschat:UpdateRoom',
    ]);
  });

  // Rooms are made at run time, so the grant cannot name them: it names the stack's tag instead. IVS
  // Chat's entry in the service authorization reference lists aws:ResourceTag for every room action
  // and aws:RequestTag for CreateRoom and TagResource.
  const byStackTag = (key: 'ResourceTag' | 'RequestTag') => ({
    StringEquals: { [`aws:${key}/${STACK_TAG}`]: { Ref: 'AWS::StackName' } },
  });
  const creating = new Set(['ivschat:CreateRoom', 'ivschat:TagResource']);

  it('grants every room action of every function only on rooms tagged with the stack name', () => {
    const onRooms = ivschatStatements.filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify(roomsOfThisRegion),
    );
    assert.ok(onRooms.length >= 3, 'the token function (two) and the sweeper');
    for (const statement of onRooms) {
      const actions = asList(statement.Action).map(String);
      const creates = actions.filter((action) => creating.has(action));
      // A room that exists is judged by its tag, one being made by the tag requested: never both.
      assert.ok(creates.length === 0 || creates.length === actions.length, String(statement.Sid));
      const expected = creates.length > 0 ? byStackTag('RequestTag') : byStackTag('ResourceTag');
      assert.deepEqual(statement.Condition, expected, String(statement.Sid));
    }
  });

  it('lets the token function create rooms only with the stack tag, which it is told to put on them', () => {
    const statements = functionStatements('TokenVendingFunction').filter((statement) =>
      asList(statement.Action).some((action) => creating.has(String(action))),
    );
    const onRooms = statements.filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify(roomsOfThisRegion),
    );
    assert.equal(onRooms.length, 1);
    assert.deepEqual([...asList(onRooms[0]?.Action)].sort(), [...creating].sort());
    assert.deepEqual(onRooms[0]?.Condition, byStackTag('RequestTag'));
    const env = serverlessFunction(template, 'TokenVendingFunction').environment;
    assert.ok(isRef(env.ROOM_STACK_TAG, 'AWS::StackName'), 'ROOM_STACK_TAG is the stack name');
  });

  it("tags the stack's own room with the stack name, so the functions may use it", () => {
    for (const [id] of resourcesOfType(template, 'AWS::IVSChat::Room')) {
      const tags = asList(properties(id).Tags).filter(isRecord);
      const tag = tags.find((candidate) => candidate.Key === STACK_TAG);
      assert.ok(tag && isRef(tag.Value, 'AWS::StackName'), `${id} has ${STACK_TAG}`);
    }
  });

  it('lets the token function use the chat table and its index only, with no Scan and no table admin', () => {
    const tokenFunction = all.TokenVendingFunction;
    const tokenPolicies =
      isRecord(tokenFunction) && isRecord(tokenFunction.Properties) ? tokenFunction.Properties.Policies : [];
    const dynamo = asList(tokenPolicies)
      .flatMap((policy) => (isRecord(policy) ? asList(policy.Statement) : []))
      .filter((statement): statement is Record<string, unknown> => isRecord(statement))
      .filter((statement) =>
        asList(statement.Action).some(
          (action) => typeof action === 'string' && action.startsWith('dynamodb:'),
        ),
      );
    assert.equal(dynamo.length, 1);
    const actions = asList(dynamo[0]?.Action);
    assert.ok(!actions.includes('dynamodb:Scan'));
    assert.ok(
      actions.every(
        (action) =>
          typeof action === 'string' &&
          /^dynamodb:(Get|BatchGet|Query|Put|Update|Delete|BatchWrite)(Item)?$/.test(action),
      ),
    );
    assert.deepEqual(dynamo[0]?.Resource, [
      { 'Fn::GetAtt': ['ChatTable', 'Arn'] },
      { 'Fn::Sub': '${ChatTable.Arn}/index/*' },
    ]);
  });
});

describe('template.yaml chat table', () => {
  const table = all.ChatTable;

  it('matches the table definition the code uses (keys, index, TTL attribute)', () => {
    assert.ok(isRecord(table));
    const properties = isRecord(table.Properties) ? table.Properties : {};
    const definition = tableDefinition('x');
    assert.deepEqual(properties.KeySchema, definition.KeySchema);
    assert.deepEqual(properties.AttributeDefinitions, definition.AttributeDefinitions);
    assert.deepEqual(properties.GlobalSecondaryIndexes, definition.GlobalSecondaryIndexes);
    assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: TABLE_KEYS.ttl, Enabled: true });
  });

  it('is on-demand, encrypted, with point-in-time recovery, and kept when the stack goes', () => {
    assert.ok(isRecord(table));
    const properties = isRecord(table.Properties) ? table.Properties : {};
    assert.equal(properties.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(properties.SSESpecification, { SSEEnabled: true });
    assert.deepEqual(properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.equal(table.DeletionPolicy, 'Retain');
  });
});

describe('template.yaml parameters and outputs', () => {
  it('constrains every parameter', () => {
    const parameters = isRecord(template.Parameters) ? template.Parameters : {};
    assert.ok(Object.keys(parameters).length > 0);
    for (const [name, parameter] of Object.entries(parameters)) {
      assert.ok(isRecord(parameter), name);
      const constrained = ['AllowedValues', 'AllowedPattern', 'MinValue', 'MaxValue'].some(
        (key) => key in parameter,
      );
      assert.ok(constrained, `${name} has AllowedValues, AllowedPattern or Min/MaxValue`);
    }
  });

  it('keeps the room message rate within the CloudFormation cap of 10', () => {
    const parameters = isRecord(template.Parameters) ? template.Parameters : {};
    const rate = parameters.MaximumMessageRatePerSecond;
    assert.ok(isRecord(rate));
    assert.equal(rate.MaxValue, 10);
  });

  it('outputs the API URL, the room ARN and id, and the messaging endpoint', () => {
    const outputs = isRecord(template.Outputs) ? template.Outputs : {};
    for (const name of ['ApiUrl', 'RoomArn', 'RoomId', 'MessagingEndpoint']) assert.ok(name in outputs, name);
    const endpoint = outputs.MessagingEndpoint;
    assert.ok(isRecord(endpoint));
    assert.deepEqual(endpoint.Value, { 'Fn::Sub': 'wss://edge.ivschat.${AWS::Region}.amazonaws.com' });
  });
});

describe('samconfig.toml', () => {
  it('exists beside the template', () => {
    assert.ok(statSync(join(repoRoot, 'samconfig.toml')).size > 0);
  });
});
