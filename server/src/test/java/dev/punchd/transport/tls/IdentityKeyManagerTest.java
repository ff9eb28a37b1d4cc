package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

class IdentityKeyManagerTest {
  private final Identity identity = Identity.generate();
  private final IdentityKeyManager keys = new IdentityKeyManager(identity);

  @Test
  void offersTheIdentityForItsOwnKeyTypeOnly() {
    String alias = keys.chooseServerAlias("EC", null, (Socket) null);
    assertThat(alias).isNotNull();
    assertThat(keys.chooseClientAlias(new String[] {"RSA", "EC"}, null, null)).isEqualTo(alias);
    assertThat(keys.getCertificateChain(alias)).containsExactly(identity.certificate());
    assertThat(keys.getPrivateKey(alias)).isSameAs(identity.privateKey());

    assertThat(keys.chooseServerAlias("RSA", null, (Socket) null)).isNull();
    assertThat(keys.chooseClientAlias(new String[] {"RSA", "RSASSA-PSS"}, null, null)).isNull();
    assertThat(keys.getPrivateKey("other")).isNull();
    assertThat(keys.getCertificateChain("other")).isNull();
  }
}
