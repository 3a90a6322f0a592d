package io.parley.hostile;

import static io.parley.hostile.HostileNode.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api.Account;
import io.parley.testing.SseClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against the event stream: no or forged credentials, the JWT in the URL, unknown,
 * reused and revoked tickets, garbage and foreign {@code Last-Event-ID} cursors, and more streams
 * than a user or an address may hold.
 */
class SseHostileIT extends HostileSuite {
  static final int PER_ADDRESS = 25;

  @Override
  HostileNode startNode(Path dir) {
    return HostileNode.start(
        dir, Map.of("SSE_MAX_STREAMS_PER_ADDRESS", String.valueOf(PER_ADDRESS)));
  }

  private String ticket(Account who) {
    var res = n.api.post("/api/sse/ticket", null, who.token());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.bodyAsJsonObject().getString("ticket");
  }

  /** A stream request that must be refused (the refusal is a plain JSON answer). */
  private Reply sse(String pathAndQuery, Map<String, String> headers) {
    Map<String, String> h = new HashMap<>(headers);
    h.put("Accept", "text/event-stream");
    return Reply.of(n.api.raw(HttpMethod.GET, pathAndQuery, null, h));
  }

  private SseClient open(String pathAndQuery, Map<String, String> headers) {
    return SseClient.connect(n.http.vertx(), n.port(), pathAndQuery, headers);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // --- credentials ------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> aStreamNeedsATokenOrATicket() {
    String jwt = n.alice.token();
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("nothing", new Object[] {"/sse", 401, "unauthorized"});
    cases.put("the JWT as ?token=", new Object[] {"/sse?token=" + jwt, 401, "unauthorized"});
    cases.put(
        "the JWT as ?access_token=",
        new Object[] {"/sse?access_token=" + jwt, 401, "unauthorized"});
    cases.put("the JWT as ?ticket=", new Object[] {"/sse?ticket=" + jwt, 401, "invalid_ticket"});
    cases.put(
        "an unknown ticket", new Object[] {"/sse?ticket=" + "A".repeat(43), 401, "invalid_ticket"});
    cases.put("an empty ticket", new Object[] {"/sse?ticket=", 401, "invalid_ticket"});
    cases.put(
        "a 300-character ticket",
        new Object[] {"/sse?ticket=" + "t".repeat(300), 401, "invalid_ticket"});
    cases.put(
        "an operator as the ticket",
        new Object[] {"/sse?ticket=" + enc("{\"$ne\":null}"), 401, "invalid_ticket"});
    cases.put(
        "a regex as the ticket", new Object[] {"/sse?ticket=" + enc(".*"), 401, "invalid_ticket"});
    cases.put("ticket[$ne]=", new Object[] {"/sse?ticket%5B%24ne%5D=x", 401, "unauthorized"});
    cases.put(
        "a ticket's hash instead of the ticket",
        new Object[] {"/sse?ticket=" + "0".repeat(64), 401, "invalid_ticket"});
    cases.put(
        "a malformed escape in the ticket", new Object[] {"/sse?ticket=%ZZ", 400, "bad_request"});
    List<DynamicTest> tests = new ArrayList<>();
    cases.forEach(
        (what, c) ->
            tests.add(
                n.refusedTest(
                    what, (int) c[1], (String) c[2], () -> sse((String) c[0], Map.of()))));
    for (String query : List.of("?lastEventId=%ZZ", "?lastEventId=%", "?x=%E0%A4%A")) {
      tests.add(
          n.refusedTest(
              "a malformed escape with a bearer token: " + query,
              400,
              "bad_request",
              () -> sse("/sse" + query, HostileNode.bearer(n.carol.token()))));
    }
    return tests.stream();
  }

  @Test
  void aTicketWorksOnce() {
    String t = ticket(n.alice);
    try (SseClient first = open("/sse?ticket=" + enc(t), Map.of())) {
      assertThat(first.status()).isEqualTo(200);
    }
    n.refused(401, "invalid_ticket", () -> sse("/sse?ticket=" + enc(t), Map.of()));
    n.refused(
        401, "invalid_ticket", () -> sse("/sse?ticket=" + enc(t) + "&lastEventId=1-s", Map.of()));
  }

  @Test
  void aTicketOfASignedOutSessionOpensNothing() {
    Account second = n.api.login(n.alice, "browser");
    String t = ticket(second);
    assertThat(n.api.post("/api/auth/logout", null, second.token()).statusCode()).isEqualTo(204);
    Reply r = sse("/sse?ticket=" + enc(t), Map.of());
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("session_revoked");
    n.refused(401, "invalid_ticket", () -> sse("/sse?ticket=" + enc(t), Map.of()));
  }

  @Test
  void aTicketIsNotSpentByARequestThatAuthenticatesOtherwise() {
    String t = ticket(n.alice);
    // Mallory's own token decides whose stream this is; Alice's ticket stays unspent
    try (SseClient s =
        n.harmless(() -> open("/sse?ticket=" + enc(t), HostileNode.bearer(n.mallory.token())))) {
      assertThat(s.status()).isEqualTo(200);
    }
    try (SseClient alices = open("/sse?ticket=" + enc(t), Map.of())) {
      assertThat(alices.status()).isEqualTo(200);
    }
  }

  @Test
  void aForgedBearerWithAValidTicketIsStillRefused() {
    String t = ticket(n.alice);
    n.refused(
        401,
        "invalid_token",
        () ->
            sse(
                "/sse?ticket=" + enc(t),
                HostileNode.bearer(
                    Tokens.unsigned(
                        "none", Tokens.claims(n.alice.id(), n.alice.sessionId()), ""))));
  }

  // --- resume cursors ---------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> garbageCursorsGetAResync() {
    long now = System.currentTimeMillis();
    Map<String, String> invalid = new LinkedHashMap<>();
    invalid.put("letters", "abc");
    invalid.put("a negative number", "-1");
    invalid.put("zero", "0-m-x-1");
    invalid.put("a dash", "-");
    invalid.put("a far-future time", (now + 86_400_000L * 365) + "-m-x-1");
    invalid.put("a time of 16 digits", "1234567890123456-m");
    invalid.put("an exponent", "1e12-m");
    invalid.put("an operator", "{\"$gt\":0}");
    invalid.put("a regex", ".*");
    invalid.put("spaces", "   ");
    invalid.put("500 characters", "9".repeat(500));
    invalid.put("Arabic-Indic digits", "\u0661\u0662\u0663-m");
    Map<String, String> tooOld = new LinkedHashMap<>();
    tooOld.put("1970", "1-m-x-1");
    tooOld.put("a month ago", (now - 30L * 86_400_000) + "-m-" + n.aliceBob + "-1");
    List<DynamicTest> tests = new ArrayList<>();
    invalid.forEach((what, id) -> tests.add(resync("Last-Event-ID " + what, id, "cursor_invalid")));
    tooOld.forEach((what, id) -> tests.add(resync("Last-Event-ID " + what, id, "cursor_too_old")));
    tests.add(
        named(
            "?lastEventId= with an operator",
            () -> {
              try (SseClient s =
                  n.harmless(
                      () ->
                          open(
                              "/sse?lastEventId=" + enc("{\"$gt\":\"\"}"),
                              HostileNode.bearer(n.carol.token())))) {
                assertThat(s.status()).isEqualTo(200);
                SseClient.Event e = s.awaitEvent("resync", 10_000);
                assertThat(e).isNotNull();
                assertThat(new JsonObject(e.data()).getString("reason"))
                    .isEqualTo("cursor_invalid");
              }
            }));
    return tests.stream();
  }

  private DynamicTest resync(String name, String lastEventId, String reason) {
    return named(
        name,
        () -> {
          Map<String, String> h = HostileNode.bearer(n.carol.token());
          h.put("Last-Event-ID", lastEventId);
          try (SseClient s = n.harmless(() -> open("/sse", h))) {
            assertThat(s.status()).isEqualTo(200);
            SseClient.Event e = s.awaitEvent("resync", 10_000);
            assertThat(e).as("a resync event").isNotNull();
            assertThat(new JsonObject(e.data()).getString("reason")).isEqualTo(reason);
            assertThat(e.id()).isNotBlank();
          }
        });
  }

  @Test
  void anotherUsersCursorReplaysOnlyTheCallersOwnEvents() {
    // Alice's message, and its event id as Alice's own stream shows it
    String cursor;
    Map<String, String> h = HostileNode.bearer(n.alice.token());
    try (SseClient alices = open("/sse", h)) {
      n.api.send(n.alice, n.aliceBob, "for Bob's eyes only");
      SseClient.Event e = alices.awaitEvent("message.created", 10_000);
      assertThat(e).isNotNull();
      cursor = e.id();
    }
    // Mallory resumes from a moment before it, holding Alice's own cursor
    String before =
        (Long.parseLong(cursor.substring(0, cursor.indexOf('-'))) - 2000)
            + cursor.substring(cursor.indexOf('-'));
    int round = 0;
    for (String c : List.of(cursor, before)) {
      String marker = "marker " + ++round;
      Map<String, String> m = HostileNode.bearer(n.mallory.token());
      m.put("Last-Event-ID", c);
      try (SseClient mallorys = open("/sse", m)) {
        assertThat(mallorys.status()).isEqualTo(200);
        // a marker of Mallory's own, after which the replay is certainly over
        n.api.send(n.carol, n.malloryCarol, marker);
        assertThat(mallorys.await(e -> e.data().contains(marker), 10_000)).isNotNull();
        assertThat(mallorys.received())
            .noneMatch(
                e -> e.data().contains(n.aliceBob) || e.data().contains("for Bob's eyes only"));
      }
    }
  }

  // --- stream limits ----------------------------------------------------------------------------

  @Test
  void aUserHoldsAtMostTenStreams() {
    Account streamer = n.api.register("Streamer");
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        SseClient s = open("/sse", HostileNode.bearer(streamer.token()));
        assertThat(s.status()).as("stream %d", i + 1).isEqualTo(200);
        open.add(s);
      }
      Reply r =
          n.refused(
              429, "too_many_streams", () -> sse("/sse", HostileNode.bearer(streamer.token())));
      assertThat(r.header("Retry-After")).isNotBlank();
      // with a ticket too
      String t = ticket(streamer);
      Reply byTicket = sse("/sse?ticket=" + enc(t), Map.of());
      assertThat(byTicket.status()).isEqualTo(429);
      assertThat(byTicket.code()).isEqualTo("too_many_streams");
      // other users are not affected
      try (SseClient other = open("/sse", HostileNode.bearer(n.carol.token()))) {
        assertThat(other.status()).isEqualTo(200);
      }
      // closing one frees its slot
      open.remove(0).close();
      assertThat(
              HostileNode.eventually(
                  () -> {
                    try (SseClient again = open("/sse", HostileNode.bearer(streamer.token()))) {
                      return again.status() == 200;
                    }
                  }))
          .isTrue();
    } finally {
      open.forEach(SseClient::close);
    }
  }

  /** A stream held open on a raw socket from another loopback address. */
  static final class Held implements AutoCloseable {
    final java.net.Socket socket;
    final int status;

    Held(String from, int port, String token) {
      try {
        socket = RawHttp.connect(from, port);
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        + "Authorization: Bearer "
                        + token
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        // the status line is all we wait for; a 200 stream then stays open
        StringBuilder line = new StringBuilder();
        for (int c; (c = socket.getInputStream().read()) >= 0 && c != '\n'; ) {
          line.append((char) c);
        }
        status = Integer.parseInt(line.toString().split(" ")[1]);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (java.io.IOException ignored) {
        // closing anyway
      }
    }
  }

  /** From an address of its own (127.0.0.2), so that no other test's streams count. */
  @Test
  void anAddressHoldsAtMostItsLimit() {
    String from = "127.0.0.2";
    List<Account> users = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS / 10 + 1; i++) {
      users.add(n.api.register("Crowd" + i));
    }
    List<Held> open = new ArrayList<>();
    try {
      for (Account u : users) {
        for (int i = 0; i < 10 && open.size() < PER_ADDRESS; i++) {
          Held h = new Held(from, n.port(), u.token());
          open.add(h);
          assertThat(h.status).as("stream %d", open.size()).isEqualTo(200);
        }
      }
      // one more from this address, by a user with streams to spare, and with a ticket
      Account last = users.get(users.size() - 1);
      Reply r =
          n.refused(
              429,
              "too_many_streams",
              () ->
                  Reply.of(
                      RawHttp.sendFrom(
                          from, n.port(), "GET", "/sse", HostileNode.bearer(last.token()), null)));
      assertThat(r.header("Retry-After")).isNotBlank();
      String t = ticket(last);
      Reply byTicket =
          Reply.of(
              RawHttp.sendFrom(from, n.port(), "GET", "/sse?ticket=" + enc(t), Map.of(), null));
      assertThat(byTicket.status()).isEqualTo(429);
      assertThat(byTicket.code()).isEqualTo("too_many_streams");
      // another address is not affected
      try (SseClient elsewhere = open("/sse", HostileNode.bearer(last.token()))) {
        assertThat(elsewhere.status()).isEqualTo(200);
      }
    } finally {
      open.forEach(Held::close);
    }
    // every slot comes back once the streams are closed
    assertThat(
            HostileNode.eventually(
                () -> {
                  List<Held> again = new ArrayList<>();
                  try {
                    for (Account u : users.subList(0, 2)) {
                      for (int i = 0; i < 10; i++) {
                        Held h = new Held(from, n.port(), u.token());
                        again.add(h);
                        if (h.status != 200) {
                          return false;
                        }
                      }
                    }
                    return true;
                  } finally {
                    again.forEach(Held::close);
                  }
                }))
        .as("20 streams from the address again")
        .isTrue();
  }

  // --- issue 13, #2: a slot held by a client that is already gone -----------------------------

  /**
   * Clients that reset the connection right after asking for a stream with a ticket (before the
   * ticket is redeemed) must not keep their stream slots: afterwards the user still gets a stream.
   */
  @Test
  void clientsThatVanishDuringTheTicketCheckLeaveNoSlotTaken() throws Exception {
    Account dropper = n.api.register("Dropper");
    for (int i = 0; i < 12; i++) {
      String t = ticket(dropper);
      // from an address of its own: leaked address slots stay out of the other tests' way
      try (java.net.Socket s = RawHttp.connect("127.0.0.3", n.port())) {
        s.getOutputStream()
            .write(
                ("GET /sse?ticket=" + enc(t) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        s.setSoLinger(true, 0); // close with a reset, at once
      }
    }
    assertThat(
            HostileNode.eventually(
                () -> {
                  try (SseClient again = open("/sse", HostileNode.bearer(dropper.token()))) {
                    return again.status() == 200;
                  }
                }))
        .as("a stream for the user after 12 vanished clients")
        .isTrue();
  }

  // --- not in issue 13: other methods on /sse are 405 -------------------------------------------

  @Test
  void onlyGetOpensAStream() {
    for (HttpMethod m : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE)) {
      n.refused(
          405,
          "method_not_allowed",
          () -> n.json(m, "/sse", new JsonObject().put("ticket", "x"), n.alice.token()));
    }
  }
}
