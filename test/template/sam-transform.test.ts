/**
 * Runs the real SAM translator (the one cfn-lint bundles) over template.yaml and checks what
 * CloudFormation would receive: SAM rewrites Globals, CORS and policies, and has mistranslated
 * intrinsic CORS origins before (see the CorsConfiguration comment in template.yaml).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { homedir } from 'node:os';
import { describe, it } from 'node:test';
import { isRecord } from '../../shared/json.js';
import { templatePath } from '../../scripts/sam-template.js';

/** The Python that runs cfn-lint: from a real cfn-lint script's shebang, else python3 (pyenv shims). */
function cfnLintPython(): string {
  const pyenvRoots = [join(homedir(), '.pyenv/versions'), '/root/.pyenv/versions'].filter((dir) =>
    existsSync(dir),
  );
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'cfn-lint')),
    ...pyenvRoots.flatMap((root) => readdirSync(root).map((version) => join(root, version, 'bin/cfn-lint'))),
  ];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const shebang = readFileSync(candidate, 'utf8').split('\n', 1)[0] ?? '';
    const match = /^#!\s*(\S*python[\d.]*)\s*$/.exec(shebang);
    if (match?.[1] !== undefined && existsSync(match[1])) return match[1];
  }
  return 'python3';
}

// cfn-lint's own SAM transform, so the managed-policy lookup needs no AWS credentials.
const TRANSLATE = `
import json, sys
from cfnlint.decode import decode
from cfnlint.template.transforms._sam import Transform
template, matches = decode(sys.argv[1])
if matches:
    sys.exit("cannot parse: " + str(matches))
transform = Transform(sys.argv[1], template, "us-east-1")
errors = transform.transform_template()
if errors:
    sys.exit("transform failed: " + str(errors))
print(json.dumps(transform._template, default=str))
`;

function translate(): Record<string, unknown> {
  const output = execFileSync(cfnLintPython(), ['-c', TRANSLATE, templatePath], { encoding: 'utf8' });
  const parsed: unknown = JSON.parse(output);
  assert.ok(isRecord(parsed) && isRecord(parsed.Resources));
  return parsed.Resources;
}

function props(resources: Record<string, unknown>, id: string): Record<string, unknown> {
  const resource = resources[id];
  assert.ok(isRecord(resource) && isRecord(resource.Properties), `${id} translated`);
  return resource.Properties;
}

describe('template.yaml through the SAM transform', () => {
  const resources = translate();

  it('gives the HTTP API a CORS configuration with the origins from the parameter', () => {
    const body = props(resources, 'TokenApi').Body;
    assert.ok(isRecord(body));
    const cors = body['x-amazon-apigateway-cors'];
    assert.deepEqual(cors, {
      'Fn::If': [
        'HasCorsOrigins',
        {
          allowOrigins: { 'Fn::Split': [',', { Ref: 'CorsOrigins' }] },
          allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
          allowHeaders: ['authorization', 'content-type', 'x-request-id'],
          exposeHeaders: ['x-request-id', 'retry-after', 'location'],
          maxAge: 600,
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });

  it("routes every request to the token function's live alias with payload format 2.0", () => {
    const body = props(resources, 'TokenApi').Body;
    assert.ok(isRecord(body) && isRecord(body.paths));
    const route = body.paths.$default;
    assert.ok(isRecord(route) && isRecord(route['x-amazon-apigateway-any-method']));
    const integration = route['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'];
    assert.ok(isRecord(integration));
    assert.equal(integration.payloadFormatVersion, '2.0');
    // The alias, not the unqualified function: shifting the alias (scripts/rollback.sh) rolls back.
    assert.match(JSON.stringify(integration.uri), /TokenVendingFunctionAliaslive/);
  });

  it('merges the global JSON log format with each function log group', () => {
    for (const [id, group] of [
      ['MessageReviewFunction', 'MessageReviewLogGroup'],
      ['TokenVendingFunction', 'TokenVendingLogGroup'],
      ['ChatHistoryFunction', 'ChatHistoryLogGroup'],
      ['AccessSweeperFunction', 'AccessSweeperLogGroup'],
    ] as const) {
      const fn = props(resources, id);
      assert.equal(fn.Runtime, 'nodejs22.x');
      assert.deepEqual(fn.LoggingConfig, { LogFormat: 'JSON', LogGroup: { Ref: group } });
    }
  });

  it('lets IVS invoke exactly the alias the room calls', () => {
    const alias = { Ref: 'MessageReviewFunctionAliaslive' };
    assert.equal(Reflect.get(resources.MessageReviewFunctionAliaslive ?? {}, 'Type'), 'AWS::Lambda::Alias');
    assert.deepEqual(props(resources, 'MessageReviewInvokePermission').FunctionName, alias);
    const handler = props(resources, 'ChatRoom').MessageReviewHandler;
    assert.ok(isRecord(handler));
    assert.deepEqual(handler.Uri, alias);
  });

  it('gives the token function role the ivschat actions the service calls, and no wildcard action', () => {
    const role = JSON.stringify(props(resources, 'TokenVendingFunctionRole'));
    assert.deepEqual([...new Set(role.match(/ivschat:[A-Za-z*]+/g))].sort(), [
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

  it("invokes the access sweeper's live alias every minute from an EventBridge rule, and only that rule", () => {
    const rules = Object.entries(resources).filter(
      ([, resource]) => isRecord(resource) && resource.Type === 'AWS::Events::Rule',
    );
    assert.equal(rules.length, 1);
    const [ruleId = ''] = rules[0] ?? [];
    const rule = props(resources, ruleId);
    assert.equal(rule.ScheduleExpression, 'rate(1 minute)');
    assert.deepEqual(
      (Array.isArray(rule.Targets) ? rule.Targets : []).map((target: unknown) =>
        isRecord(target) ? target.Arn : undefined,
      ),
      [{ Ref: 'AccessSweeperFunctionAliaslive' }],
    );
    const permissions = Object.keys(resources).filter(
      (id) => Reflect.get(resources[id] ?? {}, 'Type') === 'AWS::Lambda::Permission',
    );
    const fromRule = permissions.filter((id) => props(resources, id).Principal === 'events.amazonaws.com');
    assert.equal(fromRule.length, 1);
    const permission = props(resources, fromRule[0] ?? '');
    assert.deepEqual(permission.FunctionName, { Ref: 'AccessSweeperFunctionAliaslive' });
    assert.deepEqual(permission.SourceArn, { 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  it('keeps the stack-tag conditions on the token and sweeper roles through the transform', () => {
    for (const role of ['TokenVendingFunctionRole', 'AccessSweeperFunctionRole']) {
      const text = JSON.stringify(props(resources, role));
      assert.match(text, /"aws:ResourceTag\/ivs-chat-backend:stack":\{"Ref":"AWS::StackName"\}/, role);
    }
    const token = JSON.stringify(props(resources, 'TokenVendingFunctionRole'));
    assert.match(token, /"aws:RequestTag\/ivs-chat-backend:stack":\{"Ref":"AWS::StackName"\}/);
  });

  it('gives the review function role no ivschat permission at all', () => {
    const role = JSON.stringify(props(resources, 'MessageReviewFunctionRole'));
    assert.doesNotMatch(role, /ivschat/);
  });
});
