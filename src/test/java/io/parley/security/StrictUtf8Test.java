package io.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictUtf8Test {
  @Test
  void validTextDecodesAsIs() {
    byte[] b = "héllo ✓ 😀".getBytes(StandardCharsets.UTF_8);

    assertThat(StrictUtf8.decode(b, 0, b.length)).isEqualTo("héllo ✓ 😀");
  }

  @Test
  void overlongSlashIsRefusedNotTurnedIntoASlash() {
    byte[] b = {'a', (byte) 0xC0, (byte) 0xAF, 'b'};

    assertThat(StrictUtf8.decode(b, 0, b.length)).isNull();
  }

  @Test
  void truncatedSequenceAndLoneSurrogateAreRefused() {
    byte[] truncated = {'a', (byte) 0xE2, (byte) 0x9C};
    byte[] surrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};

    assertThat(StrictUtf8.decode(truncated, 0, truncated.length)).isNull();
    assertThat(StrictUtf8.decode(surrogate, 0, surrogate.length)).isNull();
  }

  @Test
  void onlyTheGivenRangeIsDecoded() {
    byte[] b = {'x', 'o', 'k', (byte) 0xFF};

    assertThat(StrictUtf8.decode(b, 1, 2)).isEqualTo("ok");
  }
}
