package io.parley.config;

import io.parley.security.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The HS256 secret of a node started without {@code JWT_SECRET} outside production: kept in the
 * data folder so that tokens survive a restart (random per process in tests, or when the folder is
 * not writable).
 */
final class DevelopmentSecret {
  static final String DEV_SECRET_FILE = "jwt-dev-secret";

  private DevelopmentSecret() {}

  /** The secret to sign with; what was chosen, and why, goes to {@code warnings}. */
  static String of(Mode mode, Path dataDir, List<String> warnings) {
    if (mode == Mode.TEST) {
      warnings.add("JWT_SECRET is not set: using a random secret for this process only");
      return randomSecret();
    }
    Path file = dataDir.resolve(DEV_SECRET_FILE);
    try {
      if (Files.isRegularFile(file)) {
        String s = Files.readString(file).trim();
        if (s.length() >= Sections.MIN_SECRET_BYTES) {
          warnings.add(
              "JWT_SECRET is not set: using the development secret kept in "
                  + file
                  + " (set JWT_SECRET in production)");
          return s;
        }
      }
      Files.createDirectories(dataDir);
      String s = randomSecret();
      Files.writeString(file, s);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the file keeps the folder's permissions
      }
      warnings.add(
          "JWT_SECRET is not set: generated a random development secret in "
              + file
              + " (set JWT_SECRET in production)");
      return s;
    } catch (IOException e) {
      warnings.add(
          "JWT_SECRET is not set and "
              + file
              + " is not writable: using a random secret for this"
              + " process only");
      return randomSecret();
    }
  }

  private static String randomSecret() {
    return Secrets.random(48);
  }
}
