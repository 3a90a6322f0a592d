package io.parley.http.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.bus.EventIds;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamCursorTest {
  private static final String CONV_A = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String CONV_B = "0123456789abcdef01234567";
  private static final long AT = 1_790_000_000_000L;

  @Test
  void encodedCursorDecodesToTheSameTimeAndSeqsInOrder() {
    Map<String, Long> seqs = new LinkedHashMap<>();
    seqs.put(CONV_B, 7L);
    seqs.put(CONV_A, 42L);

    StreamCursor decoded = StreamCursor.decode(new StreamCursor(AT, seqs).encode());

    assertThat(decoded.atMs()).isEqualTo(AT);
    assertThat(decoded.seqs()).containsExactly(Map.entry(CONV_B, 7L), Map.entry(CONV_A, 42L));
  }

  @Test
  void aFreshStreamsFloorTravelsInTheCursorAndAnOlderCursorHasNone() {
    Map<String, Long> seqs = new LinkedHashMap<>();
    seqs.put(CONV_A, 3L);
    String encoded = new StreamCursor(AT, AT - 500, seqs).encode();

    assertThat(encoded).isEqualTo("p2:" + AT + ":" + (AT - 500) + ":" + CONV_A + ":3");
    StreamCursor decoded = StreamCursor.decode(encoded);
    assertThat(decoded.floorMs()).isEqualTo(AT - 500);
    assertThat(decoded.atMs()).isEqualTo(AT);
    assertThat(decoded.seqs()).containsExactly(Map.entry(CONV_A, 3L));
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A + ":3").floorMs()).isZero();
    assertThat(StreamCursor.decode("p2:" + AT + ":" + AT))
        .isEqualTo(new StreamCursor(AT, AT, Map.of()));
  }

  @Test
  void aFloorAfterTheCursorsTimeOrAMissingOneIsNotACursor() {
    assertThat(StreamCursor.decode("p2:" + AT + ":" + (AT + 1))).isNull();
    assertThat(StreamCursor.decode("p2:" + AT)).isNull();
    assertThat(StreamCursor.decode("p2:" + AT + ":x")).isNull();
    assertThat(StreamCursor.decode("p2:" + AT + ":" + AT + ":" + CONV_A)).isNull();
  }

  @Test
  void cursorWithoutConversationsIsThePrefixAndTheTime() {
    String encoded = new StreamCursor(AT, Map.of()).encode();

    assertThat(encoded).isEqualTo("p1:" + AT);
    assertThat(StreamCursor.decode(encoded)).isEqualTo(new StreamCursor(AT, Map.of()));
  }

  @Test
  void cursorListingTheMostConversationsAllowedDecodes() {
    Map<String, Long> seqs = new LinkedHashMap<>();
    for (int i = 0; i < StreamCursor.MAX_LISTED; i++) {
      seqs.put(String.format("%024x", i), 999_999_999_999_999_999L);
    }
    String encoded = new StreamCursor(999_999_999_999_999_999L, seqs).encode();

    assertThat(encoded.length()).isLessThanOrEqualTo(StreamCursor.MAX_LENGTH);
    assertThat(StreamCursor.decode(encoded).seqs()).hasSize(StreamCursor.MAX_LISTED);
  }

  @Test
  void cursorListingMoreConversationsThanAllowedIsRejected() {
    Map<String, Long> seqs = new LinkedHashMap<>();
    for (int i = 0; i <= StreamCursor.MAX_LISTED; i++) {
      seqs.put(String.format("%024x", i), 1L);
    }

    assertThat(StreamCursor.decode(new StreamCursor(AT, seqs).encode())).isNull();
  }

  @Test
  void headerLongerThanTheLimitIsRejected() {
    String tooLong = "p1:" + AT + ":" + CONV_A + ":" + "1".repeat(StreamCursor.MAX_LENGTH);

    assertThat(StreamCursor.decode(tooLong)).isNull();
  }

  @Test
  void missingOrEmptyHeaderIsNoCursor() {
    assertThat(StreamCursor.decode(null)).isNull();
    assertThat(StreamCursor.decode("")).isNull();
  }

  @Test
  void cursorWithoutATimeIsRejected() {
    assertThat(StreamCursor.decode("p1:")).isNull();
    assertThat(StreamCursor.decode("p1:0")).isNull();
    assertThat(StreamCursor.decode("p1:-5")).isNull();
    assertThat(StreamCursor.decode("p1:12x")).isNull();
  }

  @Test
  void timeLongerThanEighteenDigitsIsRejected() {
    assertThat(StreamCursor.decode("p1:" + "9".repeat(19))).isNull();
  }

  @Test
  void conversationWithoutASeqIsRejected() {
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A)).isNull();
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A + ":")).isNull();
  }

  @Test
  void zeroOrNonNumericSeqIsRejected() {
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A + ":0")).isNull();
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A + ":+3")).isNull();
  }

  @Test
  void conversationThatIsNotAnIdIsRejected() {
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A.toUpperCase() + ":3")).isNull();
    assertThat(StreamCursor.decode("p1:" + AT + ":abc:3")).isNull();
  }

  @Test
  void conversationListedTwiceIsRejected() {
    assertThat(StreamCursor.decode("p1:" + AT + ":" + CONV_A + ":3:" + CONV_A + ":4")).isNull();
  }

  @Test
  void messageEventIdResumesAfterItsSeqInItsConversation() {
    StreamCursor c = StreamCursor.decode(EventIds.messageCreated(AT, CONV_A, 12));

    assertThat(c).isEqualTo(new StreamCursor(AT, Map.of(CONV_A, 12L)));
  }

  @Test
  void otherEventIdsGiveOnlyTheirTime() {
    for (String id :
        new String[] {
          EventIds.messageUpdated(AT, CONV_A, 12, 2),
          EventIds.receipt(AT, CONV_A, CONV_B, "read", 12),
          EventIds.conversation(AT, CONV_A, 3),
          EventIds.removal(AT, CONV_A, CONV_B),
          EventIds.resync(AT)
        }) {
      assertThat(StreamCursor.decode(id)).as(id).isEqualTo(new StreamCursor(AT, Map.of()));
    }
  }

  @Test
  void messageEventIdWithAMalformedConversationGivesOnlyItsTime() {
    StreamCursor c = StreamCursor.decode(EventIds.messageCreated(AT, "not-an-id", 12));

    assertThat(c).isEqualTo(new StreamCursor(AT, Map.of()));
  }

  @Test
  void headerThatIsNeitherCursorNorEventIdIsNoCursor() {
    assertThat(StreamCursor.decode("hello")).isNull();
    assertThat(StreamCursor.decode("-m-" + CONV_A + "-3")).isNull();
    assertThat(StreamCursor.decode("p2:" + AT)).isNull();
  }

  @Test
  void decodedSeqsCannotBeChanged() {
    Map<String, Long> seqs = new LinkedHashMap<>();
    seqs.put(CONV_A, 1L);
    StreamCursor c = new StreamCursor(AT, seqs);
    seqs.put(CONV_B, 2L);

    assertThat(c.seqs()).containsOnlyKeys(CONV_A);
    assertThat(c.seqs()).isUnmodifiable();
  }
}
