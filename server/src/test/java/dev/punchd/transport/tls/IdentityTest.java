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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

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

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"})
  void refusesAKeyFileGroupOrOthersMayAccessNamingItsMode(String mode) throws IOException {
    Path file = directory.resolve("identity.pem");
    Identity.loadOrCreate(file);
    String content = Files.readString(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

    assertThatThrownBy(() -> Identity.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("mode is " + mode)
        .hasMessageContaining("chmod 600");
    assertThat(Files.readString(file)).isEqualTo(content);
  }

  @Test
  void processesCreatingTheKeyAtOnceAllGetTheOneThatWasWrittenFirst() throws Exception {
    int creators = 6;
    for (int round = 0; round < 10; round++) {
      Path file = directory.resolve("race-" + round + "/identity.pem");
      Files.createDirectories(file.getParent());
      CyclicBarrier start = new CyclicBarrier(creators);
      List<Future<String>> fingerprints = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(creators)) {
        for (int i = 0; i < creators; i++) {
          fingerprints.add(pool.submit(() -> {
            start.await();
            return Identity.loadOrCreate(file).fingerprint();
          }));
        }
      }
      String stored = IdentityFile.read(file).fingerprint();
      for (Future<String> fingerprint : fingerprints) {
        assertThat(fingerprint.get()).as("round %d", round).isEqualTo(stored);
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      try (var entries = Files.list(file.getParent())) {
        assertThat(entries).as("no temporary file left").containsExactly(file);
      }
    }
  }

  @Test
  void rejectsAPathThatCannotBeReadNamingIt() {
    assertThatThrownBy(() -> Identity.loadOrCreate(directory))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot load punchd identity from " + directory + ": ");
  }
}
