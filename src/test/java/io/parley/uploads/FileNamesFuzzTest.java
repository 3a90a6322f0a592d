package io.parley.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.parley.uploads.blob.ContentDisposition;
import java.nio.charset.StandardCharsets;

/**
 * File-name checks take any name a client gives. They never throw, and a name they accept is never
 * path-like, even after percent-decoding: no separator, no control character, no ':', not only
 * dots, at most 255 characters; and its Content-Disposition header is one line.
 */
class FileNamesFuzzTest {
  @FuzzTest
  void acceptedNamesAreNeverPaths(byte[] input) {
    String name = new String(input, StandardCharsets.UTF_8);
    if (FileNames.problem(name) != null) {
      return;
    }
    assertThat(name.codePointCount(0, name.length())).isLessThanOrEqualTo(FileNames.MAX_LENGTH);
    String decoded = name;
    for (int i = 0; i < 4; i++) {
      decoded = FileNames.percentDecode(decoded);
    }
    for (String s : new String[] {name, decoded}) {
      assertThat(s).doesNotContain("/", "\\", ":", "\u0000", "\n", "\r");
      assertThat(s.strip()).isNotEmpty();
      assertThat(s.strip().chars().allMatch(c -> c == '.')).isFalse();
      assertThat(s.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).isTrue();
    }
    String header = ContentDisposition.attachment(name);
    assertThat(header).doesNotContain("\r", "\n");
  }
}
