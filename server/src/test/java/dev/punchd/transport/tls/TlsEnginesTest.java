package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.HANDSHAKE_TIMEOUT;
import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.TlsHandshakeTest.readExactly;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.tls.TlsEngines.Provider;
import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsEnginesTest extends TwoSidedTest {
  @Test
  void theProcessRunsTlsOnBoringSslOnThisPlatform() {
    assertThat(TlsEngines.shared().provider())
        .as("netty-tcnative loads on Linux x86_64 (a missing native library would fall back to SunJSSE)")
        .isEqualTo(Provider.BORINGSSL);
  }

  @ParameterizedTest(name = "TLS client on {0}, TLS server on {1}")
  @CsvSource({"BORINGSSL, BORINGSSL", "JDK, JDK", "BORINGSSL, JDK", "JDK, BORINGSSL"})
  void eitherProviderAuthenticatesAndCarriesRecordsOfEverySizeToTheOther(Provider client, Provider server)
      throws Exception {
    TlsEngines clientEngines = new TlsEngines(client);
    TlsEngines serverEngines = new TlsEngines(server);
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> dialer = sides.run(() -> new TlsHandshake(ids.lower(), clientEngines)
          .secure(pair.dialer(), ids.higher().fingerprint(), HANDSHAKE_TIMEOUT));
      Future<TlsSocket> acceptor = sides.run(() -> new TlsHandshake(ids.higher(), serverEngines)
          .secure(pair.acceptor(), ids.lower().fingerprint(), HANDSHAKE_TIMEOUT));
      TlsSocket tlsClient = await(dialer);
      TlsSocket tlsServer = await(acceptor);
      assertThat(tlsClient.session().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(TlsHandshakeTest.peerFingerprint(tlsClient)).isEqualTo(ids.higher().fingerprint());
      assertThat(TlsHandshakeTest.peerFingerprint(tlsServer)).isEqualTo(ids.lower().fingerprint());

      for (int size : new int[] {1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 200_000}) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Future<byte[]> received = sides.run(() -> readExactly(tlsServer, size));
        write(tlsClient, data);
        assertThat(await(received)).as("%d bytes client to server", size).isEqualTo(data);
        Future<byte[]> answered = sides.run(() -> readExactly(tlsClient, size));
        write(tlsServer, data);
        assertThat(await(answered)).as("%d bytes server to client", size).isEqualTo(data);
      }
      tlsClient.close();
      tlsServer.close();
    }
    assertThat(clientEngines.unreleased()).as("client engines released").isZero();
    assertThat(serverEngines.unreleased()).as("server engines released").isZero();
  }

  @Test
  void aFailedHandshakeReleasesItsEngine() throws Exception {
    TlsEngines engines = new TlsEngines(Provider.BORINGSSL);
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> ours = sides.run(() -> new TlsHandshake(ids.higher(), engines)
          .secure(pair.acceptor(), ids.lower().fingerprint(), HANDSHAKE_TIMEOUT));
      FingerprintHello.exchange(pair.dialer(), ids.lower().fingerprint(), ids.higher().fingerprint(),
          HANDSHAKE_TIMEOUT);
      pair.dialer().close(); // after the hello, so our side has begun TLS with an engine
      assertThat(TlsFailure.classify(BothSides.failureOf(ours)).kind()).isEqualTo(TlsFailure.Kind.PEER_CLOSED);
    }
    assertThat(engines.unreleased()).isZero();
  }
}
