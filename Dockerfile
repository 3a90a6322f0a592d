# Parley node image. Build: docker build -t parley .   Run: see docker-compose.yml.

# --- build: the README's build command, with the dependencies cached in their own layer --------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY cluster.xml ./
COPY conf ./conf
COPY src ./src
RUN mvn -B -q package -DskipTests

# --- run: a JRE only, as an unprivileged user ---------------------------------------------------
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system parley \
 && useradd --system --gid parley --home-dir /app --shell /usr/sbin/nologin parley \
 && mkdir -p /app/data /app/uploads \
 && chown -R parley:parley /app
WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar
COPY --from=build /src/conf/parley.yaml /app/conf/parley.yaml
COPY --from=build /src/cluster.xml /app/cluster.xml
USER parley

ENV NODE_ENV=production \
    PORT=3000 \
    PARLEY_DATA_DIR=/app/data \
    UPLOAD_DIR=/app/uploads \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -XX:G1ConcRefinementServiceIntervalMillis=5000 -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=5000 -XX:-DontCompileHugeMethods -XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000 -XX:FreqInlineSize=100"
EXPOSE 3000 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:${PORT}/health/live || exit 1
# exec: java is PID 1 and gets SIGTERM directly (graceful shutdown)
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/parley.jar"]
