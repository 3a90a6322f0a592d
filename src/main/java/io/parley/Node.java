package io.parley;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.parley.auth.AuthVerticle;
import io.parley.bus.Codecs;
import io.parley.chat.PersistenceVerticle;
import io.parley.config.ParleyConfig;
import io.parley.config.Redact;
import io.parley.config.Role;
import io.parley.http.HttpVerticle;
import io.parley.metrics.ParleyMetrics;
import io.parley.ratelimit.RateLimitStore;
import io.parley.relay.RedisRelay;
import io.parley.uploads.UploadsVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Parley node: builds the (clustered) Vert.x instance, starts the embedded database when
 * needed, and deploys the verticles of its roles. {@link #stop()} undoes it in reverse.
 */
public final class Node {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  /** Deployment order: services first, so the HTTP layer finds them when it starts. */
  private static final List<Role> START_ORDER =
      List.of(Role.PERSISTENCE, Role.AUTH, Role.UPLOADS, Role.HTTP);

  private final ParleyConfig config;
  private final EmbeddedDatabase database;
  private final Vertx vertx;
  private final NodeContext context;
  private final RateLimitStore rateLimits;
  private HttpServer managementServer;
  private final List<String> deployments = new ArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Integer> httpPort = new CompletableFuture<>();

  private Node(
      ParleyConfig config,
      EmbeddedDatabase database,
      Vertx vertx,
      NodeContext context,
      RateLimitStore rateLimits) {
    this.config = config;
    this.database = database;
    this.vertx = vertx;
    this.context = context;
    this.rateLimits = rateLimits;
  }

  /**
   * Starts a node. Blocks briefly while the embedded database opens (call it from a plain thread,
   * not an event loop); the rest is asynchronous. On failure everything already started is closed.
   */
  public static Future<Node> start(ParleyConfig config) {
    Logging.routeLibrariesToSlf4j();
    EmbeddedDatabase db = null;
    String mongoUri = config.mongo().uri();
    boolean needsDb = config.node().roles().stream().anyMatch(Role::usesDatabase);
    if (needsDb && config.mongo().embedded()) {
      try {
        db = EmbeddedDatabase.start(config.node().dataDir(), config.mongo().embeddedPort());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      mongoUri = db.connectionString(config.mongo().database());
      LOG.info(
          "embedded database (development) at 127.0.0.1:{}, files in {}; it enforces unique"
              + " indexes only (others are ignored, expiry is enforced in code)",
          db.port(),
          config.node().dataDir());
    } else if (needsDb) {
      LOG.info("database {}", Redact.uri(mongoUri));
    }
    EmbeddedDatabase embedded = db;
    String uri = mongoUri;
    HazelcastClusterManager hz;
    try {
      hz =
          config.cluster().enabled()
              ? new HazelcastClusterManager(hazelcastConfig(config.cluster()))
              : null;
    } catch (RuntimeException | FileNotFoundException e) {
      if (embedded != null) {
        embedded.close();
      }
      return Future.failedFuture(
          new IllegalStateException(
              "cannot read the Hazelcast configuration: " + e.getMessage(), e));
    }
    ParleyMetrics metrics =
        config.metrics().enabled() ? ParleyMetrics.prometheus() : ParleyMetrics.disabled();
    return buildVertx(config, hz, metrics)
        .compose(
            vertx -> {
              vertx.exceptionHandler(new UnhandledExceptions());
              Codecs.register(vertx);
              metrics.attachTo(vertx);
              String nodeId = hz != null ? hz.getNodeId() : UUID.randomUUID().toString();
              RateLimitStore limits =
                  RateLimitStore.create(
                      vertx, config, hz == null ? null : hz.getHazelcastInstance(), metrics);
              LOG.info("rate-limit counters: {}", limits.kind());
              RedisRelay relay =
                  config.redis().enabled()
                      ? new RedisRelay(vertx, config.redis(), nodeId, metrics)
                      : null;
              if (relay != null) {
                relay.start();
              }
              NodeContext ctx =
                  new NodeContext(
                      config,
                      nodeId,
                      uri,
                      hz != null,
                      () -> hz == null ? 1 : hz.getNodes().size(),
                      limits.limiter(),
                      metrics,
                      relay);
              Node node = new Node(config, embedded, vertx, ctx, limits);
              node.watchFeed(hz);
              return node.deployRoles()
                  .compose(v -> node.startManagementServer())
                  .map(node)
                  .recover(err -> node.stop().transform(ignored -> Future.<Node>failedFuture(err)));
            },
            err -> {
              if (embedded != null) {
                embedded.close();
              }
              return Future.failedFuture(err);
            });
  }

  private static Future<Vertx> buildVertx(
      ParleyConfig config, HazelcastClusterManager hz, ParleyMetrics metrics) {
    // An idle or lightly loaded node's cost is its threads' wake-ups (docs/operations.md, "An
    // idle node"): one event loop per core, so the bus hops between verticles stay on one thread,
    // and the blocked-thread check every 5 s (Vert.x's default is every second).
    VertxOptions options =
        new VertxOptions()
            .setEventLoopPoolSize(config.node().eventLoopCount())
            .setBlockedThreadCheckInterval(BLOCKED_CHECK_MS);
    VertxBuilder builder = Vertx.builder();
    if (metrics.prometheusRegistry() != null) {
      // HTTP server/client, event bus, pools and JVM meters, in this node's own registry (a
      // unique name keeps nodes that share a JVM, as in tests, apart)
      options.setMetricsOptions(
          new MicrometerMetricsOptions()
              .setEnabled(true)
              .setJvmMetricsEnabled(true)
              .setRegistryName("parley-" + UUID.randomUUID()));
      builder.withMetrics(new MicrometerMetricsFactory(metrics.prometheusRegistry()));
    }
    if (hz == null) {
      return Future.succeededFuture(builder.with(options).build());
    }
    String host = config.cluster().host();
    EventBusOptions bus =
        new EventBusOptions()
            .setHost(host)
            .setClusterPublicHost(host)
            .setPort(config.cluster().busPort());
    if (config.cluster().busPublicPort() != 0) {
      bus.setClusterPublicPort(config.cluster().busPublicPort());
    }
    options.setEventBusOptions(bus);
    return builder
        .with(options)
        .withClusterManager(hz)
        .buildClustered()
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot join the cluster on "
                            + host
                            + ":"
                            + config.cluster().port()
                            + ": "
                            + err.getMessage(),
                        err)));
  }

  /** cluster.xml (or the bundled copy) with port, host and members from the config on top. */
  static Config hazelcastConfig(ParleyConfig.ClusterConfig cluster) throws FileNotFoundException {
    Config hz =
        cluster.configFile() != null
            ? new FileSystemXmlConfig(cluster.configFile().toFile())
            : new ClasspathXmlConfig("cluster.xml");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cluster.port()).setPortAutoIncrement(false);
    net.setPublicAddress(cluster.host() + ":" + cluster.announcedPort());
    net.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    hz.setProperty("hazelcast.local.localAddress", cluster.host());
    return hz;
  }

  private Future<Void> deployRoles() {
    Future<Void> chain = Future.succeededFuture();
    for (Role role : START_ORDER) {
      if (!config.node().runs(role)) {
        continue;
      }
      int instances = config.node().instancesOf(role);
      Supplier<Deployable> factory = factory(role);
      chain =
          chain.compose(
              v ->
                  vertx
                      .deployVerticle(factory, new DeploymentOptions().setInstances(instances))
                      .recover(
                          err ->
                              Future.failedFuture(
                                  new IllegalStateException(
                                      "deploying role '"
                                          + role.key()
                                          + "' failed: "
                                          + err.getMessage(),
                                      err)))
                      .map(
                          id -> {
                            synchronized (deployments) {
                              deployments.add(id);
                            }
                            LOG.info(
                                "role {} deployed ({} instance{})",
                                role.key(),
                                instances,
                                instances == 1 ? "" : "s");
                            return null;
                          }));
    }
    return chain.onSuccess(
        v ->
            LOG.info(
                "node {} running roles {}{}",
                context.nodeId(),
                config.node().roles().stream().map(Role::key).toList(),
                context.clustered()
                    ? " in a cluster of " + context.clusterMembers().getAsInt()
                    : " standalone"));
  }

  /** How often the pause detector ticks, and how late a tick must be to count as a pause. */
  private static final long TICK_MS = 1_000;

  private static final long PAUSED_MS = 3_000;

  /** How often Vert.x checks for a blocked event loop or worker. */
  private static final long BLOCKED_CHECK_MS = 5_000;

  /** Events published to a member in the last this-long before it was declared gone were lost. */
  private static final long MEMBER_LOSS_MS = 20_000;

  private long pauseTimer = -1;

  /**
   * Announces a {@link io.parley.bus.FeedGap} on this node's bus whenever its event feed may have
   * lost events outside the relay's view: the cluster's membership changed (a member left or came
   * back: what crossed the wire to or from it meanwhile is lost), or this process was paused (a
   * long GC, a stalled VM, SIGSTOP) while the cluster went on. The SSE hubs then replay.
   */
  private void watchFeed(HazelcastClusterManager hz) {
    long[] last = {System.currentTimeMillis()};
    pauseTimer =
        vertx.setPeriodic(
            TICK_MS,
            t -> {
              long now = System.currentTimeMillis();
              if (now - last[0] > PAUSED_MS) {
                announceGap("this node was paused", last[0] - TICK_MS);
              }
              last[0] = now;
            });
    if (hz == null) {
      return;
    }
    // a member joining for the first time lost nothing; one coming back after a loss (a healed
    // partition, a member that was paused past the heartbeat limit) did
    java.util.concurrent.atomic.AtomicLong lastLoss = new java.util.concurrent.atomic.AtomicLong();
    hz.getHazelcastInstance()
        .getCluster()
        .addMembershipListener(
            new com.hazelcast.cluster.MembershipListener() {
              @Override
              public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                long lost = lastLoss.get();
                if (lost > 0 && System.currentTimeMillis() - lost < 600_000) {
                  announceGap("a cluster member came back", lost - MEMBER_LOSS_MS);
                }
              }

              @Override
              public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                long now = System.currentTimeMillis();
                lastLoss.set(now);
                announceGap("a cluster member left", now - MEMBER_LOSS_MS);
              }
            });
  }

  private void announceGap(String reason, long sinceMs) {
    if (stopping.get()) {
      return;
    }
    LOG.info("event feed may have lost events ({}); streams replay", reason);
    vertx
        .eventBus()
        .publish(
            io.parley.bus.Addresses.FEED_GAP,
            new io.parley.bus.FeedGap(reason, java.time.Instant.ofEpochMilli(sinceMs)).toJson(),
            new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
  }

  /** {@code GET /metrics} on the management port (the API port never serves it). */
  private Future<Void> startManagementServer() {
    var m = config.metrics();
    if (!m.enabled() || m.port() == 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router
        .get("/metrics")
        .handler(PrometheusScrapingHandler.create(context.metrics().prometheusRegistry()));
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(m.host()).setPort(m.port()))
        .requestHandler(router)
        .listen()
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot serve metrics on "
                            + m.host()
                            + ":"
                            + m.port()
                            + " ("
                            + err.getMessage()
                            + "); set METRICS_PORT to a free port, or 0",
                        err)))
        .onSuccess(
            s -> {
              managementServer = s;
              LOG.info("metrics on {}:{}/metrics", m.host(), s.actualPort());
            })
        .mapEmpty();
  }

  private Supplier<Deployable> factory(Role role) {
    return switch (role) {
      case HTTP -> () -> new HttpVerticle(context, httpPort::complete);
      case AUTH -> () -> new AuthVerticle(context);
      case PERSISTENCE -> () -> new PersistenceVerticle(context);
      case UPLOADS -> () -> new UploadsVerticle(context);
    };
  }

  /**
   * Stops accepting requests, lets in-flight ones finish (up to the configured grace), undeploys
   * the services, leaves the cluster and closes the embedded database. Idempotent.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(pauseTimer);
    List<String> ids;
    synchronized (deployments) {
      ids = new ArrayList<>(deployments);
    }
    // HTTP was deployed last: undeploy in reverse so requests still find their services.
    Future<Void> chain = Future.succeededFuture();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      chain =
          chain.compose(
              v ->
                  vertx
                      .undeploy(id)
                      .recover(
                          err -> {
                            LOG.warn("undeploying {} failed: {}", id, err.getMessage());
                            return Future.succeededFuture();
                          }));
    }
    return chain
        .eventually(
            () -> managementServer == null ? Future.succeededFuture() : managementServer.close())
        .eventually(
            () -> {
              rateLimits.close();
              if (context.relay() != null) {
                context.relay().close();
              }
              return Future.succeededFuture();
            })
        .eventually(vertx::close)
        .eventually(
            () -> {
              if (database != null) {
                database.close();
              }
              LOG.info("node {} stopped", context.nodeId());
              return Future.succeededFuture();
            });
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeContext context() {
    return context;
  }

  /** The port the HTTP role listens on (useful when configured as 0); -1 without that role. */
  public int httpPort() {
    return config.node().runs(Role.HTTP) ? httpPort.getNow(-1) : -1;
  }

  /** The management port serving /metrics, or -1 when metrics share the API port or are off. */
  public int metricsPort() {
    return managementServer == null ? -1 : managementServer.actualPort();
  }

  /** The embedded database's port, or -1 when the node uses MONGO_URI or needs no database. */
  public int embeddedDatabasePort() {
    return database == null ? -1 : database.port();
  }
}
