'use strict';
// Parley benchmark peer with storage: the seed's real stack. Express 4 + Mongoose 8 + jsonwebtoken
// (HS256, verified on every request) + Server-Sent Events. Per message: one findOneAndUpdate on the
// conversation (membership check, $inc lastSeq, $set lastMessageAt) and one Message.create, then an
// SSE broadcast to the members' streams. With REDIS_URL several processes share the broadcast through
// one Redis pub/sub channel (one PUBLISH per message; every process writes to its own streams).
// It implements the part of Parley's HTTP API the benchmark harness uses (see README.md).

const crypto = require('crypto');
const { promisify } = require('util');
const express = require('express');
const jwt = require('jsonwebtoken');
const mongoose = require('mongoose');

const scrypt = promisify(crypto.scrypt);

const PORT = Number(process.env.PORT);
const HOST = process.env.HOST || '127.0.0.1';
const MONGO_URI = process.env.MONGO_URI;
const JWT_SECRET = process.env.JWT_SECRET;
const REDIS_URL = process.env.REDIS_URL || '';
const CHANNEL = process.env.CHANNEL || 'sse:conversation';
const HEARTBEAT_MS = 15000;
const TOKEN_TTL_S = 7 * 24 * 3600;

for (const [name, value] of [['PORT', PORT], ['MONGO_URI', MONGO_URI], ['JWT_SECRET', JWT_SECRET]]) {
  if (!value) {
    console.error(`${name} is required`);
    process.exit(1);
  }
}

// --- models (the same collections and indexes as Parley's) ------------------------------------

const { Schema } = mongoose;
const User = mongoose.model(
  'User',
  new Schema({
    phone: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, default: Date.now },
  }),
);

const conversationSchema = new Schema({
  type: { type: String, enum: ['direct', 'group'], required: true },
  members: [{ type: Schema.Types.ObjectId, ref: 'User' }],
  admins: [{ type: Schema.Types.ObjectId, ref: 'User' }],
  title: { type: String, default: null },
  lastSeq: { type: Number, default: 0 },
  lastMessageAt: { type: Date, default: null },
  createdAt: { type: Date, default: Date.now },
});
conversationSchema.index({ members: 1, lastMessageAt: -1 });
const Conversation = mongoose.model('Conversation', conversationSchema);

const messageSchema = new Schema({
  conversationId: { type: Schema.Types.ObjectId, ref: 'Conversation', required: true },
  seq: { type: Number, required: true },
  senderId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  clientId: { type: String, required: true },
  text: { type: String, default: '' },
  attachments: { type: [String], default: [] },
  createdAt: { type: Date, default: Date.now },
  editedAt: { type: Date, default: null },
  deletedAt: { type: Date, default: null },
  deliveredTo: [{ type: Schema.Types.ObjectId, ref: 'User' }],
  readBy: [{ type: Schema.Types.ObjectId, ref: 'User' }],
});
messageSchema.index({ conversationId: 1, seq: 1 }, { unique: true });
messageSchema.index({ senderId: 1, clientId: 1 }, { unique: true });
const Message = mongoose.model('Message', messageSchema);

function messageView(m) {
  return {
    id: String(m._id),
    conversationId: String(m.conversationId),
    seq: m.seq,
    senderId: String(m.senderId),
    clientId: m.clientId,
    text: m.text,
    attachments: m.attachments || [],
    createdAt: new Date(m.createdAt).toISOString(),
    editedAt: m.editedAt ? new Date(m.editedAt).toISOString() : null,
    deletedAt: m.deletedAt ? new Date(m.deletedAt).toISOString() : null,
    deliveredTo: (m.deliveredTo || []).map(String),
    readBy: (m.readBy || []).map(String),
  };
}

function conversationView(c) {
  return {
    id: String(c._id),
    type: c.type,
    members: c.members.map(String),
    admins: (c.admins || []).map(String),
    title: c.title,
    lastSeq: c.lastSeq,
    lastMessageAt: c.lastMessageAt ? new Date(c.lastMessageAt).toISOString() : null,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

// --- SSE ----------------------------------------------------------------------------------------

const streams = new Map(); // userId -> Set<res>

function write(res, chunk) {
  if (res.writableEnded || res.destroyed) return;
  res.write(chunk);
}

function deliverLocal(members, frame) {
  for (const userId of members) {
    const set = streams.get(userId);
    if (set) for (const res of set) write(res, frame);
  }
}

let publisher = null;
async function connectRedis() {
  if (!REDIS_URL) return;
  const { createClient } = require('redis');
  publisher = createClient({ url: REDIS_URL });
  const subscriber = publisher.duplicate();
  publisher.on('error', (err) => console.error(`[redis] ${err.message}`));
  subscriber.on('error', (err) => console.error(`[redis-sub] ${err.message}`));
  await publisher.connect();
  await subscriber.connect();
  await subscriber.subscribe(CHANNEL, (raw) => {
    const event = JSON.parse(raw);
    deliverLocal(event.members, event.frame);
  });
}

function broadcast(members, frame) {
  if (publisher) return publisher.publish(CHANNEL, JSON.stringify({ members, frame }));
  deliverLocal(members, frame);
  return Promise.resolve();
}

setInterval(() => {
  for (const set of streams.values()) for (const res of set) write(res, ': heartbeat\n\n');
}, HEARTBEAT_MS).unref();

// --- HTTP ---------------------------------------------------------------------------------------

function fail(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function issueToken(user) {
  const token = jwt.sign({ sub: String(user._id) }, JWT_SECRET, { algorithm: 'HS256', expiresIn: TOKEN_TTL_S });
  return {
    token,
    expiresAt: new Date(Date.now() + TOKEN_TTL_S * 1000).toISOString(),
    user: { id: String(user._id), phone: user.phone, name: user.name },
  };
}

async function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

async function checkPassword(password, stored) {
  const [salt, key] = stored.split(':');
  const got = await scrypt(password, Buffer.from(salt, 'hex'), 32);
  return crypto.timingSafeEqual(got, Buffer.from(key, 'hex'));
}

function auth(req, res, next) {
  const header = req.get('Authorization') || '';
  if (!header.startsWith('Bearer ')) return fail(res, 401, 'unauthorized', 'Sign in: send Authorization: Bearer <token>');
  try {
    const claims = jwt.verify(header.slice(7), JWT_SECRET, { algorithms: ['HS256'] });
    req.userId = claims.sub;
    next();
  } catch (err) {
    fail(res, 401, 'invalid_token', 'The token is invalid or expired');
  }
}

const isId = (s) => typeof s === 'string' && mongoose.isValidObjectId(s) && s.length === 24;

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '64kb' }));

app.get('/health', (req, res) => {
  if (mongoose.connection.readyState !== 1) return res.status(503).json({ status: 'down' });
  res.json({ status: 'up' });
});

app.post('/api/auth/register', async (req, res, next) => {
  try {
    const { phone, name, password } = req.body || {};
    if (typeof phone !== 'string' || typeof name !== 'string' || typeof password !== 'string' || password.length < 8) {
      return fail(res, 400, 'invalid_request', 'phone, name and a password of 8 or more characters are required');
    }
    const user = await User.create({ phone, name, passwordHash: await hashPassword(password) });
    res.status(201).json(issueToken(user));
  } catch (err) {
    if (err.code === 11000) return fail(res, 409, 'phone_taken', 'That phone number is registered');
    next(err);
  }
});

app.post('/api/auth/login', async (req, res, next) => {
  try {
    const { phone, password } = req.body || {};
    const user = typeof phone === 'string' ? await User.findOne({ phone }) : null;
    if (!user || typeof password !== 'string' || !(await checkPassword(password, user.passwordHash))) {
      return fail(res, 401, 'invalid_credentials', 'Wrong phone number or password');
    }
    res.json(issueToken(user));
  } catch (err) {
    next(err);
  }
});

app.post('/api/conversations', auth, async (req, res, next) => {
  try {
    const { type, memberIds, title } = req.body || {};
    if ((type !== 'direct' && type !== 'group') || !Array.isArray(memberIds) || !memberIds.every(isId)) {
      return fail(res, 400, 'invalid_request', 'type (direct|group) and memberIds are required');
    }
    const members = [...new Set([req.userId, ...memberIds])];
    if (type === 'direct') {
      if (members.length !== 2) return fail(res, 400, 'invalid_request', 'A direct conversation has two members');
      const existing = await Conversation.findOne({ type: 'direct', members: { $all: members, $size: 2 } });
      if (existing) return res.status(200).json({ conversation: conversationView(existing) });
    }
    const found = await User.countDocuments({ _id: { $in: members } });
    if (found !== members.length) return fail(res, 400, 'unknown_member', 'Every member must be a user');
    const conv = await Conversation.create({
      type,
      members,
      admins: type === 'group' ? [req.userId] : [],
      title: typeof title === 'string' ? title : null,
    });
    res.status(201).json({ conversation: conversationView(conv) });
  } catch (err) {
    next(err);
  }
});

app.post('/api/conversations/:id/messages', auth, async (req, res, next) => {
  try {
    const convId = req.params.id;
    const { clientId, text } = req.body || {};
    if (typeof clientId !== 'string' || !clientId || clientId.length > 64 || typeof text !== 'string' || !text.trim() || text.length > 4000) {
      return fail(res, 400, 'invalid_request', 'clientId and text are required');
    }
    if (!isId(convId)) return fail(res, 404, 'not_found', 'No such conversation');
    const now = new Date();
    const conv = await Conversation.findOneAndUpdate(
      { _id: convId, members: req.userId },
      { $inc: { lastSeq: 1 }, $set: { lastMessageAt: now } },
      { new: true, projection: { members: 1, lastSeq: 1 }, lean: true },
    );
    if (!conv) return fail(res, 404, 'not_found', 'No such conversation');
    let msg;
    try {
      msg = await Message.create({ conversationId: convId, seq: conv.lastSeq, senderId: req.userId, clientId, text, createdAt: now });
    } catch (err) {
      if (err.code !== 11000) throw err;
      // the same clientId again: answer with the stored message (the seq it took stays unused)
      const existing = await Message.findOne({ senderId: req.userId, clientId }).lean();
      if (!existing) throw err;
      return res.status(200).json({ message: messageView(existing) });
    }
    const message = messageView(msg);
    const frame = `id: ${now.getTime()}-${convId}-${message.seq}\nevent: message.created\ndata: ${JSON.stringify({ conversationId: convId, message })}\n\n`;
    await broadcast(conv.members.map(String), frame);
    res.status(201).json({ message });
  } catch (err) {
    next(err);
  }
});

app.get('/sse', auth, (req, res) => {
  const userId = req.userId;
  // writeHead (not res.set) so Express doesn't append "; charset=utf-8" twice
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  let set = streams.get(userId);
  if (!set) streams.set(userId, (set = new Set()));
  set.add(res);
  res.on('error', () => {}); // a reset socket must never crash the process
  req.on('close', () => {
    set.delete(res);
    if (set.size === 0 && streams.get(userId) === set) streams.delete(userId);
  });
});

app.get('/bench/stats', (req, res) => {
  if (global.gc) global.gc();
  let clients = 0;
  for (const set of streams.values()) clients += set.size;
  res.json({ pid: process.pid, clients, memory: process.memoryUsage() });
});

app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  if (err.type === 'entity.parse.failed') return fail(res, 400, 'invalid_json', 'The body is not JSON');
  console.error(`[http] ${err.message}`);
  fail(res, err.status || 500, 'internal', 'Something went wrong');
});

async function main() {
  await mongoose.connect(MONGO_URI);
  await Promise.all([User.init(), Conversation.init(), Message.init()]); // indexes built before serving
  await connectRedis();
  const server = app.listen(PORT, HOST, () => {
    console.log(`mongoose peer pid=${process.pid} on http://${HOST}:${PORT} mongo=${MONGO_URI} redis=${REDIS_URL || 'none'}`);
  });
  server.keepAliveTimeout = 65000;
  server.requestTimeout = 0; // SSE streams are long-lived
  server.headersTimeout = 66000;
}

main().catch((err) => {
  console.error(`startup failed: ${err.stack || err.message}`);
  process.exit(1);
});
