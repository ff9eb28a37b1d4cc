package dev.punchd.transport.tls;

import org.junit.jupiter.api.AfterEach;

/** What the TLS tests share: a pair of identities and both ends' threads, stopped (bounded) after each test. */
abstract class TwoSidedTest {
  final IdentityPair ids = IdentityPair.generate();
  final BothSides sides = new BothSides();

  @AfterEach
  void stopSides() throws InterruptedException {
    sides.close();
  }
}
