package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.Await;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.SseClient;
import io.parley.testing.SseClient.Event;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * An open stream never silently misses a stored event, and a resume with the stream's cursor gets
 * exactly what the client lacks. Events lost in flight are simulated the way they happen: a message
 * that is stored (with its seq and the conversation's activity) but whose event never reaches the
 * node's bus.
 */
class StreamGapIT extends SingleNodeSuite {
  static final long WAIT = 10_000;

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    Map<String, String> env = TestNodes.env(dir);
    env.put("SSE_CHECK_INTERVAL_MS", "500");
    return env;
  }

  private SseClient stream(Account a, String lastEventId) {
    Map<String, String> h = new java.util.HashMap<>();
    h.put("Authorization", "Bearer " + a.token());
    if (lastEventId != null) {
      h.put("Last-Event-ID", lastEventId);
    }
    return SseClient.connect(http.vertx(), node.httpPort(), "/sse", h);
  }

  /** Stores a message the way a writer does, but tells nobody: its event is lost in flight. */
  private long storeSilently(Account sender, String conv, String text) {
    JsonObject c = db.findOne("conversations", new JsonObject().put("_id", conv));
    long seq = c.getLong("lastSeq") + 1;
    JsonObject like = db.findOne("messages", new JsonObject().put("conversationId", conv));
    JsonObject now = new JsonObject().put("$date", Instant.now().toString());
    JsonObject doc =
        like.copy()
            .put("_id", new ObjectId().toHexString())
            .put("seq", seq)
            .put("senderId", sender.id())
            .put("clientId", "silent-" + seq)
            .put("text", text)
            .put("contentHash", "x")
            .put("createdAt", now)
            .put("updatedAt", now);
    try {
      db.client().insert("messages", doc).await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    db.update(
        "conversations",
        new JsonObject().put("_id", conv),
        new JsonObject()
            .put("$set", new JsonObject().put("lastSeq", seq).put("lastMessageAt", now)));
    return seq;
  }

  private static List<Long> seqsOf(SseClient s, String conv) {
    List<Long> seqs = new ArrayList<>();
    for (Event e : s.received()) {
      if (e.event().equals("message.created")
          && conv.equals(e.json().getString("conversationId"))) {
        seqs.add(e.json().getJsonObject("message").getLong("seq"));
      }
    }
    return seqs;
  }

  private static Event awaitSeq(SseClient s, long seq) {
    return s.await(
        e ->
            e.event().equals("message.created")
                && e.json().getJsonObject("message").getLong("seq") == seq,
        WAIT);
  }

  @Test
  void aStreamNeverDeliversPastAGap() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient bobs = stream(bob, null)) {
      api.send(ann, conv, "one");
      assertThat(awaitSeq(bobs, 1)).isNotNull();
      storeSilently(ann, conv, "two, lost in flight");
      api.send(ann, conv, "three");
      assertThat(awaitSeq(bobs, 3)).isNotNull();
      // the lost one came first, with the id its live event would have had
      assertThat(seqsOf(bobs, conv)).containsExactly(1L, 2L, 3L);
      Event two =
          bobs.received().stream()
              .filter(e -> e.event().equals("message.created") && e.data().contains("lost in"))
              .findFirst()
              .orElseThrow();
      assertThat(two.id()).endsWith("-m-" + conv + "-2");
    }
    // counted right after the repaired event is written: the client may read it first
    assertThat(Await.until(5000, () -> repaired("gap") > 0)).isTrue();
  }

  @Test
  void aLostLastMessageReachesTheOpenStreamWithinSeconds() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient bobs = stream(bob, null)) {
      api.send(ann, conv, "first");
      assertThat(awaitSeq(bobs, 1)).isNotNull();
      // nothing follows it: only the periodic check can notice
      storeSilently(ann, conv, "the last word, lost in flight");
      assertThat(awaitSeq(bobs, 2)).isNotNull();
      assertThat(seqsOf(bobs, conv)).containsExactly(1L, 2L);
    }
    assertThat(Await.until(5000, () -> repaired("check") > 0)).isTrue();
  }

  @Test
  void aResumeWithTheStreamsCursorSendsExactlyWhatWasMissedWithoutRepeats() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "group", "Busy", bob).getString("id");
    String other = api.conversation(bob, "direct", null, ann).getString("id");
    String cursor;
    try (SseClient first = stream(bob, null)) {
      for (int i = 1; i <= 10; i++) {
        api.send(ann, conv, "before " + i);
      }
      api.send(ann, other, "other before");
      assertThat(awaitSeq(first, 10)).isNotNull();
      assertThat(
              first.await(
                  e -> e.event().equals("message.created") && e.data().contains("other before"),
                  WAIT))
          .isNotNull();
      cursor = first.lastEventId();
    }
    assertThat(cursor).startsWith("p2:");
    for (int i = 1; i <= 30; i++) {
      api.send(ann, conv, "missed " + i);
    }
    try (SseClient resumed = stream(bob, cursor)) {
      assertThat(awaitSeq(resumed, 40)).isNotNull();
      api.send(ann, conv, "live");
      assertThat(awaitSeq(resumed, 41)).isNotNull();
      List<Long> expected = new ArrayList<>();
      for (long s = 11; s <= 41; s++) {
        expected.add(s);
      }
      // exactly the 30 missed, then the live one: no repeat of the ten it had
      assertThat(seqsOf(resumed, conv)).containsExactlyElementsOf(expected);
      assertThat(seqsOf(resumed, other)).isEmpty();
    }
  }

  @Test
  void aConversationQuietForMoreThanTenSecondsIsStillListedSoAResumeRepeatsNothing()
      throws InterruptedException {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String quiet = api.conversation(ann, "direct", null, bob).getString("id");
    String busy = api.conversation(ann, "group", "Busy", bob).getString("id");
    String cursor;
    try (SseClient first = stream(bob, null)) {
      api.send(ann, quiet, "said once");
      assertThat(awaitSeq(first, 1)).isNotNull();
      // the replay reaches 15 s behind the cursor: a conversation quiet for 11 s is within it
      Thread.sleep(11_000);
      api.send(ann, busy, "much later");
      assertThat(
              first.await(
                  e -> e.event().equals("message.created") && e.data().contains("much later"),
                  WAIT))
          .isNotNull();
      cursor = first.lastEventId();
    }
    assertThat(cursor).contains(":" + quiet + ":1").contains(":" + busy + ":1");
    api.send(ann, busy, "missed");
    try (SseClient resumed = stream(bob, cursor)) {
      assertThat(
              resumed.await(
                  e -> e.event().equals("message.created") && e.data().contains("missed"), WAIT))
          .isNotNull();
      assertThat(seqsOf(resumed, quiet)).isEmpty();
      assertThat(seqsOf(resumed, busy)).containsExactly(2L);
    }
  }

  @Test
  void resumingAgainAndAgainNeverRepeatsABurstThatEndedSecondsBefore() throws InterruptedException {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String burst = api.conversation(ann, "group", "Burst", bob).getString("id");
    String busy = api.conversation(ann, "direct", null, bob).getString("id");
    SseClient s = stream(bob, null);
    for (int i = 1; i <= 40; i++) {
      api.send(ann, burst, "burst " + i);
    }
    assertThat(awaitSeq(s, 40)).isNotNull();
    for (int round = 0; round < 6; round++) {
      String busyText = "busy " + round;
      String markerText = "marker " + round;
      api.send(ann, busy, busyText);
      SseClient before = s;
      assertThat(before.await(e -> e.data().contains(busyText), WAIT)).isNotNull();
      String cursor = before.lastEventId();
      before.close();
      // wall-clock time the node's resume window is measured in (no condition to await): over the
      // rounds the burst ages from inside the window to its edge
      Thread.sleep(2_000);
      SseClient now = stream(bob, cursor);
      s = now;
      api.send(ann, busy, markerText);
      assertThat(now.await(e -> e.data().contains(markerText), WAIT)).isNotNull();
      assertThat(seqsOf(now, burst)).as("round " + round).isEmpty();
    }
    s.close();
  }

  @Test
  void aStreamOpenedAfterABurstIsNotSentTheBurstWhenItResumes() throws InterruptedException {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String burst = api.conversation(ann, "group", "Before", bob).getString("id");
    String later = api.conversation(ann, "direct", null, bob).getString("id");
    for (int i = 1; i <= 20; i++) {
      api.send(ann, burst, "before the stream " + i);
    }
    // more than the 5 s skew window before the stream opens: not the new stream's to replay
    Thread.sleep(6_000);
    String cursor;
    try (SseClient fresh = stream(bob, null)) {
      api.send(ann, later, "after it opened");
      assertThat(fresh.await(e -> e.data().contains("after it opened"), WAIT)).isNotNull();
      cursor = fresh.lastEventId();
    }
    assertThat(cursor).startsWith("p2:");
    api.send(ann, later, "while away");
    try (SseClient resumed = stream(bob, cursor)) {
      assertThat(resumed.await(e -> e.data().contains("while away"), WAIT)).isNotNull();
      assertThat(seqsOf(resumed, burst)).isEmpty();
      assertThat(seqsOf(resumed, later)).containsExactly(2L);
    }
  }

  @Test
  void aMemberRemovedWhileAwayLearnsItOnResumeAndGetsNothingSentAfter() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    String conv = api.conversation(ann, "group", "Leaving", bob, cat).getString("id");
    String cursor;
    try (SseClient first = stream(bob, null)) {
      api.send(ann, conv, "hello both");
      assertThat(awaitSeq(first, 1)).isNotNull();
      cursor = first.lastEventId();
    }
    assertThat(
            api.delete("/api/conversations/" + conv + "/members/" + bob.id(), ann.token())
                .statusCode())
        .isEqualTo(204);
    api.send(ann, conv, "only Cat now");
    try (SseClient resumed = stream(bob, cursor)) {
      Event removal =
          resumed.await(
              e ->
                  e.event().equals("conversation.updated") && e.json().getBoolean("removed", false),
              WAIT);
      assertThat(removal).isNotNull();
      assertThat(removal.json().getJsonObject("conversation").getString("id")).isEqualTo(conv);
      assertThat(resumed.received()).noneMatch(e -> e.data().contains("only Cat now"));
      assertThat(seqsOf(resumed, conv)).isEmpty();
    }
  }

  @Test
  void aResumeReplaysEditsAndDeletionsOfMessagesTheClientHadBesideTheNewOnes() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "group", "Edits", bob).getString("id");
    List<JsonObject> sent = new ArrayList<>();
    String cursor;
    try (SseClient first = stream(bob, null)) {
      for (int i = 1; i <= 5; i++) {
        sent.add(api.send(ann, conv, "before " + i));
      }
      assertThat(awaitSeq(first, 5)).isNotNull();
      cursor = first.lastEventId();
    }
    // while Bob is away: seq 2 is edited, seq 4 deleted, two new messages arrive
    assertThat(
            api.patch(
                    "/api/messages/" + sent.get(1).getString("id"),
                    new JsonObject().put("text", "before 2, corrected"),
                    ann.token())
                .statusCode())
        .isEqualTo(200);
    assertThat(api.delete("/api/messages/" + sent.get(3).getString("id"), ann.token()).statusCode())
        .isEqualTo(204);
    api.send(ann, conv, "missed 6");
    api.send(ann, conv, "missed 7");
    try (SseClient resumed = stream(bob, cursor)) {
      assertThat(awaitSeq(resumed, 7)).isNotNull();
      // the replay comes in commit order: the edit and the deletion came before seq 6 and 7
      List<JsonObject> updated =
          resumed.received().stream()
              .filter(e -> e.event().equals("message.updated"))
              .map(e -> e.json().getJsonObject("message"))
              .toList();
      assertThat(updated).extracting(m -> m.getLong("seq")).containsExactly(2L, 4L);
      assertThat(updated.get(0).getString("text")).isEqualTo("before 2, corrected");
      assertThat(updated.get(1).getString("deletedAt")).isNotNull();
      assertThat(seqsOf(resumed, conv)).containsExactly(6L, 7L);
    }
  }

  private double repaired(String kind) {
    var c =
        node.context()
            .metrics()
            .registry()
            .find("parley.sse.repaired.events")
            .tag("kind", kind)
            .counter();
    return c == null ? 0 : c.count();
  }
}
