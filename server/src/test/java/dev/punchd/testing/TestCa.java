package dev.punchd.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for API TLS tests: issues server certificates for 127.0.0.1 and
 * client certificates, and writes everything as PEM files (keys as PKCS#8). Not thread-safe.
 */
public final class TestCa {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration LIFETIME = Duration.ofDays(1);

  private final X500Name name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  /** A certificate file and the file of its private key. */
  public record Issued(Path certificate, Path key) {}

  private TestCa(X500Name name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  public static TestCa create(String commonName) throws Exception {
    X500Name name = new X500Name("CN=" + commonName);
    KeyPair keys = newKeys();
    X509v3CertificateBuilder builder = builder(name, name, keys)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCa(name, keys, sign(builder, keys));
  }

  /** Writes the CA certificate (what clients trust, or what the server checks client certificates with). */
  public Path writeCertificate(Path directory) throws IOException {
    Path file = directory.resolve(commonName() + "-ca.pem");
    writePem(file, certificate);
    return file;
  }

  /** A server certificate valid for 127.0.0.1 and localhost. */
  public Issued issueServer(Path directory, String commonName) throws Exception {
    GeneralNames names = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")});
    return issue(directory, commonName, KeyPurposeId.id_kp_serverAuth, names);
  }

  public Issued issueClient(Path directory, String commonName) throws Exception {
    return issue(directory, commonName, KeyPurposeId.id_kp_clientAuth, null);
  }

  private Issued issue(Path directory, String commonName, KeyPurposeId purpose, GeneralNames names)
      throws Exception {
    KeyPair leafKeys = newKeys();
    X509v3CertificateBuilder builder = builder(name, new X500Name("CN=" + commonName), leafKeys)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    if (names != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, names);
    }
    X509Certificate leaf = sign(builder, keys);
    Issued issued = new Issued(directory.resolve(commonName + ".crt"), directory.resolve(commonName + ".key"));
    writePem(issued.certificate(), leaf);
    writePem(issued.key(), new JcaPKCS8Generator(leafKeys.getPrivate(), null));
    return issued;
  }

  private String commonName() {
    return name.toString().substring("CN=".length());
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).setBit(63),
        Date.from(now.minus(LIFETIME)), Date.from(now.plus(LIFETIME)), subject, subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static void writePem(Path file, Object object) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    }
  }
}
