package dev.punchd.cli;

import dev.punchd.discovery.ReflectorServer;
import dev.punchd.engine.HostPort;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code punchd reflector}: serves an ipify-compatible "what is my IP" endpoint until stopped. Used once. */
@Command(name = "reflector", mixinStandardHelpOptions = true,
    description = {"Serve an ipify-compatible 'what is my IP' HTTP endpoint: GET / answers the caller's IP as text.",
        "Point sidecars at it with --public-ip http://HOST:PORT/ where public reflectors are out of reach."})
final class ReflectorCommand implements Callable<Integer> {

  @Option(names = "--listen", paramLabel = "IP:PORT", defaultValue = "${env:PUNCHD_REFLECTOR_LISTEN:-0.0.0.0:8080}",
      description = "Address to serve on [PUNCHD_REFLECTOR_LISTEN] (default: ${DEFAULT-VALUE})")
  String listen;

  @Override
  public Integer call() throws Exception {
    ReflectorServer server = new ReflectorServer(HostPort.parseListen(listen));
    server.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "reflector-shutdown"));
    System.out.println("punchd reflector serving on http://" + HostPort.format(server.address()) + "/");
    stopped.await();
    return 0;
  }
}
