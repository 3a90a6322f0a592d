# Build stage: the README's build command.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY conf ./conf
COPY cluster.xml ./
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run stage: a JRE, a non-root user, the jar and its config.
FROM eclipse-temurin:17-jre
RUN groupadd --system parley && useradd --system --gid parley --home-dir /app parley \
    && mkdir -p /app/data /app/uploads && chown -R parley:parley /app
WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar
COPY conf /app/conf
COPY cluster.xml /app/cluster.xml
USER parley
ENV NODE_ENV=production PORT=3000 PARLEY_DATA_DIR=/app/data UPLOAD_DIR=/app/uploads
EXPOSE 3000 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/health/live || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/parley.jar"]
