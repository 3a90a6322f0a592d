package io.parley.hostile;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, bytes exactly as given: request targets no client library would
 * send ({@code //api}, {@code %2e%2e}, {@code /api/../metrics}), bodies that are not UTF-8, chunked
 * bodies of any size. Every request asks the server to close the connection, so the answer is
 * whatever arrived before it did.
 */
final class RawHttp {
  /** How long to wait for more bytes; an event stream answered with 200 never ends by itself. */
  static final int READ_TIMEOUT_MS = 5_000;

  private RawHttp() {}

  record Answer(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String errorCode() {
      try {
        JsonObject e = new JsonObject(text()).getJsonObject("error");
        return e == null ? null : e.getString("code");
      } catch (RuntimeException notJson) {
        return null;
      }
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** {@code method target} with the headers, and a body sent with Content-Length. */
  static Answer send(
      int port, String method, String target, Map<String, String> headers, byte[] body) {
    return sendFrom("127.0.0.1", port, method, target, headers, body);
  }

  /**
   * As {@link #send}, from another loopback address ({@code 127.0.0.2} …): the server sees another
   * client, with limits of its own.
   */
  static Answer sendFrom(
      String from,
      int port,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    req.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      req.writeBytes(body);
    }
    return exchange(from, port, req.toByteArray());
  }

  /** A body of {@code total} bytes of {@code fill}, chunked, with no Content-Length. */
  static Answer sendChunked(
      int port, String method, String target, Map<String, String> headers, int total, byte fill) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\nTransfer-Encoding: chunked\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    req.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    byte[] chunk = new byte[8192];
    java.util.Arrays.fill(chunk, fill);
    for (int left = total; left > 0; left -= chunk.length) {
      int n = Math.min(left, chunk.length);
      req.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      req.write(chunk, 0, n);
      req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    req.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return exchange("127.0.0.1", port, req.toByteArray());
  }

  private static Answer exchange(String from, int port, byte[] request) {
    try (Socket s = connect(from, port)) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException closedWhileSending) {
        // a server that refuses a large body may answer and close before reading all of it
      }
      return parse(readAll(s.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A socket to the server on loopback, from the given local address. */
  static Socket connect(String from, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new java.net.InetSocketAddress(from, 0));
    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    return s;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException | java.net.SocketTimeoutException cutOff) {
      // connection reset after the answer, or a stream that never ends: keep what arrived
    }
    return all.toByteArray();
  }

  private static Answer parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return new Answer(0, Map.of(), raw);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Answer(status, headers, body);
  }

  private static byte[] dechunk(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < b.length) {
      int lineEnd = i;
      while (lineEnd + 1 < b.length && !(b[lineEnd] == '\r' && b[lineEnd + 1] == '\n')) {
        lineEnd++;
      }
      String size = new String(b, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim();
      int n = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
      if (n == 0) {
        break;
      }
      out.write(b, lineEnd + 2, Math.min(n, b.length - lineEnd - 2));
      i = lineEnd + 2 + n + 2;
    }
    return out.toByteArray();
  }
}
