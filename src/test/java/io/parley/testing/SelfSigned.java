package io.parley.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 / localhost made in the test with the JDK's keytool,
 * written as the PEM key and certificate files an operator would configure.
 */
public record SelfSigned(Path keyPath, Path certPath) {

  public static SelfSigned create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path store = dir.resolve("tls.p12");
      Files.deleteIfExists(store);
      String password = "changeit-test-only";
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p =
          new ProcessBuilder(
                  List.of(
                      keytool.toString(),
                      "-genkeypair",
                      "-alias",
                      "parley",
                      "-keyalg",
                      "EC",
                      "-groupname",
                      "secp256r1",
                      "-dname",
                      "CN=localhost",
                      "-ext",
                      "SAN=ip:127.0.0.1,dns:localhost",
                      "-validity",
                      "2",
                      "-storetype",
                      "PKCS12",
                      "-keystore",
                      store.toString(),
                      "-storepass",
                      password,
                      "-keypass",
                      password))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, password.toCharArray());
      }
      Key key = ks.getKey("parley", password.toCharArray());
      Certificate cert = ks.getCertificate("parley");
      Path keyPath = dir.resolve("key.pem");
      Path certPath = dir.resolve("cert.pem");
      Files.writeString(keyPath, pem("PRIVATE KEY", key.getEncoded()));
      Files.writeString(certPath, pem("CERTIFICATE", cert.getEncoded()));
      return new SelfSigned(keyPath, certPath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
