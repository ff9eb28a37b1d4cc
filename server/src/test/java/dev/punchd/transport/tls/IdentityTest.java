package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityTest {
  private static final String CERTIFICATE_PEM = "-----BEGIN CERTIFICATE-----";

  @TempDir Path directory;

  @Test
  void generatesASelfSignedP256CertificateFingerprintedBySha256OfItsDer() throws Exception {
    Identity identity = Identity.generate();
    X509Certificate certificate = identity.certificate();

    certificate.verify(certificate.getPublicKey());
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=punchd");
    assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getOrder().bitLength())
        .isEqualTo(256);
    assertThat(certificate.getNotBefore().toInstant()).isBefore(Instant.now());
    assertThat(certificate.getNotAfter().toInstant())
        .isAfter(Instant.now().plus(Duration.ofDays(9 * 365)));
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    assertThat(identity.fingerprint()).isEqualTo(HexFormat.of().formatHex(sha256)).hasSize(64);
    assertThat(Identity.generate().fingerprint()).isNotEqualTo(identity.fingerprint());
    assertThat(identity.toString())
        .isEqualTo("Identity[fingerprint=" + identity.fingerprint() + "]");
  }

  @Test
  void acceptsSixtyFourHexDigitsInEitherCaseAsFingerprint() {
    assertThat(Identity.isValidFingerprint(Identity.generate().fingerprint())).isTrue();
    assertThat(Identity.isValidFingerprint("0123456789ABCDEF".repeat(4))).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
        "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab"
      })
  void rejectsAnythingElseAsFingerprint(String notAFingerprint) {
    assertThat(Identity.isValidFingerprint(notAFingerprint)).isFalse();
  }

  @Test
  void loadOrCreateKeepsTheSameIdentityInAnOwnerOnlyPemFile() throws Exception {
    Path file = directory.resolve("state/identity.pem");

    Identity created = Identity.loadOrCreate(file);
    Identity loaded = Identity.loadOrCreate(file);
    Identity reread = IdentityFile.read(file);

    assertThat(loaded.fingerprint()).isEqualTo(created.fingerprint());
    assertThat(reread.fingerprint()).isEqualTo(created.fingerprint());
    assertThat(reread.privateKey().getEncoded()).isEqualTo(created.privateKey().getEncoded());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file))
        .startsWith("-----BEGIN PRIVATE KEY-----")
        .contains(CERTIFICATE_PEM);
    try (var entries = Files.list(file.getParent())) {
      assertThat(entries).containsExactly(file);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "not PEM at all",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"
      })
  void rejectsACorruptFileNamingIt(String content) throws IOException {
    Path file = directory.resolve("identity.pem");
    Files.writeString(file, content);

    assertThatThrownBy(() -> Identity.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot load punchd identity from " + file + ": ");
    assertThat(Files.readString(file)).isEqualTo(content);
  }

  @Test
  void rejectsAFileWithoutCertificate() throws IOException {
    Path file = directory.resolve("identity.pem");
    Identity.loadOrCreate(file);
    String keyOnly = Files.readString(file).split(CERTIFICATE_PEM)[0];
    Files.writeString(file, keyOnly);

    assertThatThrownBy(() -> Identity.loadOrCreate(file))
        .hasMessage("cannot load punchd identity from " + file + ": no CERTIFICATE block");
  }

  @Test
  void rejectsACertificateOfAnotherKey() throws IOException {
    Path mine = directory.resolve("mine.pem");
    Path theirs = directory.resolve("theirs.pem");
    Identity.loadOrCreate(mine);
    Identity.loadOrCreate(theirs);
    String myKey = Files.readString(mine).split(CERTIFICATE_PEM)[0];
    String theirCertificate = CERTIFICATE_PEM + Files.readString(theirs).split(CERTIFICATE_PEM)[1];
    Files.writeString(mine, myKey + theirCertificate);

    assertThatThrownBy(() -> Identity.loadOrCreate(mine))
        .hasMessage(
            "cannot load punchd identity from "
                + mine
                + ": the certificate does not belong to the private key");
  }

  @Test
  void rejectsAPathThatCannotBeReadNamingIt() {
    assertThatThrownBy(() -> Identity.loadOrCreate(directory))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot load punchd identity from " + directory + ": ");
  }
}
