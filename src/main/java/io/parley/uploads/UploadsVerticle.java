package io.parley.uploads;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.BusService;
import io.parley.bus.HealthReport;
import io.parley.bus.UploadsApi.ContentTarget;
import io.parley.bus.UploadsApi.CreateUpload;
import io.parley.bus.UploadsApi.DiscardUploads;
import io.parley.bus.UploadsApi.ResolveAttachments;
import io.parley.bus.UploadsApi.UploadIds;
import io.parley.bus.UploadsApi.UploadRef;
import io.parley.config.ParleyConfig.UploadsConfig;
import io.parley.mongo.DatabaseVerticle;
import io.parley.mongo.MongoSupport;
import io.parley.uploads.blob.BlobStore;
import io.parley.uploads.blob.LocalDiskBlobStore;
import io.parley.uploads.blob.S3BlobStore;
import io.vertx.core.Future;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns upload records and the blob store: S3 when a bucket is configured ({@link S3BlobStore}),
 * else a local folder ({@link LocalDiskBlobStore}).
 */
public final class UploadsVerticle extends DatabaseVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(UploadsVerticle.class);

  private BlobStore store;

  public UploadsVerticle(NodeContext ctx) {
    super(ctx);
  }

  @Override
  protected Future<?> serve(MongoClient mongo) {
    UploadsConfig cfg = ctx.config().uploads();
    Future<BlobStore> blobs;
    if (cfg.s3Enabled()) {
      blobs = S3BlobStore.create(vertx, cfg.s3()).map(s -> (BlobStore) s);
    } else {
      LocalDiskBlobStore local = new LocalDiskBlobStore(vertx, cfg.dir());
      blobs = local.start().map(local);
    }
    return blobs
        .compose(
            s -> {
              store = s;
              return MongoSupport.ensureIndexes(mongo, UploadRepository.INDEXES);
            })
        .compose(v -> serveAll(cfg, mongo));
  }

  private Future<?> serveAll(UploadsConfig cfg, MongoClient mongo) {
    UploadService uploads =
        new UploadService(
            vertx, cfg, new UploadRepository(mongo), store, ctx.rateLimiter(), Clock.systemUTC());
    BusService.Registrations served = BusService.registrations(vertx);
    served.serve(
        Addresses.UPLOADS_HEALTH,
        req -> HealthReport.of(store.check(), ctx.nodeId(), store.kind() + " upload storage"));
    served.serve(Addresses.UPLOADS_CREATE, req -> uploads.create(CreateUpload.fromJson(req)));
    served.serve(
        Addresses.UPLOADS_CONTENT_TARGET,
        req -> uploads.contentTarget(ContentTarget.fromJson(req)));
    served.serve(Addresses.UPLOADS_COMPLETE, req -> uploads.complete(UploadRef.fromJson(req)));
    served.serve(Addresses.UPLOADS_DOWNLOAD, req -> uploads.download(UploadRef.fromJson(req)));
    served.serve(
        Addresses.UPLOADS_RESOLVE, req -> uploads.resolve(ResolveAttachments.fromJson(req)));
    served.serve(Addresses.UPLOADS_SENT, req -> uploads.sent(UploadIds.fromJson(req)));
    served.serve(Addresses.UPLOADS_DISCARD, req -> uploads.discard(DiscardUploads.fromJson(req)));

    every(
        cfg.cleanupInterval().toMillis(),
        "upload clean-up",
        () ->
            uploads
                .cleanUp()
                .onSuccess(
                    n -> {
                      if (n > 0) {
                        LOG.info("removed {} abandoned uploads", n);
                      }
                    }));
    return served.completion();
  }

  @Override
  protected void release() {
    if (store != null) {
      store.close();
    }
  }
}
