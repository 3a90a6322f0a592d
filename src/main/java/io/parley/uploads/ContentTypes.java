package io.parley.uploads;

import io.parley.security.StrictUtf8;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The attachment types Parley accepts, and recognising them from a file's first bytes. A file is
 * accepted only when its bytes are what was declared: an HTML page or a script declared as {@code
 * image/png} is refused, and text that starts like markup is not accepted as {@code text/plain}.
 */
final class ContentTypes {
  private ContentTypes() {}

  /** How many first bytes {@link #sniff} looks at. */
  static final int SNIFF_BYTES = 4096;

  static final Set<String> ALLOWED =
      Set.of(
          "image/png",
          "image/jpeg",
          "image/gif",
          "image/webp",
          "application/pdf",
          "video/mp4",
          "audio/mpeg",
          "audio/ogg",
          "text/plain");

  /** The name endings each accepted type is served under; any other ending gets octet-stream. */
  private static final Map<String, Set<String>> EXTENSIONS =
      Map.of(
          "image/png", Set.of("png"),
          "image/jpeg", Set.of("jpg", "jpeg", "jpe", "jfif"),
          "image/gif", Set.of("gif"),
          "image/webp", Set.of("webp"),
          "application/pdf", Set.of("pdf"),
          "video/mp4", Set.of("mp4", "m4v"),
          "audio/mpeg", Set.of("mp3", "mpga"),
          "audio/ogg", Set.of("ogg", "oga", "opus"),
          "text/plain", Set.of("txt", "text", "log", "md", "csv"));

  /** Served when the name does not end as its type does: bytes only, nothing to open or run. */
  static final String OCTET_STREAM = "application/octet-stream";

  /**
   * The type a download is served as: the stored (checked) type when the file name ends as that
   * type's files do, else {@code application/octet-stream}, so that "invoice.exe" sent as {@code
   * text/plain} is saved as bytes, never handed to anything as text.
   */
  static String servedAs(String type, String filename) {
    Set<String> endings = EXTENSIONS.get(type);
    int dot = filename == null ? -1 : filename.lastIndexOf('.');
    if (endings == null || dot < 0 || dot == filename.length() - 1) {
      return OCTET_STREAM;
    }
    return endings.contains(filename.substring(dot + 1).toLowerCase(Locale.ROOT))
        ? type
        : OCTET_STREAM;
  }

  private static final List<String> MARKUP =
      List.of(
          "<!doctype",
          "<html",
          "<head",
          "<body",
          "<script",
          "<svg",
          "<?xml",
          "<iframe",
          "<object",
          "<embed",
          "<meta",
          "<style",
          "<img",
          "<a ",
          "<div",
          "<form");

  /** The declared type in canonical form ({@code image/jpg} → {@code image/jpeg}), or null. */
  static String allowed(String declared) {
    if (declared == null) {
      return null;
    }
    String t = declared.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    t = (semi >= 0 ? t.substring(0, semi) : t).strip();
    if (t.equals("image/jpg") || t.equals("image/pjpeg")) {
      t = "image/jpeg";
    }
    return ALLOWED.contains(t) ? t : null;
  }

  /**
   * The type the bytes are, or null when they are none of the allowed ones.
   *
   * @param head the first bytes (at most {@link #SNIFF_BYTES})
   * @param whole whether {@code head} is the whole file (a cut-off UTF-8 sequence at its end is
   *     only acceptable when it is not)
   */
  static String sniff(byte[] head, boolean whole) {
    if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "image/png";
    }
    if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(head, 0, 'G', 'I', 'F', '8', '7', 'a')
        || startsWith(head, 0, 'G', 'I', 'F', '8', '9', 'a')) {
      return "image/gif";
    }
    if (startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
      return "image/webp";
    }
    if (startsWith(head, 0, '%', 'P', 'D', 'F', '-')) {
      return "application/pdf";
    }
    if (startsWith(head, 4, 'f', 't', 'y', 'p')) {
      return "video/mp4";
    }
    if (startsWith(head, 0, 'O', 'g', 'g', 'S')) {
      return "audio/ogg";
    }
    if (startsWith(head, 0, 'I', 'D', '3')
        || (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xE0) == 0xE0)) {
      return "audio/mpeg";
    }
    return isPlainText(head, whole) ? "text/plain" : null;
  }

  private static boolean startsWith(byte[] b, int offset, int... magic) {
    if (b.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[offset + i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** UTF-8 without control characters (tab, line breaks and form feed aside), not markup. */
  static boolean isPlainText(byte[] head, boolean whole) {
    int len = head.length;
    if (!whole) {
      // the sample may end inside a multi-byte character: drop that partial character
      int i = len - 1;
      int back = 0;
      while (i >= 0 && back < 3 && (head[i] & 0xC0) == 0x80) {
        i--;
        back++;
      }
      if (i >= 0 && (head[i] & 0xC0) == 0xC0) {
        len = i;
      }
    }
    String text = StrictUtf8.decode(head, 0, len);
    if (text == null) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) {
        return false;
      }
    }
    String start = text.replaceFirst("^\uFEFF", "").stripLeading().toLowerCase(Locale.ROOT);
    return MARKUP.stream().noneMatch(start::startsWith);
  }
}
