'use strict';
// Parley benchmark peer: Express + Server-Sent Events + Redis pub/sub.
// Several processes share one Redis; every process subscribes to CHANNEL and
// writes each published event to the SSE clients it holds locally.

const crypto = require('crypto');
const express = require('express');
const { createClient } = require('redis');

const PORT = Number(process.env.PORT);
if (!PORT) {
  console.error('PORT is required');
  process.exit(1);
}
const HOST = process.env.HOST || '127.0.0.1';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const CHANNEL = process.env.CHANNEL || 'sse:user';
const HEARTBEAT_MS = 15000;

const redis = createClient({ url: REDIS_URL });
const subscriber = redis.duplicate(); // a subscribed connection can't run other commands
redis.on('error', (err) => console.error(`[redis] ${err.message}`));
subscriber.on('error', (err) => console.error(`[redis-sub] ${err.message}`));

function safeWrite(res, chunk) {
  if (res.writableEnded || res.destroyed) return;
  try {
    res.write(chunk);
  } catch (err) {
    console.error(`[sse] write failed: ${err.message}`);
  }
}

class SSEManager {
  constructor() {
    this.clients = new Map(); // userId -> Set<res>
    this.heartbeat = setInterval(() => this.forEachClient((res) => safeWrite(res, ': ping\n\n')), HEARTBEAT_MS);
  }

  add(userId, res) {
    let set = this.clients.get(userId);
    if (!set) this.clients.set(userId, (set = new Set()));
    set.add(res);
  }

  remove(userId, res) {
    const set = this.clients.get(userId);
    if (!set) return;
    set.delete(res);
    if (set.size === 0) this.clients.delete(userId);
  }

  forEachClient(fn) {
    for (const set of this.clients.values()) for (const res of set) fn(res);
  }

  count() {
    let n = 0;
    for (const set of this.clients.values()) n += set.size;
    return n;
  }

  // Publish to every process; each one delivers to its own local clients.
  sendToUser(userId, event, id, data) {
    return redis.publish(CHANNEL, JSON.stringify({ userId, event, id, data }));
  }

  deliverLocal(raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch (err) {
      console.error(`[redis-sub] bad payload: ${err.message}`);
      return;
    }
    const set = this.clients.get(msg.userId);
    if (!set) return;
    const frame = `id: ${msg.id}\nevent: ${msg.event}\ndata: ${JSON.stringify(msg.data)}\n\n`;
    for (const res of set) safeWrite(res, frame);
  }
}

const sse = new SSEManager();
let conversations = new Map(); // convId -> Set<userId>
let ready = false;

const app = express();
app.disable('x-powered-by');

app.get('/health', (req, res) => {
  if (!ready) return res.status(503).json({ status: 'down' });
  res.json({ status: 'up' });
});

app.post('/bench/setup', express.json({ limit: '50mb' }), (req, res) => {
  const convs = req.body && req.body.conversations;
  if (!convs || typeof convs !== 'object') return res.status(400).json({ error: 'bad_request' });
  // merges: layouts set up one after another (20 × 10, then 100 × 2 …) all stay usable
  for (const [id, members] of Object.entries(convs)) conversations.set(id, new Set(members));
  res.status(204).end();
});

app.get('/bench/stats', (req, res) => {
  if (global.gc) global.gc();
  res.json({ pid: process.pid, clients: sse.count(), memory: process.memoryUsage() });
});

app.get('/sse', (req, res) => {
  const userId = req.query.user;
  if (typeof userId !== 'string' || !userId) return res.status(400).json({ error: 'bad_request' });
  // writeHead (not res.set) so Express doesn't append "; charset=utf-8".
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  safeWrite(res, 'retry: 3000\n\n');
  sse.add(userId, res);
  res.on('error', () => {}); // a reset socket must never crash the process
  req.on('close', () => sse.remove(userId, res));
});

app.post('/api/conversations/:id/messages', express.json(), async (req, res, next) => {
  try {
    const convId = req.params.id;
    const userId = req.get('X-User');
    const body = req.body || {};
    if (!userId || typeof body.clientId !== 'string' || typeof body.text !== 'string') {
      return res.status(400).json({ error: 'bad_request' });
    }
    const members = conversations.get(convId);
    if (!members || !members.has(userId)) return res.status(404).json({ error: 'not_found' });

    const seq = await redis.incr(`seq:${convId}`);
    const message = {
      id: crypto.randomBytes(12).toString('hex'),
      conversationId: convId,
      seq,
      senderId: userId,
      clientId: body.clientId,
      text: body.text,
      attachments: [],
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
      deliveredTo: [],
      readBy: [],
    };
    const id = `${Date.now()}-m-${convId}-${seq}`;
    const data = { conversationId: convId, message };
    await Promise.all([...members].map((member) => sse.sendToUser(member, 'message.created', id, data)));
    res.status(201).json({ message });
  } catch (err) {
    next(err);
  }
});

// Malformed JSON and other errors: answer plainly, keep the process alive.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  if (err.type === 'entity.parse.failed') return res.status(400).json({ error: 'bad_request' });
  console.error(`[http] ${err.message}`);
  res.status(err.status || 500).json({ error: 'internal' });
});

async function main() {
  await redis.connect();
  await subscriber.connect();
  await subscriber.subscribe(CHANNEL, (raw) => sse.deliverLocal(raw));
  ready = true;
  const server = app.listen(PORT, HOST, () => {
    console.log(`node-peer pid=${process.pid} listening on http://${HOST}:${PORT} redis=${REDIS_URL} channel=${CHANNEL}`);
  });
  server.keepAliveTimeout = 65000;
  server.requestTimeout = 0; // SSE streams are long-lived
  server.headersTimeout = 66000;
}

main().catch((err) => {
  console.error(`startup failed: ${err.message}`);
  process.exit(1);
});
