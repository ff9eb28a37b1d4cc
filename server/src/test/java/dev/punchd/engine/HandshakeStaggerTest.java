package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Awaiting;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The controlling side runs one candidate's handshake at a time unless the running one outlasts the stagger. */
class HandshakeStaggerTest {
  private static final long LONG_STAGGER_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aSecondCandidateWaitsForTheRunningHandshakeAndSkipsItsOwnOnceTheAttemptIsDecided() throws Exception {
    HandshakeStagger stagger = new HandshakeStagger(LONG_STAGGER_NANOS);
    Nomination nomination = new Nomination();
    assertThat(stagger.awaitTurn(nomination)).as("the first candidate starts at once").isTrue();

    CompletableFuture<Boolean> second = new CompletableFuture<>();
    Thread waiting = Thread.ofVirtual().start(() -> second.complete(turn(stagger, nomination)));
    Awaiting.until(WAIT, "the second candidate waits", () -> waiting.getState() == Thread.State.TIMED_WAITING);
    assertThat(second).isNotDone();
    assertThat(nomination.tryWin()).isTrue();
    stagger.finished();

    assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("decided: no handshake needed").isFalse();
  }

  @Test
  void aSecondCandidateStartsWhenTheRunningOneFailsOrOutlastsTheStagger() throws Exception {
    Nomination nomination = new Nomination();
    HandshakeStagger patient = new HandshakeStagger(LONG_STAGGER_NANOS);
    assertThat(patient.awaitTurn(nomination)).isTrue();
    CompletableFuture<Boolean> afterFailure = new CompletableFuture<>();
    Thread waiting = Thread.ofVirtual().start(() -> afterFailure.complete(turn(patient, nomination)));
    Awaiting.until(WAIT, "the second candidate waits", () -> waiting.getState() == Thread.State.TIMED_WAITING);
    patient.finished(); // the first handshake failed: the attempt is still open
    assertThat(afterFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    HandshakeStagger brief = new HandshakeStagger(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(brief.awaitTurn(nomination)).isTrue();
    assertThat(brief.awaitTurn(nomination)).as("the running one outlasted the stagger").isTrue();
  }

  private static boolean turn(HandshakeStagger stagger, Nomination nomination) {
    try {
      return stagger.awaitTurn(nomination);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
