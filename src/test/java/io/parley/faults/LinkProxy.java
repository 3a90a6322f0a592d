package io.parley.faults;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 between two processes of a test, which the test can break: {@link #cut}
 * (close every connection, refuse new ones), {@link #reset} (RST every connection), {@link
 * #blackhole} (keep every connection open but forward nothing: half-open, as when a peer's machine
 * vanished or a NAT forgot the flow), {@link #delay}, and {@link #heal}.
 */
public final class LinkProxy implements AutoCloseable {
  private enum Mode {
    FORWARD,
    CUT,
    BLACKHOLE
  }

  private record Pair(NetSocket in, NetSocket out) {}

  private final Vertx vertx;
  private final String name;
  private final int targetPort;
  private final NetClient client;
  private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private volatile Mode mode = Mode.FORWARD;
  private volatile long delayMs;

  private LinkProxy(Vertx vertx, String name, int targetPort, int receiveBuffer) {
    this.vertx = vertx;
    this.name = name;
    this.targetPort = targetPort;
    NetClientOptions opts = new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true);
    if (receiveBuffer > 0) {
      // a small window towards the target, so a stalled reader backs the target up quickly
      opts.setReceiveBufferSize(receiveBuffer);
    }
    this.client = vertx.createNetClient(opts);
  }

  /** Listens on {@code listenPort} (0 = any) and forwards to 127.0.0.1:{@code targetPort}. */
  public static LinkProxy start(Vertx vertx, String name, int listenPort, int targetPort) {
    return start(vertx, name, listenPort, targetPort, 0);
  }

  public static LinkProxy start(
      Vertx vertx, String name, int listenPort, int targetPort, int receiveBuffer) {
    LinkProxy p = new LinkProxy(vertx, name, targetPort, receiveBuffer);
    NetServerOptions opts =
        new NetServerOptions().setHost("127.0.0.1").setPort(listenPort).setTcpNoDelay(true);
    if (receiveBuffer > 0) {
      opts.setSendBufferSize(receiveBuffer);
    }
    try {
      p.server =
          vertx
              .createNetServer(opts)
              .connectHandler(p::accept)
              .listen()
              .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("proxy " + name + " cannot listen on " + listenPort, e);
    }
    return p;
  }

  public int port() {
    return server.actualPort();
  }

  public String name() {
    return name;
  }

  public int connections() {
    return pairs.size();
  }

  private void accept(NetSocket in) {
    if (mode == Mode.CUT) {
      in.close();
      return;
    }
    in.pause();
    client
        .connect(targetPort, "127.0.0.1")
        .onFailure(err -> in.close())
        .onSuccess(
            out -> {
              if (mode == Mode.CUT) {
                in.close();
                out.close();
                return;
              }
              Pair pair = new Pair(in, out);
              pairs.add(pair);
              forward(in, out);
              forward(out, in);
              in.closeHandler(v -> closePair(pair));
              out.closeHandler(v -> closePair(pair));
              in.exceptionHandler(err -> closePair(pair));
              out.exceptionHandler(err -> closePair(pair));
              if (mode == Mode.FORWARD) {
                in.resume();
              } else {
                out.pause();
              }
            });
  }

  private void forward(NetSocket from, NetSocket to) {
    from.handler(
        buf -> {
          long d = delayMs;
          if (d > 0) {
            vertx.setTimer(d, t -> write(from, to, buf));
          } else {
            write(from, to, buf);
          }
        });
  }

  private void write(NetSocket from, NetSocket to, Buffer buf) {
    to.write(buf);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(
          v -> {
            if (mode == Mode.FORWARD) {
              from.resume();
            }
          });
    }
  }

  private void closePair(Pair p) {
    if (pairs.remove(p)) {
      p.in().close();
      p.out().close();
    }
  }

  /** Closes every connection (FIN) and closes each new one at once, until {@link #heal}. */
  public void cut() {
    mode = Mode.CUT;
    for (Pair p : pairs) {
      closePair(p);
    }
  }

  /** Aborts every current connection with a TCP reset; new ones are forwarded as the mode says. */
  public void reset() {
    for (Pair p : pairs) {
      if (pairs.remove(p)) {
        rst(p.in());
        rst(p.out());
      }
    }
  }

  private static void rst(NetSocket s) {
    Channel ch = ((NetSocketInternal) s).channelHandlerContext().channel();
    ch.eventLoop()
        .execute(
            () -> {
              ch.config().setOption(ChannelOption.SO_LINGER, 0);
              ch.close();
            });
  }

  /** Stops reading from either side without closing anything: both peers see a silent link. */
  public void blackhole() {
    mode = Mode.BLACKHOLE;
    for (Pair p : pairs) {
      p.in().pause();
      p.out().pause();
    }
  }

  /** Adds {@code ms} of latency to every chunk in both directions (0 = none). */
  public void delay(long ms) {
    delayMs = ms;
  }

  /** Forwards again: new connections are accepted, black-holed ones resume. */
  public void heal() {
    mode = Mode.FORWARD;
    delayMs = 0;
    for (Pair p : pairs) {
      p.in().resume();
      p.out().resume();
    }
  }

  @Override
  public void close() {
    cut();
    try {
      server.close().await(5, TimeUnit.SECONDS);
      client.close().await(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the test is ending
    }
  }

  @Override
  public String toString() {
    return "proxy " + name + " :" + port() + " -> :" + targetPort + " (" + mode + ")";
  }
}
