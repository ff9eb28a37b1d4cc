package dev.punchd.transport.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the self-signed certificate of an {@link Identity}. Peers pin its fingerprint, so no CA,
 * name or validity check ever applies to it. Stateless and thread-safe.
 */
final class SelfSignedCertificate {
  private static final X500Name SUBJECT = new X500Name("CN=punchd");
  private static final Duration BACKDATE = Duration.ofDays(1);
  private static final Duration LIFETIME = Duration.ofDays(3653);
  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSignedCertificate() {}

  static X509Certificate issue(KeyPair keys) throws GeneralSecurityException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            SUBJECT,
            new BigInteger(64, RANDOM).setBit(63),
            Date.from(now.minus(BACKDATE)),
            Date.from(now.plus(LIFETIME)),
            SUBJECT,
            keys.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keys.getPrivate())));
    } catch (CertIOException | OperatorCreationException e) {
      throw new GeneralSecurityException("cannot issue the self-signed certificate", e);
    }
  }
}
