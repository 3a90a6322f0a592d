package io.parley.verify;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar parley.jar verify --url https://chat.example.com}: the deployment checks an
 * operator runs after a deploy, against the running service, printing each step:
 *
 * <ol>
 *   <li>{@code GET /health} answers 200 with every check up;
 *   <li>two users sign in (two throwaway accounts by default, or the given credentials);
 *   <li>the second opens {@code GET /sse} and gets an event stream that starts with {@code retry:};
 *   <li>the first sends the second a message, which must arrive on that stream.
 * </ol>
 *
 * Exit status 0 when every step passed, 1 on the first failure, 2 for bad arguments.
 */
public final class DeploymentCheck {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final URI base;
  private final String[] user;
  private final String[] peer;
  private final PrintStream out;
  private final HttpClient http;
  private int step;

  private DeploymentCheck(URI base, String[] user, String[] peer, PrintStream out) {
    this.base = base;
    this.user = user;
    this.peer = peer;
    this.out = out;
    this.http = HttpClient.newBuilder().connectTimeout(STEP_TIMEOUT).build();
  }

  /** Parses the arguments after {@code verify} and runs the checks; returns the exit status. */
  public static int run(List<String> args, PrintStream out) {
    String url = null;
    String[] user = null;
    String[] peer = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String value = i + 1 < args.size() ? args.get(i + 1) : null;
      switch (a) {
        case "--url" -> url = value;
        case "--user" -> user = credentials(value);
        case "--peer" -> peer = credentials(value);
        case "-h", "--help" -> {
          usage(out);
          return 0;
        }
        default -> {
          out.println("unknown argument: " + a);
          usage(out);
          return 2;
        }
      }
      i++;
    }
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      out.println("--url http(s)://host[:port] is required");
      usage(out);
      return 2;
    }
    if ((user == null) != (peer == null)
        || (user != null && (user[0] == null || peer[0] == null))) {
      out.println("--user and --peer go together, each as phone:password");
      return 2;
    }
    URI base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    return new DeploymentCheck(base, user, peer, out).run();
  }

  private static String[] credentials(String v) {
    int colon = v == null ? -1 : v.indexOf(':');
    return colon <= 0
        ? new String[] {null, null}
        : new String[] {v.substring(0, colon), v.substring(colon + 1)};
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: java -jar parley.jar verify --url http(s)://host[:port]"
            + " [--user phone:password --peer phone:password]");
    out.println(
        "  without --user/--peer, two throwaway accounts named \"parley verify\" are registered");
  }

  private int run() {
    out.println("Verifying the Parley deployment at " + base);
    try {
      check("health", this::health);
      JsonObject[] a = new JsonObject[1];
      JsonObject[] b = new JsonObject[1];
      check(
          "sign in the sender",
          () -> (a[0] = signIn(user, "sender")).getJsonObject("user").getString("id"));
      check(
          "sign in the recipient",
          () -> (b[0] = signIn(peer, "recipient")).getJsonObject("user").getString("id"));
      EventStream stream = new EventStream();
      try {
        check("open the recipient's event stream", () -> stream.open(b[0].getString("token")));
        String conv =
            check(
                "open a conversation",
                () ->
                    json(
                            post(
                                "/api/conversations",
                                new JsonObject()
                                    .put("type", "direct")
                                    .put(
                                        "memberIds",
                                        new io.vertx.core.json.JsonArray()
                                            .add(b[0].getJsonObject("user").getString("id"))),
                                a[0].getString("token")),
                            200,
                            201)
                        .getJsonObject("conversation")
                        .getString("id"));
        String text = "parley verify " + UUID.randomUUID();
        check(
            "send a message",
            () ->
                "seq "
                    + json(
                            post(
                                "/api/conversations/" + conv + "/messages",
                                new JsonObject()
                                    .put("clientId", UUID.randomUUID().toString())
                                    .put("text", text),
                                a[0].getString("token")),
                            201)
                        .getJsonObject("message")
                        .getLong("seq"));
        check("receive it on the event stream", () -> stream.awaitText(text));
      } finally {
        stream.close();
      }
    } catch (StepFailed e) {
      out.println("FAILED: the deployment is not healthy");
      return 1;
    }
    out.println("OK: every check passed");
    return 0;
  }

  // --- steps --------------------------------------------------------------------------------

  private String health() throws Exception {
    HttpResponse<String> res = send(HttpRequest.newBuilder(base.resolve("/health")).GET());
    JsonObject body = parse(res.body());
    if (res.statusCode() != 200 || !"up".equals(body.getString("status"))) {
      throw new IllegalStateException("HTTP " + res.statusCode() + " " + res.body());
    }
    return "up: " + body.getJsonObject("checks", new JsonObject()).fieldNames();
  }

  private JsonObject signIn(String[] creds, String role) throws Exception {
    if (creds != null) {
      return json(
          post(
              "/api/auth/login",
              new JsonObject()
                  .put("phone", creds[0])
                  .put("password", creds[1])
                  .put("deviceName", "parley verify"),
              null),
          200);
    }
    String password = "verify-" + UUID.randomUUID();
    for (int attempt = 0; attempt < 5; attempt++) {
      // +44 7700 900xxx is reserved for fiction: never a real person's number
      String phone = String.format("+447700900%03d", RANDOM.nextInt(1000));
      HttpResponse<String> res =
          post(
              "/api/auth/register",
              new JsonObject()
                  .put("phone", phone)
                  .put("name", "parley verify " + role)
                  .put("password", password)
                  .put("deviceName", "parley verify"),
              null);
      if (res.statusCode() != 409) {
        return json(res, 201);
      }
    }
    throw new IllegalStateException("could not find a free throwaway phone number");
  }

  /** The recipient's stream, read on a background thread. */
  private final class EventStream {
    private final List<String> lines = new ArrayList<>();
    private InputStream body;

    String open(String token) throws Exception {
      HttpRequest req =
          HttpRequest.newBuilder(base.resolve("/sse"))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "text/event-stream")
              .GET()
              .build();
      HttpResponse<InputStream> res =
          http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream())
              .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      body = res.body();
      String type = res.headers().firstValue("Content-Type").orElse("");
      if (res.statusCode() != 200 || !type.startsWith("text/event-stream")) {
        throw new IllegalStateException("HTTP " + res.statusCode() + " " + type);
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      String first = reader.readLine();
      if (first == null || !first.startsWith("retry:")) {
        throw new IllegalStateException("the stream did not start with retry: (" + first + ")");
      }
      Thread t =
          new Thread(
              () -> {
                try {
                  for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (lines) {
                      lines.add(line);
                      lines.notifyAll();
                    }
                  }
                } catch (IOException closed) {
                  // the check is over
                }
              },
              "parley-verify-sse");
      t.setDaemon(true);
      t.start();
      return "200 text/event-stream, " + first;
    }

    String awaitText(String text) throws Exception {
      long deadline = System.currentTimeMillis() + STEP_TIMEOUT.toMillis();
      synchronized (lines) {
        while (true) {
          for (String l : lines) {
            if (l.startsWith("data:") && l.contains(text)) {
              return "message.created delivered";
            }
          }
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new IllegalStateException(
                "no message.created within " + STEP_TIMEOUT.toSeconds() + " s");
          }
          lines.wait(left);
        }
      }
    }

    void close() {
      if (body != null) {
        try {
          body.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  // --- plumbing -----------------------------------------------------------------------------

  private interface Step<T> {
    T call() throws Exception;
  }

  private static final class StepFailed extends Exception {
    StepFailed() {
      super(null, null, false, false);
    }
  }

  private <T> T check(String name, Step<T> s) throws StepFailed {
    step++;
    long start = System.nanoTime();
    try {
      T result = s.call();
      out.printf(
          "  %d. %-36s ok   %4d ms  %s%n",
          step, name, (System.nanoTime() - start) / 1_000_000, result);
      return result;
    } catch (Exception e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (e instanceof java.net.ConnectException
          || e.getCause() instanceof java.net.ConnectException) {
        why = "cannot connect to " + base;
      }
      out.printf(
          "  %d. %-36s FAIL %4d ms  %s%n",
          step, name, (System.nanoTime() - start) / 1_000_000, why);
      throw new StepFailed();
    }
  }

  private HttpResponse<String> post(String path, JsonObject body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    CompletableFuture<HttpResponse<String>> f =
        http.sendAsync(b.timeout(STEP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    return f.get(STEP_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  private static JsonObject json(HttpResponse<String> res, int... expected) {
    for (int e : expected) {
      if (res.statusCode() == e) {
        return parse(res.body());
      }
    }
    throw new IllegalStateException("HTTP " + res.statusCode() + " " + res.body());
  }

  private static JsonObject parse(String s) {
    try {
      return new JsonObject(s);
    } catch (RuntimeException e) {
      throw new IllegalStateException("not JSON: " + (s.length() > 200 ? s.substring(0, 200) : s));
    }
  }
}
