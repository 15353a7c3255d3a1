// A small function for the FunctionHost tests: each event's `action` exercises one runtime behaviour.
import { request } from 'node:http';
import type { Context } from 'aws-lambda';

const loadedAt = Date.now();
let invocations = 0;

class LeaseHeld extends Error {
  override readonly name = 'LeaseHeld';
}

type ProbeEvent =
  | { action: 'describe' }
  | { action: 'throw'; message: string }
  | { action: 'hang' }
  | { action: 'crash' }
  | { action: 'rendezvous'; url: string };

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

export async function handler(event: ProbeEvent, context: Context) {
  invocations++;
  switch (event.action) {
    case 'describe':
      return {
        pid: process.pid,
        invocations,
        loadedAt,
        cwd: process.cwd(),
        env: { ...process.env },
        context: {
          awsRequestId: context.awsRequestId,
          functionName: context.functionName,
          functionVersion: context.functionVersion,
          invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: context.memoryLimitInMB,
          logGroupName: context.logGroupName,
          logStreamName: context.logStreamName,
          callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
          remainingMs: context.getRemainingTimeInMillis(),
        },
        heapLimitMb: Math.round((await import('node:v8')).getHeapStatistics().heap_size_limit / 1024 / 1024),
      };
    case 'throw':
      console.log(JSON.stringify({ level: 'ERROR', message: 'about to throw' }));
      throw new LeaseHeld(event.message);
    case 'hang':
      return new Promise(() => {});
    case 'crash':
      process.exit(3);
      break;
    case 'rendezvous':
      return { pid: process.pid, answer: await get(event.url) };
  }
}
