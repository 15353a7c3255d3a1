import { describe, expect, it } from 'vitest';
import { compileEventPattern, EventPatternError, matchesEventPattern } from '../../rehearsal/events/pattern';

const ec2Event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2017-10-02T18:43:48Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111',
    'arn:aws:ec2:us-east-1:123456789012:volume/v-1',
  ],
  detail: {
    'instance-id': 'i-abcd1111',
    state: 'running',
    'c-count': 5,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'file-name': 'Report.PNG',
    path: '/usr/lib/node',
    responseElements: null,
    eventVersion: '',
    nested: { c1: 100 },
    tags: ['blue', 'green'],
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
  },
};

type Row = readonly [name: string, pattern: Record<string, unknown>, matches: boolean];

const rows: readonly Row[] = [
  ['exact values in an array are ORed', { source: ['aws.s3', 'aws.ec2'] }, true],
  ['no listed value equals', { source: ['aws.s3'] }, false],
  ['fields are ANDed', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
  ['nested objects', { detail: { state: ['running'], 'instance-id': ['i-abcd1111'] } }, true],
  ['a string never equals a number', { detail: { 'c-count': ['5'] } }, false],
  ['a number equals a number', { detail: { 'c-count': [5] } }, true],
  [
    'event array: any element matches',
    { resources: ['arn:aws:ec2:us-east-1:123456789012:volume/v-1'] },
    true,
  ],
  ['event array of strings with prefix', { detail: { tags: [{ prefix: 'gr' }] } }, true],
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, false],
  ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
  ['prefix does not apply to numbers', { detail: { 'c-count': [{ prefix: '5' }] } }, false],
  ['suffix', { detail: { 'file-name': [{ suffix: '.PNG' }] } }, true],
  ['suffix is case-sensitive', { detail: { 'file-name': [{ suffix: '.png' }] } }, false],
  ['suffix ignoring case', { detail: { 'file-name': [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
  ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
  ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'running' }] } }, false],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, false],
  ['anything-but a number list', { detail: { 'c-count': [{ 'anything-but': [100, 200] }] } }, true],
  ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
  ['anything-but another prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
  ['anything-but a suffix', { detail: { 'file-name': [{ 'anything-but': { suffix: '.PNG' } }] } }, false],
  [
    'anything-but ignoring case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING', 'STOPPED'] } }] } },
    false,
  ],
  ['anything-but a wildcard', { detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false],
  ['anything-but never matches a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  [
    'anything-but matches null (a present value)',
    { detail: { responseElements: [{ 'anything-but': 'x' }] } },
    true,
  ],
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric range excluded', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
  ['numeric equals with exponent', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
  ['numeric never matches a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  ['exists true', { detail: { state: [{ exists: true }] } }, true],
  ['exists true on a null value (present)', { detail: { responseElements: [{ exists: true }] } }, true],
  ['exists true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false under a missing parent', { nothing: { here: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
  [
    'exists works on leaves only: an object does not exist',
    { detail: { nested: [{ exists: true }] } },
    false,
  ],
  ['exists false on an intermediate node', { detail: { nested: [{ exists: false }] } }, true],
  ['null matches null', { detail: { responseElements: [null] } }, true],
  ['null does not match a missing field', { detail: { missing: [null] } }, false],
  ['null does not match the empty string', { detail: { eventVersion: [null] } }, false],
  ['the empty string matches the empty string', { detail: { eventVersion: [''] } }, true],
  ['the empty string does not match null', { detail: { responseElements: [''] } }, false],
  ['wildcard', { detail: { path: [{ wildcard: '/usr/*/node' }] } }, true],
  ['wildcard anchored at both ends', { detail: { path: [{ wildcard: 'usr/*' }] } }, false],
  ['wildcard with an escaped asterisk', { detail: { path: [{ wildcard: '/usr/\\*' }] } }, false],
  ['wildcard at both ends of the value', { detail: { path: [{ wildcard: '*lib*' }] } }, true],
  ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  [
    '$or: one alternative matches',
    { $or: [{ source: ['aws.s3'] }, { detail: { state: ['running'] } }] },
    true,
  ],
  ['$or: none matches', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['stopped'] } }] }, false],
  [
    '$or ANDed with its siblings',
    { source: ['aws.s3'], $or: [{ region: ['us-east-1'] }, { account: ['123456789012'] }] },
    false,
  ],
  [
    '$or nested in detail',
    { detail: { $or: [{ state: ['x'] }, { 'c-count': [{ numeric: ['<', 10] }] }] } },
    true,
  ],
  ['array of objects, one element', { detail: { employees: { firstName: ['Anna'] } } }, true],
  [
    'array of objects: fields from the same element',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    true,
  ],
  [
    'array of objects: fields from different elements do not combine',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Doe'] } } },
    false,
  ],
  ['a nested pattern on a scalar field', { detail: { state: { inner: ['x'] } } }, false],
];

describe('EventBridge pattern matching', () => {
  it.each(rows)('%s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, ec2Event)).toBe(expected);
  });

  it('matches JSON-string fields by wildcard, as the CleanEnd rule does', () => {
    const pattern = { detail: { output: [{ wildcard: '*"decision":"completed"*' }] } };
    expect(matchesEventPattern(pattern, { detail: { output: '{"jobId":"j","decision":"completed"}' } })).toBe(
      true,
    );
    expect(matchesEventPattern(pattern, { detail: { output: '{"decision": "completed"}' } })).toBe(false);
    expect(matchesEventPattern(pattern, { detail: { output: null } })).toBe(false);
  });
});

const refused: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['not an object', ['aws.ec2'], /must be a JSON object/],
  ['a scalar leaf', { source: 'aws.ec2' }, /source must be an array/],
  ['an empty list', { source: [] }, /at least one value/],
  ['an unknown operator', { source: [{ contains: 'ec2' }] }, /unknown operator 'contains'/],
  ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
  ['consecutive wildcards', { source: [{ wildcard: 'a**b' }] }, /consecutive/],
  ['a bad escape', { source: [{ wildcard: 'a\\b' }] }, /escapes something/],
  ['a mixed anything-but list', { source: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
  ['numeric upper bound first', { n: [{ numeric: ['<', 5, '>', 1] }] }, /not allowed/],
  ['numeric out of range', { n: [{ numeric: ['>', 6e9] }] }, /within/],
  ['exists with a string', { n: [{ exists: 'yes' }] }, /true or false/],
  ['a one-element $or', { $or: [{ a: ['x'] }] }, /at least two patterns/],
  ['an IPv6 cidr', { ip: [{ cidr: '2001:db8::/32' }] }, /IPv6 is not emulated/],
];

describe('EventBridge pattern validation', () => {
  it.each(refused)('refuses %s', (_name, pattern, message) => {
    expect(() => compileEventPattern(pattern)).toThrow(EventPatternError);
    expect(() => compileEventPattern(pattern)).toThrow(message);
  });

  it('names the path of the offending part', () => {
    expect(() => compileEventPattern({ detail: { state: [{ prefix: 3 }] } })).toThrow(/detail\.state\[0\]/);
  });
});
