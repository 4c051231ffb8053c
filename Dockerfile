# syntax=docker/dockerfile:1
# One image for both profiles: `server` (the default) and `dummyclient` (SPRING_PROFILES_ACTIVE=dummyclient).

# --- build: the Maven wrapper on a JDK 25 ---
FROM eclipse-temurin:25-jdk AS build
WORKDIR /build
# Dependencies first, in a layer of their own: it is rebuilt only when the pom changes, not the sources.
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/ src/
# The gateway is the -exec jar (the plain one is the library a game depends on: HELP.md, "Packaging").
RUN ./mvnw -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/servercore-*-exec.jar extract --layers --launcher --destination /layers

# --- run: a JRE 25, the layered jar extracted (fast start, image layers that change rarely come first) ---
FROM eclipse-temurin:25-jre
RUN groupadd --system servercore && useradd --system --gid servercore --no-create-home servercore
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# The gateway's configuration, where Boot looks first (the working directory): not inside the jar, which is the
# library's too.
COPY application.yml ./
USER servercore

# The game port, the server's actuator, the dummy client's actuator.
EXPOSE 7777 8080 8081

# The JVM sizes itself from the container's memory limit: the heap may take 75% of it (the default is 25%).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"

# The JRE image has neither curl nor wget: bash's /dev/tcp asks the actuator, and only a 200 is healthy
# (the health endpoint answers 503 when the game port is not bound). The actuator's port: MANAGEMENT_SERVER_PORT
# where compose sets it (8081 for the dummy client), else the gateway's 8080.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT:-8080} && printf 'GET /actuator/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# SIGTERM (docker stop) closes every session and exits 0.
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
