package io.parley.uploads.blob;

import io.parley.bus.UploadsApi.Download;
import io.parley.config.ParleyConfig.S3Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/**
 * Attachments in an S3 bucket (or an S3-compatible store through an endpoint override, with
 * path-style URLs). Clients PUT and GET through presigned URLs; this server only checks, moves and
 * deletes objects. The SDK's synchronous client runs on worker threads ({@code executeBlocking}),
 * never on an event loop.
 */
public final class S3BlobStore implements BlobStore {
  /** Used with an endpoint override when no region is configured (S3-compatible stores). */
  private static final Region FALLBACK_REGION = Region.US_EAST_1;

  private final Vertx vertx;
  private final String bucket;
  private final S3Client s3;
  private final S3Presigner presigner;

  private S3BlobStore(Vertx vertx, String bucket, S3Client s3, S3Presigner presigner) {
    this.vertx = vertx;
    this.bucket = bucket;
    this.s3 = s3;
    this.presigner = presigner;
  }

  /**
   * Builds the client and presigner (resolving the region and credential chains may do I/O, so this
   * runs on a worker thread).
   */
  public static Future<S3BlobStore> create(Vertx vertx, S3Config cfg) {
    return vertx.executeBlocking(
        () -> {
          Region region = region(cfg);
          AwsCredentialsProvider credentials;
          if (cfg.accessKeyId().isEmpty()) {
            credentials = DefaultCredentialsProvider.builder().build();
          } else if (cfg.sessionToken().isEmpty()) {
            credentials =
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(cfg.accessKeyId(), cfg.secretAccessKey()));
          } else {
            credentials =
                StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(
                        cfg.accessKeyId(), cfg.secretAccessKey(), cfg.sessionToken()));
          }
          boolean custom = !cfg.endpoint().isEmpty();
          S3ClientBuilder client =
              S3Client.builder()
                  .httpClientBuilder(UrlConnectionHttpClient.builder())
                  .region(region)
                  .credentialsProvider(credentials)
                  // checksums only where S3 requires them: S3-compatible stores vary
                  .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                  .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                  .forcePathStyle(custom);
          S3Presigner.Builder presigner =
              S3Presigner.builder()
                  .region(region)
                  .credentialsProvider(credentials)
                  .serviceConfiguration(
                      S3Configuration.builder().pathStyleAccessEnabled(custom).build());
          if (custom) {
            client.endpointOverride(URI.create(cfg.endpoint()));
            presigner.endpointOverride(URI.create(cfg.endpoint()));
          }
          return new S3BlobStore(vertx, cfg.bucket(), client.build(), presigner.build());
        },
        false);
  }

  private static Region region(S3Config cfg) {
    if (!cfg.region().isEmpty()) {
      return Region.of(cfg.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      if (!cfg.endpoint().isEmpty()) {
        return FALLBACK_REGION;
      }
      throw new IllegalStateException(
          "S3 uploads need a region: set AWS_REGION (uploads.s3.region)", e);
    }
  }

  /**
   * Object key of a storage key: bytes not yet checked live under {@code incoming/}, so that a
   * bucket lifecycle rule on that prefix can expire what a late PUT leaves behind.
   */
  static String objectKey(String key) {
    return key.endsWith(".incoming") ? "incoming/" + key : key;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  @Override
  public String kind() {
    return "s3";
  }

  @Override
  public boolean servesBytes() {
    return false;
  }

  @Override
  public String localPath(String key) {
    return null;
  }

  /** A presigned PUT binding the content type and length: S3 refuses any other. */
  @Override
  public Future<UploadUrl> uploadUrl(Incoming upload) {
    Duration ttl = Duration.between(Instant.now(), upload.expiresAt());
    return blocking(
        () -> {
          var presigned =
              presigner.presignPutObject(
                  PutObjectPresignRequest.builder()
                      .signatureDuration(ttl)
                      .putObjectRequest(
                          PutObjectRequest.builder()
                              .bucket(bucket)
                              .key(objectKey(upload.key()))
                              .contentType(upload.contentType())
                              .contentLength(upload.size())
                              .build())
                      .build());
          Map<String, String> headers = new LinkedHashMap<>();
          for (Map.Entry<String, List<String>> h : presigned.signedHeaders().entrySet()) {
            // the HTTP client sets Host itself
            if (!h.getKey().equalsIgnoreCase("host") && !h.getValue().isEmpty()) {
              headers.put(canonical(h.getKey()), h.getValue().get(0));
            }
          }
          return new UploadUrl("PUT", presigned.url().toString(), headers);
        });
  }

  private static String canonical(String header) {
    return switch (header.toLowerCase(java.util.Locale.ROOT)) {
      case "content-type" -> "Content-Type";
      case "content-length" -> "Content-Length";
      default -> header;
    };
  }

  @Override
  public Future<Long> size(String key) {
    return blocking(
        () -> {
          try {
            return s3.headObject(
                    HeadObjectRequest.builder().bucket(bucket).key(objectKey(key)).build())
                .contentLength();
          } catch (NoSuchKeyException e) {
            return null;
          } catch (S3Exception e) {
            if (e.statusCode() == 404) {
              return null;
            }
            throw e;
          }
        });
  }

  @Override
  public Future<Buffer> firstBytes(String key, int n) {
    return blocking(
        () ->
            Buffer.buffer(
                s3.getObjectAsBytes(
                        GetObjectRequest.builder()
                            .bucket(bucket)
                            .key(objectKey(key))
                            .range("bytes=0-" + (n - 1))
                            .build())
                    .asByteArray()));
  }

  /** Server-side copy, then delete: a later PUT to the presigned URL cannot touch the copy. */
  @Override
  public Future<Void> promote(String from, String to) {
    return blocking(
        () -> {
          s3.copyObject(
              CopyObjectRequest.builder()
                  .sourceBucket(bucket)
                  .sourceKey(objectKey(from))
                  .destinationBucket(bucket)
                  .destinationKey(objectKey(to))
                  .build());
          s3.deleteObject(
              DeleteObjectRequest.builder().bucket(bucket).key(objectKey(from)).build());
          return null;
        });
  }

  @Override
  public Future<Void> delete(String key) {
    return blocking(
        () -> {
          s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(objectKey(key)).build());
          return null;
        });
  }

  /** A presigned GET that also makes S3 answer as an attachment with the checked type. */
  @Override
  public Future<Download> download(
      String key, String filename, String contentType, long size, Duration expiry) {
    return blocking(
        () -> {
          var presigned =
              presigner.presignGetObject(
                  GetObjectPresignRequest.builder()
                      .signatureDuration(expiry)
                      .getObjectRequest(
                          GetObjectRequest.builder()
                              .bucket(bucket)
                              .key(objectKey(key))
                              .responseContentType(contentType)
                              .responseContentDisposition(ContentDisposition.attachment(filename))
                              .build())
                      .build());
          return new Download(
              presigned.url().toString(),
              null,
              contentType,
              ContentDisposition.attachment(filename),
              size);
        });
  }

  @Override
  public Future<String> check() {
    return blocking(
        () -> {
          s3.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
          return "bucket reachable";
        });
  }

  @Override
  public void close() {
    s3.close();
    presigner.close();
  }
}
