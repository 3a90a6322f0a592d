package io.parley.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.uploads.blob.ContentDisposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x",
        "..",
        ".",
        "/etc/passwd",
        "C:\\x",
        "c:x",
        "a/b",
        "%2e%2e%2fx",
        "%2E%2E%5Cx",
        "%252e%252e%252fx",
        "a%00b",
        "a\u0000b",
        "a\nb",
        "a\u2215b",
        "  ",
        ""
      })
  void pathLikeNamesAreRefused(String name) {
    assertThat(FileNames.problem(name)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "invoice\u202Egpj.exe",
        "a\u200Bb.png",
        "a\u200Db.png",
        "\u2066x\u2069.png",
        "x\u00AD.png",
        "\u3164.png",
        "x\uFEFF.png",
        "%E2%80%AEgpj.exe"
      })
  void namesThatHideOrReorderWhatTheyShowAreRefused(String name) {
    assertThat(FileNames.problem(name)).contains("invisible or direction-changing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"photo.png", "Résumé 2026.pdf", "100% done.txt", "a..b.txt", ".hidden"})
  void ordinaryNamesPass(String name) {
    assertThat(FileNames.problem(name)).isNull();
  }

  @Test
  void overLongNamesAreRefused() {
    assertThat(FileNames.problem("a".repeat(256))).isNotNull();
    assertThat(FileNames.problem("a".repeat(255))).isNull();
  }

  @Test
  void contentDispositionCarriesAnAsciiFallbackAndTheExactName() {
    assertThat(ContentDisposition.attachment("Résumé \"final\".pdf"))
        .isEqualTo(
            "attachment; filename=\"R_sum_ _final_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf");
  }
}
