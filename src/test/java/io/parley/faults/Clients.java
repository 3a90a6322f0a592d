package io.parley.faults;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The scenarios' chat clients, in the test JVM on their own Vert.x: senders that retry an
 * unacknowledged send with the same clientId (on another node when theirs is gone) and SSE streams
 * that reconnect with {@code Last-Event-ID}, both writing what happens into a {@link History}.
 */
final class Clients implements AutoCloseable {
  static final long REQUEST_TIMEOUT_MS = 20_000;

  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  final WebClient web;
  final HttpClient streams;

  /** For consumers with a small TCP window (a phone on a poor link): they back up quickly. */
  final HttpClient smallWindowStreams;

  final History history;
  private final List<Stream> all = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Appended to every message text (to make events big). */
  volatile String padding = "";

  Clients(History history) {
    this.history = history;
    this.web =
        WebClient.wrap(
            vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000),
                new PoolOptions().setHttp1MaxSize(64)));
    this.streams =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(false).setConnectTimeout(5000),
            new PoolOptions().setHttp1MaxSize(5000));
    this.smallWindowStreams =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(false)
                .setConnectTimeout(5000)
                .setReceiveBufferSize(8192),
            new PoolOptions().setHttp1MaxSize(100));
  }

  /** A signed-in user (one device per stream is made with {@link #login}). */
  record User(String id, String phone, String password, String token) {}

  /** A node a client can talk to. */
  record Target(String name, int port) {}

  static <T> T await(Future<T> f) {
    try {
      return f.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  Future<HttpResponse<Buffer>> request(
      HttpMethod method, Target t, String path, JsonObject body, String token) {
    var req = web.request(method, t.port(), "127.0.0.1", path).timeout(REQUEST_TIMEOUT_MS);
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    return body == null ? req.send() : req.sendJsonObject(body);
  }

  User register(Target t, String name) {
    String phone = io.parley.testing.Api.newPhone();
    String password = "fault scenario password " + name;
    HttpResponse<Buffer> r =
        await(
            request(
                HttpMethod.POST,
                t,
                "/api/auth/register",
                new JsonObject().put("phone", phone).put("name", name).put("password", password),
                null));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("register: " + r.statusCode() + " " + r.bodyAsString());
    }
    JsonObject b = r.bodyAsJsonObject();
    return new User(b.getJsonObject("user").getString("id"), phone, password, b.getString("token"));
  }

  /** Another device of the same user (its own session and token). */
  User login(Target t, User u, String device) {
    HttpResponse<Buffer> r =
        await(
            request(
                HttpMethod.POST,
                t,
                "/api/auth/login",
                new JsonObject()
                    .put("phone", u.phone())
                    .put("password", u.password())
                    .put("deviceName", device),
                null));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login: " + r.statusCode() + " " + r.bodyAsString());
    }
    return new User(u.id(), u.phone(), u.password(), r.bodyAsJsonObject().getString("token"));
  }

  String group(Target t, User owner, List<User> others) {
    JsonArray ids = new JsonArray();
    others.forEach(o -> ids.add(o.id()));
    HttpResponse<Buffer> r =
        await(
            request(
                HttpMethod.POST,
                t,
                "/api/conversations",
                new JsonObject().put("type", "group").put("memberIds", ids).put("title", "faults"),
                owner.token()));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("conversation: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject().getJsonObject("conversation").getString("id");
  }

  // --- sends --------------------------------------------------------------------------------

  /**
   * Sends one message and retries it with the same clientId until it is acknowledged, the answer is
   * final (a 4xx other than 429), or {@code deadlineMs} passes. Each attempt goes to the next
   * target {@code targets} offers (so a client leaves a dead node). Completes with the final
   * attempt.
   */
  Future<History.Attempt> send(
      User from, String conv, Supplier<List<Target>> targets, long giveUpAfterMs) {
    history.sendsStarted.incrementAndGet();
    String clientId = UUID.randomUUID().toString();
    String text = "m " + clientId.substring(0, 8) + padding;
    Promise<History.Attempt> done = Promise.promise();
    long deadline = System.currentTimeMillis() + giveUpAfterMs;
    attempt(from, conv, clientId, text, targets, deadline, 0, done);
    return done.future();
  }

  private void attempt(
      User from,
      String conv,
      String clientId,
      String text,
      Supplier<List<Target>> targets,
      long deadline,
      int n,
      Promise<History.Attempt> done) {
    List<Target> ts = targets.get();
    Target t = ts.get(n % ts.size());
    long start = System.nanoTime();
    request(
            HttpMethod.POST,
            t,
            "/api/conversations/" + conv + "/messages",
            new JsonObject().put("clientId", clientId).put("text", text),
            from.token())
        .onComplete(
            ar -> {
              long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
              History.Attempt a;
              if (ar.failed()) {
                a =
                    new History.Attempt(
                        from.id(),
                        clientId,
                        conv,
                        t.name(),
                        -1,
                        null,
                        null,
                        String.valueOf(ar.cause().getMessage()),
                        null,
                        ms,
                        System.currentTimeMillis());
              } else {
                HttpResponse<Buffer> r = ar.result();
                JsonObject b = json(r);
                JsonObject m = b.getJsonObject("message");
                JsonObject err = b.getJsonObject("error");
                a =
                    new History.Attempt(
                        from.id(),
                        clientId,
                        conv,
                        t.name(),
                        r.statusCode(),
                        m == null ? null : m.getLong("seq"),
                        m == null ? null : m.getString("id"),
                        err == null ? null : err.getString("code"),
                        r.getHeader("Retry-After"),
                        ms,
                        System.currentTimeMillis());
              }
              history.attempts.add(a);
              boolean retryable = a.status() == -1 || a.status() == 429 || a.status() >= 500;
              if (a.acknowledged() || !retryable || System.currentTimeMillis() > deadline) {
                done.complete(a);
                return;
              }
              long wait = 200;
              if (a.retryAfter() != null) {
                try {
                  wait = Math.max(wait, Long.parseLong(a.retryAfter()) * 1000);
                } catch (NumberFormatException ignored) {
                  // keep the default
                }
              }
              vertx.setTimer(
                  wait, id -> attempt(from, conv, clientId, text, targets, deadline, n + 1, done));
            });
  }

  private static JsonObject json(HttpResponse<Buffer> r) {
    try {
      JsonObject o = r.bodyAsJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  /**
   * Open-loop load: {@code total} sends at {@code perSecond}, round-robin over conversations and
   * their members, send i first to the nodes {@code targetsOfSend} gives for i, each retried as
   * {@link #send} does. Blocks (on the test thread) until every send has finished.
   */
  List<History.Attempt> load(
      int total,
      int perSecond,
      List<String> convs,
      java.util.Map<String, List<User>> members,
      java.util.function.IntFunction<Supplier<List<Target>>> targetsOfSend,
      long giveUpAfterMs,
      Runnable atHalfTime) {
    List<Future<History.Attempt>> all = new java.util.ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + TimeUnit.SECONDS.toNanos(i) / perSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        JarProcess.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
      }
      if (i == total / 2 && atHalfTime != null) {
        atHalfTime.run();
      }
      String conv = convs.get(i % convs.size());
      List<User> ms = members.get(conv);
      User from = ms.get((i / convs.size()) % ms.size());
      all.add(send(from, conv, targetsOfSend.apply(i), giveUpAfterMs));
    }
    await(Future.join(all).map(x -> null));
    return all.stream().map(Future::result).toList();
  }

  // --- streams ------------------------------------------------------------------------------

  /**
   * One device's event stream. It reconnects by itself (after {@code retryMs}) with its last id
   * whenever the server ends it or the connection breaks, to the next target offered.
   */
  final class Stream {
    final String name;
    final User user;
    final Supplier<List<Target>> targets;
    volatile String lastEventId;
    volatile boolean connected;
    volatile boolean closed;
    volatile boolean paused;
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger resyncs = new AtomicInteger();
    final AtomicLong lastEventAt = new AtomicLong();
    final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private final StringBuilder pending = new StringBuilder();
    private HttpClientResponse response;
    private int attempt;
    long retryMs = 300;
    boolean smallWindow;

    Stream(String name, User user, Supplier<List<Target>> targets) {
      this.name = name;
      this.user = user;
      this.targets = targets;
    }

    Future<Void> open() {
      Promise<Void> first = Promise.promise();
      connect(first);
      return first.future();
    }

    private void connect(Promise<Void> first) {
      if (closed) {
        return;
      }
      List<Target> ts = targets.get();
      Target t = ts.get(attempt++ % ts.size());
      RequestOptions o =
          new RequestOptions()
              .setMethod(HttpMethod.GET)
              .setHost("127.0.0.1")
              .setPort(t.port())
              .setURI("/sse")
              .addHeader("Authorization", "Bearer " + user.token())
              .addHeader("Accept", "text/event-stream");
      if (lastEventId != null) {
        o.addHeader("Last-Event-ID", lastEventId);
      }
      (smallWindow ? smallWindowStreams : streams)
          .request(o)
          .compose(
              req -> {
                Future<HttpClientResponse> head = req.response();
                req.end();
                return head;
              })
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  statuses.add(-1);
                  later(first);
                  return;
                }
                HttpClientResponse res = ar.result();
                statuses.add(res.statusCode());
                if (res.statusCode() != 200) {
                  refused.incrementAndGet();
                  res.body().onComplete(x -> later(first));
                  return;
                }
                connects.incrementAndGet();
                connected = true;
                response = res;
                synchronized (pending) {
                  pending.setLength(0);
                }
                res.handler(this::onData);
                res.exceptionHandler(err -> ended(res, first));
                res.endHandler(v -> ended(res, first));
                if (paused) {
                  res.pause();
                }
                if (first != null) {
                  first.tryComplete();
                }
              });
    }

    private void ended(HttpClientResponse res, Promise<Void> first) {
      if (response == res) {
        connected = false;
        response = null;
        later(first);
      }
    }

    private void later(Promise<Void> first) {
      if (!closed) {
        vertx.setTimer(retryMs + (long) (Math.random() * retryMs), id -> connect(first));
      }
    }

    private void onData(Buffer b) {
      synchronized (pending) {
        pending.append(b.toString());
        int idx;
        while ((idx = pending.indexOf("\n\n")) >= 0) {
          String block = pending.substring(0, idx);
          pending.delete(0, idx + 2);
          frame(block);
        }
      }
    }

    private void frame(String block) {
      String id = null;
      String event = "message";
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith(":")) {
          continue;
        }
        int c = line.indexOf(':');
        String field = c < 0 ? line : line.substring(0, c);
        String value = c < 0 ? "" : line.substring(c + 1).stripLeading();
        switch (field) {
          case "id" -> id = value;
          case "event" -> event = value;
          case "data" -> data = data == null ? value : data + "\n" + value;
          default -> {}
        }
      }
      if (id != null) {
        lastEventId = id;
      }
      if (data == null) {
        return;
      }
      lastEventAt.set(System.nanoTime());
      if ("resync".equals(event)) {
        resyncs.incrementAndGet();
      } else if ("message.created".equals(event)) {
        JsonObject m = new JsonObject(data).getJsonObject("message");
        history.deliveries.add(
            new History.Delivery(
                name,
                user.id(),
                id,
                m.getString("conversationId"),
                m.getLong("seq"),
                m.getString("id"),
                System.currentTimeMillis()));
      }
    }

    /** Stops reading (the socket stays open): a consumer that fell asleep. */
    void pause() {
      paused = true;
      HttpClientResponse r = response;
      if (r != null) {
        vertx.runOnContext(v -> r.pause());
      }
    }

    /**
     * Drops the connection as a client whose network changed would, then reconnects and resumes.
     */
    void drop() {
      HttpClientResponse r = response;
      if (r != null) {
        r.request().connection().close();
      }
    }

    void close() {
      closed = true;
      HttpClientResponse r = response;
      if (r != null) {
        r.request().connection().close();
      }
    }

    /** The conversations' seqs this stream got, as "conv#seq". */
    Set<String> seen() {
      Set<String> s = ConcurrentHashMap.newKeySet();
      for (History.Delivery d : history.deliveries) {
        if (d.stream().equals(name)) {
          s.add(d.conversationId() + "#" + d.seq());
        }
      }
      return s;
    }
  }

  Stream stream(String name, User user, Set<String> conversations, Supplier<List<Target>> targets) {
    Stream s = new Stream(name, user, targets);
    history.streamConversations.put(name, conversations);
    all.add(s);
    return s;
  }

  List<Stream> streams() {
    return all;
  }

  @Override
  public void close() {
    all.forEach(Stream::close);
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // ending anyway
    }
  }
}
