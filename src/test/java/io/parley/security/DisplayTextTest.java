package io.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DisplayTextTest {
  @Test
  void namesInAnyScriptAreFine() {
    for (String s :
        new String[] {
          "Ada Lovelace", "Zoë", "Ярослава", "محمد", "יעל", "李小龍", "🙂 Bob", "a-b_c.d"
        }) {
      assertThat(DisplayText.deceptive(s)).as(s).isFalse();
    }
  }

  @Test
  void bidiControlsInvisibleAndControlCharactersAreDeceptive() {
    for (String s :
        new String[] {
          "invoice\u202Egpj.exe",
          "a\u200Bb",
          "\u2066x\u2069",
          "x\u00AD",
          "\u3164",
          "x\uFEFF",
          "tab\there",
          "new\nline",
          "x\u2028y",
          "\uE000private",
          "lone\uD800surrogate",
          "x\uFE0F"
        }) {
      assertThat(DisplayText.deceptive(s)).as(s).isTrue();
    }
  }
}
