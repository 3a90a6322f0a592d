package io.parley.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentTypesTest {

  static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void declaredTypesAreNormalisedAndOnlyAllowedOnesPass() {
    assertThat(ContentTypes.allowed("Image/PNG")).isEqualTo("image/png");
    assertThat(ContentTypes.allowed("image/jpg")).isEqualTo("image/jpeg");
    assertThat(ContentTypes.allowed("text/plain; charset=utf-8")).isEqualTo("text/plain");
    assertThat(ContentTypes.allowed("text/html")).isNull();
    assertThat(ContentTypes.allowed("image/svg+xml")).isNull();
    assertThat(ContentTypes.allowed(null)).isNull();
  }

  @Test
  void magicNumbersAreRecognised() {
    assertThat(ContentTypes.sniff(bytes(0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0), false))
        .isEqualTo("image/png");
    assertThat(ContentTypes.sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0), false)).isEqualTo("image/jpeg");
    assertThat(ContentTypes.sniff(utf8("GIF89a...."), false)).isEqualTo("image/gif");
    assertThat(ContentTypes.sniff(utf8("RIFF\0\0\0\0WEBPVP8 "), false)).isEqualTo("image/webp");
    assertThat(ContentTypes.sniff(utf8("%PDF-1.7"), false)).isEqualTo("application/pdf");
    assertThat(
            ContentTypes.sniff(bytes(0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2'), false))
        .isEqualTo("video/mp4");
    assertThat(ContentTypes.sniff(utf8("OggS\0"), false)).isEqualTo("audio/ogg");
    assertThat(ContentTypes.sniff(utf8("ID3\u0004"), false)).isEqualTo("audio/mpeg");
  }

  @Test
  void markupAndScriptsAreNotPlainText() {
    assertThat(ContentTypes.sniff(utf8("<!DOCTYPE html><p>hi"), true)).isNull();
    assertThat(ContentTypes.sniff(utf8("\uFEFF  <script>alert(1)</script>"), true)).isNull();
    assertThat(ContentTypes.sniff(utf8("<svg onload=alert(1)>"), true)).isNull();
    assertThat(ContentTypes.sniff(utf8("hello\u0000world"), true)).isNull();
    assertThat(ContentTypes.sniff(bytes(0xC3, 0x28), true)).isNull();
    assertThat(ContentTypes.sniff(utf8("I <3 plain text\n\tok"), true)).isEqualTo("text/plain");
  }

  @Test
  void aSampleCutInsideACharacterIsStillText() {
    byte[] whole = utf8("aé");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
    assertThat(ContentTypes.sniff(cut, false)).isEqualTo("text/plain");
    assertThat(ContentTypes.sniff(cut, true)).isNull();
  }

  @Test
  void aFileIsServedWithItsTypeOnlyWhenItsNameEndsAsThatTypesFilesDo() {
    assertThat(ContentTypes.servedAs("image/png", "holiday.PNG")).isEqualTo("image/png");
    assertThat(ContentTypes.servedAs("image/jpeg", "a.jpeg")).isEqualTo("image/jpeg");
    assertThat(ContentTypes.servedAs("text/plain", "notes.txt")).isEqualTo("text/plain");
    for (String[] c :
        new String[][] {
          {"text/plain", "invoice.exe"},
          {"text/plain", "run.sh"},
          {"text/plain", "page.html"},
          {"image/png", "picture.svg"},
          {"image/png", "noextension"},
          {"image/png", "trailing."},
          {"application/pdf", "doc.pdf.exe"}
        }) {
      assertThat(ContentTypes.servedAs(c[0], c[1])).as(c[1]).isEqualTo("application/octet-stream");
    }
  }
}
