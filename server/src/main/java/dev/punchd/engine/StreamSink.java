package dev.punchd.engine;

/**
 * The application's side of a connection's data, implemented by the API's Stream. Callbacks come from
 * engine threads, possibly concurrently; implementations serialise their own work.
 */
public interface StreamSink {

  /** Received bytes are waiting, or the received stream ended: take them with {@link DataPipe#pollReceived()}. */
  void onReceivable();

  /** A chunk passed to {@link DataPipe#send(byte[])} reached the connection: the application may send more. */
  void onSent();
}
