#!/usr/bin/env node
// Exchanges lines of text with a peer through a punchd sidecar.
//
// Allocates a connection, prints its own addresses as one line ("ADDRESSES a,b FINGERPRINT fp")
// for the peer, takes the peer's line (from --peer-addresses/--peer-fingerprint, or as the first
// line of stdin), punches the connection, then sends stdin lines and prints the peer's as "< line".
'use strict';

const path = require('node:path');
const readline = require('node:readline');
const { once } = require('node:events');
const { parseArgs, promisify } = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
// Printed on stderr when the peer has half-closed (after its last line).
const PEER_FINISHED = 'chat: peer finished: the chat ends once your input ends too (Ctrl-D)';
const STATUS_HINTS = {
  [grpc.status.NOT_FOUND]: 'the sidecar does not know this connection: expired or closed',
  [grpc.status.FAILED_PRECONDITION]: 'the connection is not in a state that allows this',
  [grpc.status.INVALID_ARGUMENT]: 'the sidecar rejected a value',
  [grpc.status.RESOURCE_EXHAUSTED]: 'the sidecar is at a limit',
};

/** A failure worth one line on stderr. */
class ChatError extends Error {}

function loadClient(api) {
  const definition = protoLoader.loadSync('punchd/v1/punchd.proto', {
    includeDirs: [PROTO_ROOT], enums: String, longs: String, defaults: true, oneofs: true,
  });
  const { HolePunch } = grpc.loadPackageDefinition(definition).punchd.v1;
  return new HolePunch(api, grpc.credentials.createInsecure());
}

function rpcError(call, api, error) {
  const hint = error.code === grpc.status.UNAVAILABLE
    ? `cannot reach the punchd sidecar at ${api}` : STATUS_HINTS[error.code];
  const name = grpc.status[error.code] ?? `status ${error.code}`;
  return new ChatError(`${call}: ${hint ? `${name} (${hint})` : name}: ${error.details}`);
}

function addressLine(own) {
  const addresses = [...own.localAddresses, ...own.publicAddresses].join(',');
  return `ADDRESSES ${addresses} FINGERPRINT ${own.fingerprint || '-'}`;
}

function parsePeerLine(line) {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 4 || fields[0] !== 'ADDRESSES' || fields[2] !== 'FINGERPRINT') {
    throw new ChatError(`expected the peer's line "ADDRESSES a,b FINGERPRINT fp" on stdin, got "${line.trim()}"`);
  }
  return { addresses: fields[1].split(','), fingerprint: fields[3] === '-' ? '' : fields[3] };
}

function describeFailed({ reason, message, addressErrors }) {
  const perAddress = addressErrors.map((e) => `${e.address}: ${e.error} (${e.attempts} dials)`).join('; ');
  return new ChatError(`connection failed: ${reason}: ${message}${perAddress ? ` [${perAddress}]` : ''}`);
}

const describeClosed = ({ initiator, reason, message }) => `${initiator} ${reason}: ${message}`;

/** Resolves with Established, rejects on Failed or an early Closed; `closed` settles on the Closed event. */
function watchEvents(events, api) {
  let established;
  let closed;
  const outcome = new Promise((resolve, reject) => { established = { resolve, reject }; });
  const end = new Promise((resolve, reject) => { closed = { resolve, reject }; });
  const fail = (error) => { established.reject(error); closed.reject(error); };
  events.on('data', (event) => {
    if (event.kind === 'established') established.resolve(event.established);
    if (event.kind === 'failed') fail(describeFailed(event.failed));
    if (event.kind === 'closed') {
      const error = new ChatError(`connection closed: ${describeClosed(event.closed)}`);
      established.reject(new ChatError(`connection closed before it was established: ${describeClosed(event.closed)}`));
      if (event.closed.reason === 'COMPLETED') closed.resolve(); else closed.reject(error);
    }
  });
  events.on('error', (error) => fail(rpcError('Events', api, error)));
  events.on('end', () => fail(new ChatError('the sidecar ended the event stream before the connection closed')));
  // Either may settle before (or without) anyone awaiting it: mark both handled here.
  outcome.catch(() => {});
  end.catch(() => {});
  return { established: outcome, closed: end };
}

/** Resolves when the peer half-closes, after printing its data as "< line". */
function printReceived(stream, api) {
  let pending = Buffer.alloc(0);
  const printLine = (line) => process.stdout.write(Buffer.concat([Buffer.from('< '), line, Buffer.from('\n')]));
  stream.on('data', ({ data, peerFinished }) => {
    pending = Buffer.concat([pending, data]);
    for (let i = pending.indexOf(10); i >= 0; i = pending.indexOf(10)) {
      printLine(pending.subarray(0, i));
      pending = pending.subarray(i + 1);
    }
    if (peerFinished) {
      if (pending.length > 0) printLine(pending);
      pending = Buffer.alloc(0);
      process.stderr.write(`${PEER_FINISHED}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    stream.on('end', () => {
      if (pending.length > 0) printLine(pending);
      resolve();
    });
    stream.on('error', (error) => reject(rpcError('Stream', api, error)));
  });
}

/** Sends the remaining stdin lines, waiting for the stream to drain, then half-closes. */
async function sendLines(stream, stdinLines) {
  for (let next = await stdinLines.next(); !next.done; next = await stdinLines.next()) {
    if (!stream.write({ data: Buffer.from(`${next.value}\n`) })) await once(stream, 'drain');
  }
  stream.end();
}

/** The punchd API at one address; failed calls become ChatErrors naming the call and status. */
class Sidecar {
  constructor(api) {
    this.api = api;
    this.client = loadClient(api);
  }

  async call(name, request) {
    try {
      return await promisify(this.client[name].bind(this.client))(request);
    } catch (error) {
      throw rpcError(name, this.api, error);
    }
  }

  /** Frees a connection this chat gives up on; the sidecar would expire it anyway. */
  closeQuietly(connectionId) {
    return new Promise((resolve) => {
      this.client.Close({ connectionId }, { deadline: Date.now() + 2000 }, () => resolve());
    });
  }
}

async function chat({ api, options, peer }) {
  const sidecar = new Sidecar(api);
  const own = await sidecar.call('GetAddresses', { options });
  process.stdout.write(`${addressLine(own)}\n`);
  try {
    await connectAndChat(sidecar, own.connectionId, peer);
  } catch (error) {
    await sidecar.closeQuietly(own.connectionId);
    throw error;
  }
}

async function connectAndChat(sidecar, connectionId, peer) {
  const stdinLines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  if (!peer) {
    const first = await stdinLines.next();
    if (first.done) throw new ChatError("stdin ended before the peer's ADDRESSES line");
    peer = parsePeerLine(first.value);
  }

  const events = watchEvents(sidecar.client.Events({ connectionId }), sidecar.api);
  await sidecar.call('AttemptConnection', {
    connectionId, peerAddresses: peer.addresses, peerFingerprint: peer.fingerprint,
  });
  const established = await events.established;
  process.stderr.write(`chat: connected ${established.localAddress} -> ${established.remoteAddress}`
    + ` in ${established.establishMillis} ms\n`);

  const stream = sidecar.client.Stream();
  stream.write({ connectionId });
  const received = printReceived(stream, sidecar.api);
  sendLines(stream, stdinLines).catch(() => {}); // a broken stream is reported by `received`
  // Done once the peer's stream has completed and the Closed event has arrived.
  await Promise.all([received, events.closed]);
}

const USAGE = 'usage: chat --api ADDR [--raw] [--attempt-timeout-ms MS] [--peer-addresses a,b --peer-fingerprint FP]';

function parseCommandLine() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        api: { type: 'string', default: '127.0.0.1:50051' },
        raw: { type: 'boolean', default: false },
        'attempt-timeout-ms': { type: 'string', default: '0' },
        'peer-addresses': { type: 'string' },
        'peer-fingerprint': { type: 'string', default: '' },
      },
    }));
  } catch (error) {
    throw new ChatError(`${error.message}; ${USAGE}`);
  }
  const peerAddresses = values['peer-addresses'];
  const peer = peerAddresses ? { addresses: peerAddresses.split(','), fingerprint: values['peer-fingerprint'] } : null;
  const attemptTimeoutMs = values['attempt-timeout-ms'];
  if (!/^\d+$/.test(attemptTimeoutMs)) {
    throw new ChatError(`--attempt-timeout-ms expects a number of milliseconds, got '${attemptTimeoutMs}'`);
  }
  const options = { security: values.raw ? 'RAW' : 'SECURE', attemptTimeoutMs: Number(attemptTimeoutMs) };
  return { api: values.api, options, peer };
}

function exitWith(error) {
  process.stderr.write(`chat: ${error instanceof ChatError ? '' : 'unexpected: '}${error.message}\n`);
  process.exit(1);
}

process.on('uncaughtException', exitWith).on('unhandledRejection', exitWith);
chat(parseCommandLine()).then(() => process.exit(0), exitWith);
