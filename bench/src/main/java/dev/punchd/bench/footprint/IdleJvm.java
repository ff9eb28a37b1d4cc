package dev.punchd.bench.footprint;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The footprint baseline: the smallest Java server, a JVM that listens on a loopback port and does nothing
 * else. Its start-to-accepting time and RSS are the floor any JVM sidecar stands on. Runs until killed.
 */
public final class IdleJvm {
  private IdleJvm() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      while (true) {
        try (Socket accepted = listener.accept()) {
          accepted.shutdownOutput();
        }
      }
    }
  }
}
