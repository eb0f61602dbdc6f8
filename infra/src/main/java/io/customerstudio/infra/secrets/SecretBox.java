package io.customerstudio.infra.secrets;

import io.customerstudio.infra.config.StartupCheckException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts secrets at rest (destination passwords, signing secrets, tokens) with AES-256-GCM under
 * the master key: {@code STUDIO_SECRET_KEY} (32 bytes, base64), or, when unset, a key generated
 * once into the data directory ({@code secret.key}, readable by the owner only). A sealed value is
 * {@code v1:<base64 of nonce + ciphertext + tag>}; a fresh nonce every time, so equal secrets do
 * not look equal. Never logs a secret or the key.
 */
public final class SecretBox {

  static final String PREFIX = "v1:";
  private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  SecretBox(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the master key must be 32 bytes");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The configured key, or the data directory's (made on first use).
   *
   * @param sharedStore whether the app store is an external database several instances may share,
   *     where every instance must be given the same STUDIO_SECRET_KEY
   */
  public static SecretBox open(String configuredKey, Path dataDir, boolean sharedStore) {
    if (configuredKey != null && !configuredKey.isBlank()) {
      byte[] key;
      try {
        key = Base64.getDecoder().decode(configuredKey.strip());
      } catch (IllegalArgumentException e) {
        throw new StartupCheckException(
            "STUDIO_SECRET_KEY", "is not base64; make one with `openssl rand -base64 32`", null);
      }
      if (key.length != 32) {
        throw new StartupCheckException(
            "STUDIO_SECRET_KEY",
            "must decode to 32 bytes, not "
                + key.length
                + "; make one with `openssl rand -base64 32`",
            null);
      }
      return new SecretBox(key);
    }
    Path file = dataDir.resolve("secret.key");
    try {
      if (Files.exists(file)) {
        return new SecretBox(Base64.getDecoder().decode(Files.readString(file).strip()));
      }
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      Files.createDirectories(dataDir);
      Files.writeString(file, Base64.getEncoder().encodeToString(key));
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // a file system without POSIX permissions: the data directory's own protection applies
      }
      log.info("Generated the master key for secrets at {}", file.toAbsolutePath());
      if (sharedStore) {
        log.warn(
            "STUDIO_SECRET_KEY is not set while the app store is external: give every instance the"
                + " same key (the content of {}), or secrets saved by one cannot be read by another",
            file.toAbsolutePath());
      }
      return new SecretBox(key);
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupCheckException(
          "STUDIO_DATA_DIR",
          "cannot read or create the master key " + file + ": " + e.getMessage(),
          e);
    }
  }

  public String seal(String plaintext) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return PREFIX
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /**
   * @throws IllegalStateException when the value was sealed under another key or was altered
   */
  public String unseal(String sealed) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new IllegalStateException("not a sealed secret");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "a secret cannot be decrypted: it was sealed under another STUDIO_SECRET_KEY, or altered");
    }
  }
}
