package io.customerstudio.infra.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.infra.config.StartupCheckException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets at rest: sealed under the master key, unreadable under another, key kept once. */
class SecretBoxTest {

  @TempDir Path dir;

  @Test
  void sealsAndUnsealsWithAFreshNonceEachTime() {
    SecretBox box = SecretBox.open(null, dir, false);
    String a = box.seal("whsec-123");
    String b = box.seal("whsec-123");
    assertThat(a).startsWith("v1:").isNotEqualTo(b).doesNotContain("whsec");
    assertThat(box.unseal(a)).isEqualTo("whsec-123");
    assertThat(box.unseal(b)).isEqualTo("whsec-123");
  }

  @Test
  void theGeneratedKeyIsKeptOwnerOnlyAndReusedAfterARestart() throws Exception {
    String sealed = SecretBox.open(null, dir, false).seal("pw");
    Path key = dir.resolve("secret.key");
    assertThat(Files.getPosixFilePermissions(key))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(SecretBox.open(null, dir, false).unseal(sealed)).isEqualTo("pw");
  }

  @Test
  void anotherKeyOrAnAlteredValueCannotBeRead() {
    String sealed = SecretBox.open(null, dir, false).seal("pw");
    String other = Base64.getEncoder().encodeToString(new byte[32]);
    assertThatThrownBy(() -> SecretBox.open(other, dir, false).unseal(sealed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("STUDIO_SECRET_KEY");
    String altered = sealed.substring(0, sealed.length() - 4) + "AAAA";
    assertThatThrownBy(() -> SecretBox.open(null, dir, false).unseal(altered))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aMalformedConfiguredKeyStopsStartUpNamingTheVariable() {
    assertThatThrownBy(() -> SecretBox.open("not base64 !!", dir, true))
        .isInstanceOf(StartupCheckException.class)
        .hasMessageStartingWith("STUDIO_SECRET_KEY: is not base64");
    assertThatThrownBy(
            () -> SecretBox.open(Base64.getEncoder().encodeToString(new byte[16]), dir, true))
        .isInstanceOf(StartupCheckException.class)
        .hasMessageContaining("32 bytes, not 16");
  }
}
