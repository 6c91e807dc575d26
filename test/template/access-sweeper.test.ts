/**
 * template.yaml's access sweeper: run every minute by a schedule, one at a time, long enough that its
 * passes cover the minute, with the environment its config accepts, and allowed exactly the calls its
 * code makes: on this stack's rooms only, and on the chat table's partitions it touches only.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lambdas/access-sweeper/config.js';
import { isRecord } from '../../shared/json.js';
import { STACK_TAG } from '../../shared/ivs/tags.js';
import { REVOCATIONS, TOMBSTONES, keys } from '../../shared/table/keys.js';
import { TABLE_KEYS } from '../../shared/table/schema.js';
import { defaultValue, serverlessFunction } from '../../scripts/sam-template.js';
import {
  template,
  properties,
  isRef,
  isGetAtt,
  asList,
  awsActionsOf,
  functionStatements,
  grantedActions,
} from './support.js';

const ID = 'AccessSweeperFunction';
const fn = serverlessFunction(template, ID);
const parameters = isRecord(template.Parameters) ? template.Parameters : {};

function parameter(name: string): Record<string, unknown> {
  const value = parameters[name];
  assert.ok(isRecord(value), `parameter ${name}`);
  return value;
}

/** The environment the function gets when the stack is deployed with default parameters. */
function deployedEnvironment(): Record<string, string> {
  const env: Record<string, string> = { CHAT_TABLE: 'chat-table' };
  for (const [name, value] of Object.entries(fn.environment)) {
    const deployed = defaultValue(template, value);
    if (deployed !== undefined) env[name] = deployed;
  }
  return env;
}

/** The smallest and largest values of `variable` the sweeper's config accepts, found by asking it. */
function acceptedRange(variable: string): { min: number; max: number } {
  const accepted = Array.from({ length: 2000 }, (_, value) => value).filter(
    (value) => loadConfig({ CHAT_TABLE: 't', [variable]: String(value) }).problems.length === 0,
  );
  return { min: Math.min(...accepted), max: Math.max(...accepted) };
}

describe('access sweeper schedule', () => {
  it('is invoked every minute by an enabled schedule', () => {
    const declared = properties(ID).Events;
    const events = isRecord(declared) ? Object.values(declared) : [];
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(isRecord(event) && isRecord(event.Properties), 'the event has Properties');
    assert.ok(event.Type === 'Schedule' || event.Type === 'ScheduleV2', String(event.Type));
    const expression = event.Properties.Schedule ?? event.Properties.ScheduleExpression;
    assert.equal(expression, 'rate(1 minute)');
    assert.notEqual(event.Properties.Enabled, false);
    assert.notEqual(event.Properties.State, 'DISABLED');
  });

  it('runs one sweeper at a time, and drops a late or failed invocation for the next minute’s', () => {
    assert.equal(properties(ID).ReservedConcurrentExecutions, 1);
    const invoke = properties(ID).EventInvokeConfig;
    assert.ok(isRecord(invoke), 'an EventInvokeConfig');
    assert.equal(invoke.MaximumRetryAttempts, 0);
    assert.ok(Number(invoke.MaximumEventAgeInSeconds) <= 120, 'a late invocation is dropped soon');
  });

  it('lives a little over the minute, so its passes cover it and the next invocation follows', () => {
    // The handler sweeps every interval while time remains (keeping a 5 s margin): past 60 s the last
    // pass falls about 50 s in, about one interval before the next invocation's first. Much longer would
    // only make invocations overlap, which the reserved concurrency of 1 then throttles.
    assert.ok(fn.timeoutSeconds > 60 && fn.timeoutSeconds <= 75, `timeout ${fn.timeoutSeconds}s`);
  });
});

describe('access sweeper environment', () => {
  it('names the table and takes the interval and the disconnect pace from parameters', () => {
    assert.ok(isRef(fn.environment.CHAT_TABLE, 'ChatTable'), 'CHAT_TABLE');
    assert.ok(isRef(fn.environment.SWEEP_INTERVAL_SECONDS, 'SweepIntervalSeconds'), 'SWEEP_INTERVAL_SECONDS');
    assert.ok(
      isRef(fn.environment.REVOCATION_DISCONNECT_TPS, 'RevocationDisconnectTps'),
      'REVOCATION_DISCONNECT_TPS',
    );
    assert.ok(isRef(fn.environment.LOG_LEVEL, 'LogLevel'), 'LOG_LEVEL');
  });

  it('is accepted as deployed with default parameters, and the defaults are the code’s own', () => {
    const config = loadConfig(deployedEnvironment());

    assert.deepEqual(config.problems, []);
    const defaults = loadConfig({ CHAT_TABLE: 't' });
    assert.equal(config.intervalSeconds, defaults.intervalSeconds);
    assert.equal(config.disconnectTps, defaults.disconnectTps);
    assert.equal(config.orphanAgeMinutes, defaults.orphanAgeMinutes);
  });

  for (const [name, variable] of [
    ['SweepIntervalSeconds', 'SWEEP_INTERVAL_SECONDS'],
    ['RevocationDisconnectTps', 'REVOCATION_DISCONNECT_TPS'],
  ] as const) {
    it(`lets ${name} take exactly the values ${variable} accepts`, () => {
      const { min, max } = acceptedRange(variable);
      assert.deepEqual([parameter(name).MinValue, parameter(name).MaxValue], [min, max]);
    });
  }
});

describe('access sweeper IAM', () => {
  const statements = functionStatements(ID);
  const rooms = { 'Fn::Sub': 'arn:${AWS::Partition}:ivschat:${AWS::Region}:${AWS::AccountId}:room/*' };
  const stackRoomsOnly = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: { Ref: 'AWS::StackName' } } };

  it('allows exactly the AWS calls the sweeper’s code makes', async () => {
    assert.deepEqual(grantedActions(ID), await awsActionsOf(fn.entryPoints[0] ?? ''));
  });

  it('disconnects users from and deletes only rooms tagged with this stack; lists rooms anywhere', () => {
    for (const statement of statements) {
      const actions = asList(statement.Action).map(String);
      if (!actions.some((action) => action.startsWith('ivschat:'))) continue;
      if (actions.includes('ivschat:ListRooms')) {
        assert.deepEqual(
          [actions, statement.Resource, statement.Condition],
          [['ivschat:ListRooms'], '*', undefined],
        );
      } else {
        assert.deepEqual(statement.Resource, rooms, String(statement.Sid));
        assert.deepEqual(statement.Condition, stackRoomsOnly, String(statement.Sid));
      }
    }
  });

  it('reads only the revocation and deleted-room partitions of the index', () => {
    const onIndex = statements.filter((statement) => JSON.stringify(statement.Resource).includes('/index/'));
    assert.equal(onIndex.length, 1);
    const [statement] = onIndex;
    assert.ok(statement, 'one statement on the index');
    assert.deepEqual(asList(statement.Action), ['dynamodb:Query']);
    assert.deepEqual(statement.Resource, { 'Fn::Sub': `\${ChatTable.Arn}/index/${TABLE_KEYS.gsi1.name}` });
    assert.deepEqual(statement.Condition, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [REVOCATIONS, TOMBSTONES] },
    });
  });

  it('reaches table items only in room partitions, and users’ partitions only to read them', () => {
    const roomPartitions = keys.roomPartition('*');
    const userPartitions = keys.userPartition('*');
    const onTable = statements.filter((statement) => isGetAtt(statement.Resource, 'ChatTable', 'Arn'));
    assert.ok(onTable.length > 0, 'statements on the table');
    for (const statement of onTable) {
      const actions = asList(statement.Action);
      const leadingKeys = actions.every((action) => action === 'dynamodb:BatchGetItem')
        ? [roomPartitions, userPartitions]
        : [roomPartitions];
      assert.deepEqual(
        statement.Condition,
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
        String(statement.Sid),
      );
    }
    const dynamo = statements.filter((statement) =>
      asList(statement.Action).some((action) => String(action).startsWith('dynamodb:')),
    );
    assert.equal(dynamo.length, onTable.length + 1, 'every table statement is on the table or gsi1');
  });
});
