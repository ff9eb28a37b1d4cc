package dev.punchd.observe;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * How punchd writes its log: {@code text} for people ({@code logback.xml}, the default configuration) or
 * {@code json}, one object per line for log collectors ({@code logback-json.xml}: logback's JsonEncoder,
 * with the MDC, so lines about a connection carry {@code mdc.connection_id}).
 */
public enum LogFormat {
  TEXT,
  JSON;

  private static final String JSON_CONFIGURATION = "/logback-json.xml";

  /**
   * Reconfigures logback for this format; call before the sidecar starts. {@code text} keeps the
   * configuration logback loaded by itself (so {@code -Dlogback.configurationFile} still works).
   */
  public void apply() {
    if (this == TEXT) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      throw new IllegalStateException("--log-format json needs logback, but SLF4J is bound to "
          + factory.getClass().getName());
    }
    URL configuration = LogFormat.class.getResource(JSON_CONFIGURATION);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.reset();
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot load " + JSON_CONFIGURATION + ": " + e.getMessage(), e);
    }
  }
}
