/**
 * template.yaml's chat history wiring: the room's chat log group feeds the history function through a
 * subscription filter that CloudWatch Logs may invoke for that group only, and the function may do
 * nothing but its writes and tombstone reads in room partitions of the chat table.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isRecord } from '../../shared/json.js';
import { resourcesOfType, serverlessFunction } from '../../scripts/sam-template.js';
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

describe('chat history wiring', () => {
  const fn = serverlessFunction(template, 'ChatHistoryFunction');

  it('subscribes the history function to the room’s chat log group, every record', () => {
    const filters = resourcesOfType(template, 'AWS::Logs::SubscriptionFilter');
    assert.equal(filters.length, 1);
    const [filterId, filter] = filters[0] ?? ['', {}];
    const props = properties(filterId);
    assert.ok(isRef(props.LogGroupName, 'ChatLogGroup'));
    assert.equal(props.FilterPattern, '');
    assert.deepEqual(props.DestinationArn, { Ref: 'ChatHistoryFunction.Alias' });
    assert.ok(asList(filter.DependsOn).includes('ChatHistoryInvokePermission'));
  });

  it('lets CloudWatch Logs invoke it for that log group of this account only', () => {
    const props = properties('ChatHistoryInvokePermission');
    assert.equal(props.Principal, 'logs.amazonaws.com');
    assert.equal(props.Action, 'lambda:InvokeFunction');
    assert.deepEqual(props.FunctionName, { Ref: 'ChatHistoryFunction.Alias' });
    assert.ok(isGetAtt(props.SourceArn, 'ChatLogGroup', 'Arn'));
    assert.ok(isRef(props.SourceAccount, 'AWS::AccountId'));
  });

  it('tells the function its table and the history retention', () => {
    assert.ok(isRef(fn.environment.CHAT_TABLE, 'ChatTable'));
    assert.ok(isRef(fn.environment.HISTORY_RETENTION_DAYS, 'HistoryRetentionDays'));
    const parameters = isRecord(template.Parameters) ? template.Parameters : {};
    const retention = parameters.HistoryRetentionDays;
    assert.ok(isRecord(retention));
    assert.deepEqual([retention.Default, retention.MinValue, retention.MaxValue], [7, 1, 365]);
  });

  it('lets the function write and read items of room partitions of the chat table, nothing else', () => {
    const statements = functionStatements('ChatHistoryFunction');
    assert.equal(statements.length, 1);
    const [statement] = statements;
    assert.ok(isRecord(statement));
    assert.equal(statement.Effect, 'Allow');
    assert.deepEqual([...asList(statement.Action)].sort(), [
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    assert.ok(isGetAtt(statement.Resource, 'ChatTable', 'Arn'));
    assert.deepEqual(statement.Condition, {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ROOM#*'] },
    });
  });

  it('allows exactly the AWS calls the history function’s code makes', async () => {
    assert.deepEqual(grantedActions('ChatHistoryFunction'), await awsActionsOf(fn.entryPoints[0] ?? ''));
  });

  it('outputs the logging configuration, so rooms made elsewhere can feed history too', () => {
    const outputs = isRecord(template.Outputs) ? template.Outputs : {};
    const output = outputs.ChatLoggingConfigurationArn;
    assert.ok(isRecord(output) && isGetAtt(output.Value, 'ChatLoggingConfiguration', 'Arn'));
  });
});
