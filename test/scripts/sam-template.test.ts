import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  defaultValue,
  isOptionalValue,
  readTemplate,
  serverlessFunction,
} from '../../scripts/sam-template.js';

const fixture = readTemplate(fileURLToPath(new URL('./fixtures/template.yaml', import.meta.url)));

describe('serverlessFunction', () => {
  it('merges Globals under the function and splits its Handler', () => {
    const fn = serverlessFunction(fixture, 'ApiFunction');

    assert.equal(fn.handlerFile, 'lambda');
    assert.equal(fn.handlerExport, 'handler');
    assert.equal(fn.timeoutSeconds, 10);
    assert.equal(fn.memorySize, 256);
    assert.deepEqual(fn.entryPoints, ['services/api/lambda.ts']);
    assert.deepEqual(fn.environment, {
      NODE_OPTIONS: '--enable-source-maps',
      LOG_LEVEL: 'debug',
      MODE: 'aws',
      ISSUER: { Ref: 'Issuer' },
      POLICY: { 'Fn::If': ['HasPolicy', { Ref: 'Policy' }, { Ref: 'AWS::NoValue' }] },
    });
  });

  it('uses Lambda defaults for a function without Timeout or MemorySize', () => {
    const fn = serverlessFunction(fixture, 'BareFunction');

    assert.equal(fn.timeoutSeconds, 3);
    assert.equal(fn.memorySize, 256);
  });

  it('refuses a name that is not a serverless function', () => {
    assert.throws(() => serverlessFunction(fixture, 'Logs'), /no AWS::Serverless::Function named Logs/);
  });
});

describe('defaultValue', () => {
  it('gives a literal as a string', () => {
    assert.equal(defaultValue(fixture, 'aws'), 'aws');
    assert.equal(defaultValue(fixture, 7), '7');
  });

  it("gives a referenced parameter's Default", () => {
    assert.equal(defaultValue(fixture, { Ref: 'Level' }), 'info');
  });

  it('gives nothing for a parameter without a default, or a condition', () => {
    assert.equal(defaultValue(fixture, { Ref: 'Issuer' }), undefined);
    assert.equal(defaultValue(fixture, { 'Fn::If': ['HasPolicy', 'a', 'b'] }), undefined);
    assert.equal(defaultValue(fixture, { Ref: 'AWS::Region' }), undefined);
  });
});

describe('isOptionalValue', () => {
  it('recognises a variable that is left unset unless its parameter is given', () => {
    assert.equal(
      isOptionalValue({ 'Fn::If': ['HasPolicy', { Ref: 'Policy' }, { Ref: 'AWS::NoValue' }] }),
      true,
    );
  });

  it('does not take a plain reference or a two-valued condition for optional', () => {
    assert.equal(isOptionalValue({ Ref: 'Issuer' }), false);
    assert.equal(isOptionalValue({ 'Fn::If': ['HasPolicy', 'a', 'b'] }), false);
    assert.equal(isOptionalValue('aws'), false);
  });
});
