# punchd sidecar image.
#
#   docker build -t punchd:0.1.0 .
#   docker run --rm -v punchd-sock:/run/punchd -p 40000-40099:40000-40099 punchd:0.1.0
#
# Stages: "build" compiles the shaded jar with the same Maven command as the README, "jre" links a
# trimmed Java runtime, and the final stage is a slim Debian with only that runtime and the jar.
# helm/src/test/java/dev/punchd/docker/DockerfileTest.java checks this file against the Maven build.

# ---- build: Maven, dependency layer first ----------------------------------------------------------
FROM maven:3-eclipse-temurin-25 AS build
WORKDIR /src
# Every module's pom, so the dependency layer below is rebuilt only when a pom changes.
COPY pom.xml ./
COPY proto/pom.xml proto/
COPY server/pom.xml server/
COPY client-examples/java/pom.xml client-examples/java/
COPY helm/pom.xml helm/
COPY bench/pom.xml bench/
RUN mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline
COPY . .
RUN mvn -B -q package -DskipTests -pl server -am

# ---- jre: a runtime with only the modules the jar needs --------------------------------------------
# The list (with the modules it requires) covers `jdeps --print-module-deps --ignore-missing-deps
# --multi-release 25` on the jar, plus jdk.management, which JVM and process metrics load by reflection.
FROM maven:3-eclipse-temurin-25 AS jre
RUN jlink \
      --add-modules java.base,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.jfr,jdk.management,jdk.net,jdk.unsupported \
      --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
      --output /jre

# ---- runtime ---------------------------------------------------------------------------------------
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="punchd" \
      org.opencontainers.image.description="Sidecar gRPC service that punches holes through NATs"
# PUNCHD_API: the API on a Unix socket; share /run/punchd with the application (a volume, an emptyDir).
#   A TCP API stays on loopback (127.0.0.1:50051): punchd is not meant to serve it on other addresses.
# PUNCHD_METRICS: read-only, and a scraper outside the container must reach it.
# PUNCHD_PORT_RANGE: fixed so it can be published (docker -p, Kubernetes hostPort); matches EXPOSE below.
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:$PATH \
    PUNCHD_API=unix:/run/punchd/punchd.sock \
    PUNCHD_METRICS=0.0.0.0:9464 \
    PUNCHD_PORT_RANGE=40000-40099
COPY --from=jre /jre /opt/java
COPY --from=build /src/server/target/punchd.jar /app/punchd.jar
RUN mkdir -p /run/punchd && chown 65532:65532 /run/punchd
USER 65532:65532
# 50051: the API when PUNCHD_API is a TCP address; 9464: Prometheus metrics; 40000-40099: punched ports.
EXPOSE 50051/tcp 9464/tcp 40000-40099/tcp
# -XX:+UseSerialGC -Xms32m -D...leakDetection.level=disabled: the flags of ./punchd (scripts/jvm-options says why; DockerfileTest checks they match).
# MaxRAMPercentage=60 leaves room beside the heap for Netty's direct buffers, metaspace and threads.
# -UsePerfData: no hsperfdata file in /tmp, so the JVM is happy on a read-only root file system.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms32m", "-Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled", "-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/punchd.jar"]
