package dev.punchd.relay;

import dev.punchd.stun.LongTermKey;
import dev.punchd.stun.StunAttributes;
import dev.punchd.stun.StunClass;
import dev.punchd.stun.StunCodec;
import dev.punchd.stun.StunError;
import dev.punchd.stun.StunMessage;
import dev.punchd.stun.StunMethod;
import dev.punchd.stun.StunServerException;
import dev.punchd.stun.StunStream;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * STUN's long-term credential mechanism (RFC 8489 section 9.2) toward one TURN server: the first request
 * goes out unsigned, a 401 teaches realm and nonce, later requests carry USERNAME, REALM, NONCE and
 * MESSAGE-INTEGRITY; a 438 (stale nonce) is retried with the new nonce. Responses that carry
 * MESSAGE-INTEGRITY must match the key. Realm and nonce are shared by every connection to the server.
 * Thread-safe.
 */
final class TurnAuth {
  private static final int MAX_TRIES = 3;

  /** One request-response exchange on some connection to the server. */
  @FunctionalInterface
  interface Exchange {
    StunStream.Received exchange(StunMessage request, byte[] key) throws IOException;
  }

  private final TurnServer server;
  private String realm; // guarded by this
  private String nonce; // guarded by this

  TurnAuth(TurnServer server) {
    this.server = server;
  }

  /**
   * Sends a request of {@code method} with the attributes {@code content} adds, authenticating as needed, and
   * returns the success response.
   *
   * @throws StunServerException naming the server, the method and the error code when it refuses
   */
  StunMessage call(StunMethod method, Consumer<StunMessage.Builder> content, Exchange exchange) throws IOException {
    for (int tries = 0; tries < MAX_TRIES; tries++) {
      String knownRealm;
      String knownNonce;
      synchronized (this) {
        knownRealm = realm;
        knownNonce = nonce;
      }
      StunMessage.Builder request = StunMessage.request(method);
      content.accept(request);
      byte[] key = null;
      if (knownRealm != null) {
        request.addText(StunAttributes.USERNAME, server.username()).addText(StunAttributes.REALM, knownRealm)
            .addText(StunAttributes.NONCE, knownNonce);
        key = LongTermKey.of(server.username(), knownRealm, server.password());
      }
      StunStream.Received received = exchange.exchange(request.build(), key);
      StunMessage response = received.message();
      if (response.type() == StunClass.SUCCESS) {
        if (key != null && response.attribute(StunAttributes.MESSAGE_INTEGRITY).isPresent()
            && !StunCodec.integrityMatches(received.wire(), key)) {
          throw new StunServerException(server.toString(), method.displayName()
              + " response fails its MESSAGE-INTEGRITY check (not signed with our credentials)");
        }
        return response;
      }
      StunError error = response.error().orElse(new StunError(0, "error response without ERROR-CODE"));
      Optional<String> newNonce = response.text(StunAttributes.NONCE);
      boolean firstChallenge = error.code() == StunError.UNAUTHORIZED && key == null;
      if ((firstChallenge || error.code() == StunError.STALE_NONCE) && newNonce.isPresent()) {
        String learnedRealm = response.text(StunAttributes.REALM).orElse(knownRealm);
        synchronized (this) {
          realm = learnedRealm;
          nonce = newNonce.get();
        }
        if (learnedRealm != null) {
          continue;
        }
      }
      String what = error.code() == StunError.UNAUTHORIZED && key != null
          ? method.displayName() + " refused: credentials rejected for user '" + server.username() + "' in realm '"
              + knownRealm + "'"
          : method.displayName() + " refused";
      throw new StunServerException(server.toString(), what, error, null);
    }
    throw new StunServerException(server.toString(), method.displayName() + " still asks for authentication after "
        + MAX_TRIES + " tries");
  }
}
