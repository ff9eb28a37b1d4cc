package dev.punchd.transport.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Reads and writes an {@link Identity} as a PEM file: a PKCS#8 {@code PRIVATE KEY} block followed
 * by its {@code CERTIFICATE}. A file that group or others may access is refused (as ssh refuses an
 * unprotected key). A new file is written to an owner-only temporary file in the same directory and
 * then hard-linked to its name, which fails if the name exists: it appears complete and 0600, never
 * replaces a file, and two processes creating it at once both end up with the one that got there
 * first. Stateless and thread-safe.
 */
final class IdentityFile {
  private static final String OWNER_ONLY = "rw-------";
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private IdentityFile() {}

  static Identity loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return read(file);
    }
    Identity created = Identity.generate();
    try {
      write(file, created);
      return created;
    } catch (FileAlreadyExistsException lostRace) {
      return read(file);
    }
  }

  static Identity read(Path file) throws IOException {
    requireOwnerOnly(file);
    try {
      return parse(file);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      String reason = e instanceof Malformed ? e.getMessage() : e.toString();
      throw new IOException("cannot load punchd identity from " + file + ": " + reason, e);
    }
  }

  private static Identity parse(Path file) throws IOException, GeneralSecurityException {
    PrivateKeyInfo key = null;
    X509CertificateHolder certificate = null;
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof PrivateKeyInfo privateKeyInfo && key == null) {
          key = privateKeyInfo;
        } else if (block instanceof X509CertificateHolder holder && certificate == null) {
          certificate = holder;
        } else {
          throw new Malformed("unexpected PEM block " + block.getClass().getSimpleName());
        }
      }
    }
    if (key == null) {
      throw new Malformed("no PKCS#8 PRIVATE KEY block");
    }
    if (certificate == null) {
      throw new Malformed("no CERTIFICATE block");
    }
    PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(key);
    X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(certificate);
    requireMatchingKeys(privateKey, x509);
    return new Identity(privateKey, x509);
  }

  static void write(Path file, Identity identity) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = Files.createTempFile(directory, ".punchd-identity", ".tmp", ownerOnly(file));
    try {
      Files.writeString(temporary, toPem(identity), StandardCharsets.US_ASCII);
      Files.createLink(file, temporary);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static String toPem(Identity identity) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(new JcaPKCS8Generator(identity.privateKey(), null));
      writer.writeObject(identity.certificate());
    }
    return pem.toString();
  }

  /** Refuses a key file that group or others may access: someone else may have read or replaced it. */
  private static void requireOwnerOnly(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix") || !Files.exists(file)) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!Collections.disjoint(permissions, GROUP_OR_OTHERS)) {
      throw new IOException("refusing punchd identity " + file + ": its mode is "
          + PosixFilePermissions.toString(permissions) + ", so group or others may read or replace the private key;"
          + " make it owner-only (chmod 600 " + file + ") or let punchd create a new one");
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path file) {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY))
    };
  }

  /** Signs and verifies a random challenge, proving the certificate was issued for this key. */
  private static void requireMatchingKeys(PrivateKey key, X509Certificate certificate)
      throws GeneralSecurityException, Malformed {
    if (!"EC".equals(key.getAlgorithm())) {
      throw new Malformed("private key is " + key.getAlgorithm() + ", expected EC");
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(challenge);
    if (!verifier.verify(signature)) {
      throw new Malformed("the certificate does not belong to the private key");
    }
  }

  /** A file that parses but does not hold what an identity needs. */
  private static final class Malformed extends IOException {
    Malformed(String reason) {
      super(reason);
    }
  }
}
