package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.Prometheus;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.SseClient;
import io.parley.testing.SseClient.Event;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real event streams against a whole node: headers, auth, events, resume, limits, slow clients. */
class SseIT extends SingleNodeSuite {
  static final long WAIT = 10_000;
  final List<SseClient> open = new ArrayList<>();

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    Map<String, String> env = TestNodes.env(dir);
    env.put("SSE_HEARTBEAT_MS", "300");
    env.put("SSE_MAX_STREAMS_PER_USER", "4");
    env.put("SSE_MAX_QUEUED_BYTES", "65536");
    env.put("METRICS_PORT", String.valueOf(TestNodes.freePort()));
    return env;
  }

  @AfterEach
  void closeStreams() {
    open.forEach(SseClient::close);
    open.clear();
  }

  private SseClient stream(Account a) {
    return stream(a, null);
  }

  private SseClient stream(Account a, String lastEventId) {
    Map<String, String> h = new HashMap<>();
    h.put("Authorization", "Bearer " + a.token());
    if (lastEventId != null) {
      h.put("Last-Event-ID", lastEventId);
    }
    SseClient s = SseClient.connect(http.vertx(), node.httpPort(), "/sse", h);
    open.add(s);
    return s;
  }

  private static Event awaitMessage(SseClient s, String text) {
    return s.await(
        e ->
            e.event().equals("message.created")
                && text.equals(e.json().getJsonObject("message").getString("text")),
        WAIT);
  }

  @Test
  void aStreamIsUncompressedUnbufferedStartsWithRetryAndHasHeartbeats() {
    Account ann = api.register("Ann");
    SseClient s =
        SseClient.connect(
            http.vertx(),
            node.httpPort(),
            "/sse",
            Map.of("Authorization", "Bearer " + ann.token(), "Accept-Encoding", "gzip, deflate"));
    open.add(s);
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.header("Content-Type")).startsWith("text/event-stream");
    assertThat(s.header("X-Accel-Buffering")).isEqualTo("no");
    assertThat(s.header("Content-Encoding")).isIn(null, "identity");
    long deadline = System.currentTimeMillis() + WAIT;
    while (s.comments() < 2 && System.currentTimeMillis() < deadline) {
      s.next(100);
    }
    assertThat(s.startedWithRetry()).isTrue();
    assertThat(s.retry()).isEqualTo("3000");
    assertThat(s.comments()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aStreamNeedsAValidTokenAndNeverTakesTheJwtFromTheUrl() {
    Account ann = api.register("Ann");
    for (Map<String, String> headers :
        List.of(
            Map.<String, String>of(),
            Map.of("Authorization", "Bearer not.a.jwt"),
            Map.of("Authorization", "Basic " + ann.token()))) {
      SseClient s = SseClient.connect(http.vertx(), node.httpPort(), "/sse", headers);
      open.add(s);
      assertThat(s.status()).isEqualTo(401);
    }
    for (String q : List.of("?token=", "?access_token=", "?jwt=")) {
      SseClient s =
          SseClient.connect(http.vertx(), node.httpPort(), "/sse" + q + ann.token(), Map.of());
      open.add(s);
      assertThat(s.status()).as(q).isEqualTo(401);
    }
  }

  @Test
  void aTicketOpensOneStreamOnceForBrowsers() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    var res = api.post("/api/sse/ticket", null, ann.token());
    assertThat(res.statusCode()).isEqualTo(200);
    String ticket = res.bodyAsJsonObject().getString("ticket");
    assertThat(ticket).hasSizeGreaterThanOrEqualTo(32);
    assertThat(res.bodyAsJsonObject().getString("expiresAt")).isNotNull();

    SseClient s =
        SseClient.connect(http.vertx(), node.httpPort(), "/sse?ticket=" + ticket, Map.of());
    open.add(s);
    assertThat(s.status()).isEqualTo(200);
    String conv = api.conversation(bob, "direct", null, ann).getString("id");
    api.send(bob, conv, "via ticket");
    assertThat(awaitMessage(s, "via ticket")).isNotNull();

    SseClient again =
        SseClient.connect(http.vertx(), node.httpPort(), "/sse?ticket=" + ticket, Map.of());
    open.add(again);
    assertThat(again.status()).isEqualTo(401);
    SseClient forged =
        SseClient.connect(
            http.vertx(), node.httpPort(), "/sse?ticket=AAAA" + ticket.substring(4), Map.of());
    open.add(forged);
    assertThat(forged.status()).isEqualTo(401);
    assertThat(api.post("/api/sse/ticket", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void everyDeviceOfEveryMemberGetsTheMessageAndOutsidersGetNothing() {
    Account ann = api.register("Ann");
    Account annLaptop = api.login(ann, "Laptop");
    Account bob = api.register("Bob");
    Account eve = api.register("Eve");
    SseClient annPhone = stream(ann);
    SseClient annWeb = stream(annLaptop);
    SseClient bobs = stream(bob);
    SseClient eves = stream(eve);
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    JsonObject m = api.send(bob, conv, "hello both devices");
    for (SseClient s : List.of(annPhone, annWeb, bobs)) {
      Event e = awaitMessage(s, "hello both devices");
      assertThat(e).isNotNull();
      assertThat(e.id()).isNotBlank().contains(conv);
      assertThat(e.json().getJsonObject("message").getLong("seq")).isEqualTo(m.getLong("seq"));
    }
    // Eve's own event arrives; nothing of Ann and Bob's came before it
    String evesConv = api.conversation(eve, "direct", null, bob).getString("id");
    assertThat(eves.awaitEvent("conversation.created", WAIT)).isNotNull();
    assertThat(eves.received())
        .noneMatch(e -> e.data().contains(conv))
        .allMatch(e -> e.data().contains(evesConv));
  }

  /** Ann, streaming, in a group "Events" with Bob; its conversation.created already read. */
  private record Group(Account ann, Account bob, SseClient annStream, String conv) {}

  private Group annStreamingInAGroupWithBob() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    SseClient s = stream(ann);
    String conv = api.conversation(ann, "group", "Events", bob).getString("id");
    assertThat(s.awaitEvent("conversation.created", WAIT)).isNotNull();
    return new Group(ann, bob, s, conv);
  }

  @Test
  void aNewConversationIsAConversationCreatedEvent() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    SseClient s = stream(ann);
    api.conversation(ann, "group", "Events", bob);
    Event created = s.awaitEvent("conversation.created", WAIT);
    assertThat(created.id()).isNotBlank();
    assertThat(created.json().getJsonObject("conversation").getString("title")).isEqualTo("Events");
  }

  /** Bob's message "tpyo", corrected to "typo", and the message.updated Ann's stream got. */
  private record Corrected(JsonObject message, Event edited) {}

  private Corrected bobCorrectsATypo(Group g) {
    JsonObject m = api.send(g.bob(), g.conv(), "tpyo");
    assertThat(awaitMessage(g.annStream(), "tpyo")).isNotNull();
    api.patch(
        "/api/messages/" + m.getString("id"),
        new JsonObject().put("text", "typo"),
        g.bob().token());
    return new Corrected(m, g.annStream().awaitEvent("message.updated", WAIT));
  }

  @Test
  void anEditIsAMessageUpdatedEventWithTheNewText() {
    Corrected c = bobCorrectsATypo(annStreamingInAGroupWithBob());
    assertThat(c.edited().json().getJsonObject("message").getString("text")).isEqualTo("typo");
  }

  @Test
  void aDeletionIsAMessageUpdatedEventOfItsOwnAfterAnEdit() {
    Group g = annStreamingInAGroupWithBob();
    Corrected c = bobCorrectsATypo(g);
    api.delete("/api/messages/" + c.message().getString("id"), g.bob().token());
    Event deleted = g.annStream().awaitEvent("message.updated", WAIT);
    assertThat(deleted.json().getJsonObject("message").getString("deletedAt")).isNotNull();
    assertThat(deleted.id()).isNotEqualTo(c.edited().id());
  }

  @Test
  void aReadReceiptIsAnEventWithTheReaderAndTheSeq() {
    Group g = annStreamingInAGroupWithBob();
    api.send(g.bob(), g.conv(), "first");
    api.send(g.ann(), g.conv(), "read me");
    api.post(
        "/api/conversations/" + g.conv() + "/receipts",
        new JsonObject().put("type", "read").put("upToSeq", 2),
        g.bob().token());
    Event receipt = g.annStream().awaitEvent("receipt", WAIT);
    assertThat(receipt.json().getString("userId")).isEqualTo(g.bob().id());
    assertThat(receipt.json().getLong("upToSeq")).isEqualTo(2);
    assertThat(receipt.id()).isNotBlank();
  }

  @Test
  void aRenameIsAConversationUpdatedEvent() {
    Group g = annStreamingInAGroupWithBob();
    api.patch(
        "/api/conversations/" + g.conv(),
        new JsonObject().put("title", "Renamed"),
        g.ann().token());
    Event renamed = g.annStream().awaitEvent("conversation.updated", WAIT);
    assertThat(renamed.json().getJsonObject("conversation").getString("title"))
        .isEqualTo("Renamed");
  }

  @Test
  void typingIsAnEventWithoutAnId() {
    Group g = annStreamingInAGroupWithBob();
    api.post("/api/conversations/" + g.conv() + "/typing", null, g.bob().token());
    Event typing = g.annStream().awaitEvent("typing", WAIT);
    assertThat(typing.id()).isNull();
    assertThat(typing.json().getString("userId")).isEqualTo(g.bob().id());
  }

  @Test
  void anAddedMemberGetsEventsAtOnceAndARemovedMemberStops() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    String conv = api.conversation(ann, "group", "Members", bob).getString("id");
    SseClient cats = stream(cat);
    SseClient bobs = stream(bob);
    api.post(
        "/api/conversations/" + conv + "/members",
        new JsonObject().put("userIds", new JsonArray().add(cat.id())),
        ann.token());
    assertThat(cats.awaitEvent("conversation.updated", WAIT)).isNotNull();
    api.send(ann, conv, "welcome Cat");
    assertThat(awaitMessage(cats, "welcome Cat")).isNotNull();

    assertThat(
            api.delete("/api/conversations/" + conv + "/members/" + bob.id(), ann.token())
                .statusCode())
        .isEqualTo(204);
    Event removal =
        bobs.await(
            e -> e.event().equals("conversation.updated") && e.json().getBoolean("removed", false),
            WAIT);
    assertThat(removal).isNotNull();
    api.send(ann, conv, "after Bob left");
    assertThat(awaitMessage(cats, "after Bob left")).isNotNull();
    // Cat has it, so Bob would have too: he got nothing after his removal
    assertThat(bobs.received()).noneMatch(e -> e.data().contains("after Bob left"));

    // and his resume from before the removal does not replay the conversation's later messages
    SseClient resumed = stream(bob, removal.id());
    api.send(bob, api.conversation(bob, "direct", null, ann).getString("id"), "marker");
    assertThat(awaitMessage(resumed, "marker")).isNotNull();
    assertThat(resumed.received()).noneMatch(e -> e.data().contains("after Bob left"));
  }

  @Test
  void aRevokedSessionsStreamEndsWithSessionRevokedAndOtherDevicesStay() {
    Account ann = api.register("Ann");
    Account laptop = api.login(ann, "Laptop");
    SseClient phone = stream(ann);
    SseClient web = stream(laptop);
    assertThat(api.delete("/api/sessions/" + laptop.sessionId(), ann.token()).statusCode())
        .isEqualTo(204);
    Event revoked = web.awaitEvent("session.revoked", WAIT);
    assertThat(revoked).isNotNull();
    assertThat(web.awaitEnd(WAIT)).isTrue();
    assertThat(phone.ended()).isFalse();
    SseClient again = stream(laptop);
    assertThat(again.status()).isEqualTo(401);
  }

  @Test
  void aReconnectWithLastEventIdGetsExactlyWhatItMissedInOrder() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    SseClient first = stream(bob);
    api.send(ann, conv, "before");
    Event last = awaitMessage(first, "before");
    Set<String> seen = new HashSet<>();
    first.received().forEach(e -> seen.add(e.id()));
    first.close();

    List<Long> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(api.send(i % 2 == 0 ? ann : bob, conv, "missed " + i).getLong("seq"));
    }
    SseClient resumed = stream(bob, last.id());
    assertThat(awaitMessage(resumed, "missed 49")).isNotNull();
    List<Long> replayed = new ArrayList<>();
    for (Event e : resumed.received()) {
      // repeats of what the first stream saw are allowed (the resume window) and dropped by id
      if (e.event().equals("message.created") && !seen.contains(e.id())) {
        replayed.add(e.json().getJsonObject("message").getLong("seq"));
      }
    }
    assertThat(replayed).containsExactlyElementsOf(sent);
    assertThat(resumed.received()).noneMatch(e -> e.id() != null && e.id().equals(last.id()));

    // and then it continues live
    api.send(ann, conv, "live again");
    assertThat(awaitMessage(resumed, "live again")).isNotNull();
  }

  @Test
  void aMalformedOrAncientCursorGetsResync() {
    Account ann = api.register("Ann");
    for (String cursor :
        List.of("garbage", "-1", "99999999999999-m-x-1", "1000-m-0123456789abcdef01234567-1")) {
      SseClient s = stream(ann, cursor);
      assertThat(s.status()).isEqualTo(200);
      Event e = s.awaitEvent("resync", WAIT);
      assertThat(e).as(cursor).isNotNull();
      assertThat(e.id()).isNotBlank();
    }
  }

  @Test
  void streamsPerUserAreCapped() {
    Account ann = api.register("Ann");
    for (int i = 0; i < 4; i++) {
      assertThat(stream(ann).status()).isEqualTo(200);
    }
    SseClient fifth = stream(ann);
    assertThat(fifth.status()).isEqualTo(429);
    assertThat(fifth.header("Retry-After")).isNotNull();
    open.get(0).close();
    long deadline = System.currentTimeMillis() + WAIT;
    int status = 429;
    while (status == 429 && System.currentTimeMillis() < deadline) {
      SseClient s = stream(ann);
      status = s.status();
    }
    assertThat(status).isEqualTo(200);
  }

  @Test
  void aClientThatNeverReadsIsDroppedAndTheNodeStaysHealthy() throws Exception {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    SseClient healthy = stream(bob);

    // a raw socket with a tiny receive buffer that stops reading after the response head
    long before = openStreams();
    Buffer received = Buffer.buffer();
    AtomicBoolean closed = new AtomicBoolean();
    NetSocket sock =
        http.vertx()
            .createNetClient(new NetClientOptions().setReceiveBufferSize(4096))
            .connect(node.httpPort(), "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    sock.handler(received::appendBuffer);
    sock.closeHandler(v -> closed.set(true));
    sock.write(
        Buffer.buffer(
            "GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + bob.token()
                + "\r\nAccept: text/event-stream\r\n\r\n"));
    long deadline = System.currentTimeMillis() + WAIT;
    while (received.length() == 0 && System.currentTimeMillis() < deadline) {
      healthy.next(50);
    }
    sock.pause();
    assertThat(openStreams()).isEqualTo(before + 1);

    // send until the node has dropped the stalled stream (its gauge of open streams says so;
    // the paused client cannot see the close yet), 25 at a time: the kernel's socket buffers
    // hold a few MB before the node's own queue grows
    String big = "x".repeat(3900);
    int sent = 0;
    while (openStreams() > before && sent < 4000) {
      List<io.vertx.core.Future<?>> batch = new ArrayList<>();
      for (int i = 0; i < 25; i++, sent++) {
        batch.add(send(ann, conv, "slow-" + sent, big + "#" + sent + "#"));
      }
      io.vertx.core.Future.join(batch).await(30, TimeUnit.SECONDS);
    }
    assertThat(openStreams()).as("the node dropped the stalled stream").isEqualTo(before);
    // what is sent after the drop never reaches the stalled client: nothing more is queued for it
    int dropped = sent;
    List<io.vertx.core.Future<?>> after = new ArrayList<>();
    for (int i = 0; i < 25; i++, sent++) {
      after.add(send(ann, conv, "slow-" + sent, big + "#" + sent + "#"));
    }
    io.vertx.core.Future.join(after).await(30, TimeUnit.SECONDS);
    sock.resume();
    deadline = System.currentTimeMillis() + WAIT;
    while (!closed.get() && System.currentTimeMillis() < deadline) {
      healthy.next(50);
    }
    assertThat(closed.get()).as("the stalled client finally sees the close").isTrue();
    String got = received.toString();
    for (int i = dropped; i < sent; i++) {
      assertThat(got).doesNotContain("#" + i + "#");
    }
    assertThat(api.get("/health", null).statusCode()).isEqualTo(200);
    api.send(ann, conv, "still flowing");
    assertThat(awaitMessage(healthy, "still flowing")).isNotNull();
  }

  private io.vertx.core.Future<?> send(Account from, String conv, String clientId, String text) {
    return http.client()
        .post(node.httpPort(), "127.0.0.1", "/api/conversations/" + conv + "/messages")
        .putHeader("Authorization", "Bearer " + from.token())
        .sendJsonObject(new JsonObject().put("clientId", clientId).put("text", text));
  }

  /** The node's {@code parley_sse_streams_open} gauge, from its metrics port. */
  private long openStreams() {
    String scrape = http.get(node.metricsPort(), "/metrics").bodyAsString();
    double open = Prometheus.sample(scrape, "parley_sse_streams_open", null);
    assertThat(open).as(scrape).isNotNaN();
    return (long) open;
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
