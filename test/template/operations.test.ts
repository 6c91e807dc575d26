/**
 * What template.yaml gives an operator: the chat policy as a parameter validated like the file, the
 * tracing switch, the `live` aliases a rollback shifts, and alarms (with an optional SNS topic) and a
 * dashboard over the metrics the code really emits.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FALLBACK_CAUSES } from '../../lambdas/message-review/review-handler.js';
import { parsePolicy } from '../../services/token-vending/access/chat-policy.js';
import { isRecord } from '../../shared/json.js';
import { repoRoot, resourcesOfType, serverlessFunction } from '../../scripts/sam-template.js';
import { template, properties, isRef } from './support.js';

const parameters = isRecord(template.Parameters) ? template.Parameters : {};
const functionIds = resourcesOfType(template, 'AWS::Serverless::Function').map(([id]) => id);
const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');

function parameter(name: string): Record<string, unknown> {
  const value = parameters[name];
  assert.ok(isRecord(value), `parameter ${name}`);
  return value;
}

/** The alarm's single metric, or each MetricStat metric of a metric-math alarm. */
function alarmMetrics(props: Record<string, unknown>): Record<string, unknown>[] {
  if (typeof props.MetricName === 'string') return [props];
  const queries = Array.isArray(props.Metrics) ? props.Metrics.filter(isRecord) : [];
  return queries.flatMap((query) =>
    isRecord(query.MetricStat) && isRecord(query.MetricStat.Metric) ? [query.MetricStat.Metric] : [],
  );
}

function dimension(metric: Record<string, unknown>, name: string): unknown {
  const dimensions = Array.isArray(metric.Dimensions) ? metric.Dimensions.filter(isRecord) : [];
  return dimensions.find((item) => item.Name === name)?.Value;
}

describe('ChatPolicy parameter', () => {
  const chatPolicy = parameter('ChatPolicy');

  it('reaches the token function as CHAT_POLICY, only when set', () => {
    const value = serverlessFunction(template, 'TokenVendingFunction').environment.CHAT_POLICY;
    assert.deepEqual(value, { 'Fn::If': ['HasChatPolicy', { Ref: 'ChatPolicy' }, { Ref: 'AWS::NoValue' }] });
    assert.equal(chatPolicy.Default, '');
  });

  it('accepts the example policy, which the function parses like a CHAT_POLICY_FILE', () => {
    const example = readFileSync(join(repoRoot, 'services/token-vending/policy.example.json'), 'utf8');
    const compact = JSON.stringify(JSON.parse(example));
    assert.ok(compact.length <= Number(chatPolicy.MaxLength), `${compact.length} characters fit`);
    assert.match(compact, new RegExp(String(chatPolicy.AllowedPattern)));
    assert.doesNotThrow(() => parsePolicy(JSON.parse(compact)));
  });

  it('names the display-name claim through AuthNameClaim', () => {
    const env = serverlessFunction(template, 'TokenVendingFunction').environment;
    assert.ok(isRef(env.AUTH_NAME_CLAIM, 'AuthNameClaim'));
    assert.equal(parameter('AuthNameClaim').Default, 'name');
  });
});

describe('Tracing parameter', () => {
  it('switches X-Ray for every function, Active by default', () => {
    const globals = isRecord(template.Globals) ? template.Globals.Function : undefined;
    assert.ok(isRecord(globals) && isRef(globals.Tracing, 'Tracing'));
    assert.equal(parameter('Tracing').Default, 'Active');
    assert.deepEqual(parameter('Tracing').AllowedValues, ['Active', 'PassThrough']);
  });
});

describe('rollback through the live alias', () => {
  for (const id of functionIds) {
    it(`${id} publishes a version per deploy behind the live alias`, () => {
      assert.equal(properties(id).AutoPublishAlias, 'live');
    });
  }
});

describe('alarms', () => {
  it('exist only when Monitoring is not none, and notify AlarmTopicArn on alarm and on recovery', () => {
    assert.ok(alarms.length >= 11, `${alarms.length} alarms`);
    for (const [id, alarm] of alarms) {
      assert.equal(alarm.Condition, 'CreateAlarms', id);
      const expected = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
      assert.deepEqual(properties(id).AlarmActions, expected, id);
      assert.deepEqual(properties(id).OKActions, expected, id);
      assert.equal(properties(id).TreatMissingData, 'notBreaching', id);
    }
  });

  it('sums review fallbacks over every cause the review Lambda emits', () => {
    const fallback = alarms.find(([id]) => id === 'ReviewFallbackAlarm');
    assert.ok(fallback);
    const metrics = alarmMetrics(properties('ReviewFallbackAlarm'));
    for (const metric of metrics) {
      assert.equal(metric.Namespace, 'IvsChatReview');
      assert.equal(metric.MetricName, 'Fallback');
    }
    const causes = metrics.map((metric) => dimension(metric, 'Cause'));
    assert.deepEqual([...causes].sort(), [...FALLBACK_CAUSES].sort());
    const declared = properties('ReviewFallbackAlarm').Metrics;
    const queries = Array.isArray(declared) ? declared.filter(isRecord) : [];
    const expression = queries.find((query) => typeof query.Expression === 'string');
    const ids = queries.filter((query) => isRecord(query.MetricStat)).map((query) => String(query.Id));
    assert.ok(expression && typeof expression.Expression === 'string');
    for (const id of ids) assert.ok(expression.Expression.includes(id), `the expression sums ${id}`);
  });

  it('watches Errors and Throttles of every function', () => {
    for (const id of functionIds) {
      for (const metricName of ['Errors', 'Throttles']) {
        const found = alarms.some(([alarmId]) =>
          alarmMetrics(properties(alarmId)).some(
            (metric) =>
              metric.Namespace === 'AWS/Lambda' &&
              metric.MetricName === metricName &&
              isRef(dimension(metric, 'FunctionName'), id),
          ),
        );
        assert.ok(found, `${id} ${metricName}`);
      }
    }
  });

  it('watches the token API for 5xx', () => {
    const found = alarms.some(([id]) =>
      alarmMetrics(properties(id)).some(
        (metric) =>
          metric.Namespace === 'AWS/ApiGateway' &&
          metric.MetricName === '5xx' &&
          isRef(dimension(metric, 'ApiId'), 'TokenApi'),
      ),
    );
    assert.ok(found);
  });

  it('counts 429s from the access log, in the format the access log writes them', () => {
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter');
    const [filterId] =
      filters.find(([id]) => isRef(properties(id).LogGroupName, 'TokenApiAccessLogGroup')) ?? [];
    assert.ok(filterId, 'a metric filter on the access log');
    const filter = properties(filterId);
    assert.equal(filter.FilterPattern, '{ $.status = "429" }');
    const format = properties('TokenApi').AccessLogSettings;
    assert.ok(isRecord(format) && typeof format.Format === 'string');
    assert.match(format.Format, /"status":"\$context\.status"/, 'status is logged as a JSON string');
    const transformations: unknown = filter.MetricTransformations;
    const transformation: unknown = Array.isArray(transformations) ? transformations[0] : undefined;
    assert.ok(isRecord(transformation));
    const throttle = alarms.find(([id]) => properties(id).MetricName === transformation.MetricName);
    assert.ok(throttle, 'an alarm reads the filter metric');
    assert.deepEqual(properties(throttle[0]).Namespace, transformation.MetricNamespace);
  });
});

describe('dashboard', () => {
  it('is optional and its body is JSON naming the review, token and sweeper functions and the API', () => {
    const [id, dashboard] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard')[0] ?? [];
    assert.ok(id && dashboard);
    assert.equal(dashboard.Condition, 'CreateDashboard');
    const body = properties(id).DashboardBody;
    assert.ok(isRecord(body) && typeof body['Fn::Sub'] === 'string');
    const text = body['Fn::Sub'];
    for (const name of [
      'MessageReviewFunction',
      'TokenVendingFunction',
      'AccessSweeperFunction',
      'TokenApi',
      'AWS::Region',
    ]) {
      assert.ok(text.includes(`\${${name}}`), name);
    }
    // What CloudFormation's Sub produces: every ${X} replaced by a plain string.
    assert.doesNotThrow(() => JSON.parse(text.replace(/\$\{[^}]+\}/g, 'x')));
  });
});
