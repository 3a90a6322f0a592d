package io.parley.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * The {@code Last-Event-ID} cursor decoder takes whatever a client sends. It never throws, only
 * accepts ids that start with a positive epoch-milliseconds time followed by a dash, and reads back
 * the time of every id the server makes. Seeds: {@code EventIdsFuzzTestInputs/}; see
 * docs/reliability.md for fuzzing longer.
 */
class EventIdsFuzzTest {
  @FuzzTest
  void cursorOfAnyHeaderValue(byte[] input) {
    String header = new String(input, StandardCharsets.UTF_8);
    OptionalLong t = EventIds.time(header);
    if (t.isPresent()) {
      assertThat(t.getAsLong()).isPositive();
      int dash = header.indexOf('-');
      assertThat(dash).isBetween(1, 15);
      assertThat(Long.parseLong(header.substring(0, dash))).isEqualTo(t.getAsLong());
    }
  }

  @FuzzTest
  void serverIdsReadBackTheirTime(FuzzedDataProvider data) {
    long ms = data.consumeLong(1, 9_999_999_999_999L);
    String conv = data.consumeString(30);
    long seq = data.consumeLong(0, Long.MAX_VALUE);
    String user = data.consumeString(30);
    for (String id :
        new String[] {
          EventIds.messageCreated(ms, conv, seq),
          EventIds.messageUpdated(ms, conv, seq, seq),
          EventIds.receipt(ms, conv, user, "read", seq),
          EventIds.conversation(ms, conv, seq),
          EventIds.removal(ms, conv, user),
          EventIds.resync(ms)
        }) {
      assertThat(EventIds.time(id)).hasValue(ms);
    }
  }
}
