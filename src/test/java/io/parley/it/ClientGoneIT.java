package io.parley.it;

import static io.parley.testing.Uploads.createBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.Await;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.SseClient;
import io.parley.testing.TestNodes;
import io.parley.testing.Uploads;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Clients that vanish mid-request: raw sockets reset the connection right after the request line,
 * after a few milliseconds (while the node checks a token or opens a file), and after part of the
 * body. Whatever the node took for the request (an open file, a temporary file, a stream slot, a
 * waiting QR stream) must be given back every time.
 */
class ClientGoneIT extends SingleNodeSuite {
  private static final int[] DELAYS_MS = {0, 0, 1, 2, 3, 5, 8, 13, 20, 40};

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    Map<String, String> env = TestNodes.env(dir);
    env.put("SSE_MAX_STREAMS_PER_USER", "3");
    env.put("SSE_MAX_STREAMS_PER_ADDRESS", "6");
    TestNodes.operatorFile(dir, "auth:\n  qrCreateLimitPerMinute: 1000\n");
    return env;
  }

  /** Sends {@code head} (and {@code body}), waits {@code delayMs}, then resets the connection. */
  private void sendAndReset(String head, byte[] body, int delayMs) {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoLinger(true, 0); // close() sends RST, not FIN
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      if (delayMs > 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMs));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long openDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long tempFiles() {
    return Uploads.files(dir.resolve("uploads")).stream().filter(n -> n.endsWith(".tmp")).count();
  }

  private double openStreams() {
    return node.context().metrics().registry().get("parley.sse.streams.open").gauge().value();
  }

  /** Asserts that the node's open-stream gauge falls to 0 within 10 s. */
  private void assertNoStreamOpen() {
    assertThat(Await.until(10_000, () -> openStreams() == 0))
        .as("open streams %s", openStreams())
        .isTrue();
  }

  /** Asserts that {@code who} can open an event stream (200), and closes it. */
  private void assertStreamOpens(Account who) {
    try (SseClient sse =
        SseClient.connect(
            http.vertx(), api.port(), "/sse", Map.of("Authorization", "Bearer " + who.token()))) {
      assertThat(sse.status()).isEqualTo(200);
    }
  }

  @Test
  void uploadsAbortedAtAnyPointLeaveNoDescriptorAndNoPartialFile() {
    Account a = api.register("Aborter");
    Account b = api.register("Peer");
    String conv = api.conversation(a, "direct", null, b).getString("id");
    byte[] png = Uploads.png(64 * 1024);
    JsonObject ticket =
        api.post("/api/uploads", createBody(conv, "a.png", "image/png", png.length), a.token())
            .bodyAsJsonObject();
    URI url = URI.create(ticket.getString("url"));
    String token = ticket.getJsonObject("headers").getString("X-Upload-Token");
    String head =
        "PUT "
            + url.getRawPath()
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nX-Upload-Token: "
            + token
            + "\r\nContent-Length: "
            + png.length
            + "\r\n\r\n";
    // warm up whatever the node opens once (pools, the upload folder), then count
    sendAndReset(head, null, 50);
    Await.until(5000, () -> tempFiles() == 0);
    long before = openDescriptors();
    byte[] part = java.util.Arrays.copyOf(png, 1000);
    for (int round = 0; round < 5; round++) {
      for (int delay : DELAYS_MS) {
        sendAndReset(head, null, delay);
        sendAndReset(head, part, delay);
      }
    }
    // 100 aborted PUTs: had any kept its file, 100 descriptors and .tmp files would stay
    assertThat(Await.until(10_000, () -> tempFiles() == 0 && openDescriptors() <= before + 10))
        .as("descriptors %d (before %d), .tmp files %d", openDescriptors(), before, tempFiles())
        .isTrue();
    // and the upload still works with the same token
    var put =
        Uploads.plainPut(
            ticket.getString("url"),
            Map.of("Content-Type", "image/png", "X-Upload-Token", token),
            png);
    assertThat(put.statusCode()).isEqualTo(204);
  }

  @Test
  void streamsDroppedWhileTheirTicketIsCheckedGiveTheirSlotBack() {
    Account a = api.register("Dropper");
    for (int round = 0; round < 2; round++) {
      for (int delay : DELAYS_MS) {
        String ticket =
            api.post("/api/sse/ticket", null, a.token()).bodyAsJsonObject().getString("ticket");
        sendAndReset(
            "GET /sse?ticket=" + ticket + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", null, delay);
      }
    }
    // 20 dropped streams against a cap of 3 per user and 6 per address
    assertNoStreamOpen();
    assertStreamOpens(a);
    // nor is anyone else behind the same address locked out
    Account other = api.register("Neighbour");
    assertStreamOpens(other);
  }

  @Test
  void streamsDroppedWhileTheTokenIsCheckedGiveTheirSlotBack() {
    Account a = api.register("Bearer dropper");
    for (int round = 0; round < 2; round++) {
      for (int delay : DELAYS_MS) {
        sendAndReset(
            "GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + a.token()
                + "\r\n\r\n",
            null,
            delay);
      }
    }
    assertNoStreamOpen();
    assertStreamOpens(a);
  }

  @Test
  void qrWaitStreamsDroppedWhileTheSecretIsCheckedHoldNothing() {
    for (int round = 0; round < 2; round++) {
      for (int delay : DELAYS_MS) {
        JsonObject c = api.post("/api/auth/qr", null, null).bodyAsJsonObject();
        sendAndReset(
            "GET /api/auth/qr/"
                + c.getString("challengeId")
                + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Requester-Secret: "
                + c.getString("requesterSecret")
                + "\r\n\r\n",
            null,
            delay);
      }
    }
    assertNoStreamOpen();
  }
}
