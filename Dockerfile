# Riffle as an image: `docker compose up` builds it from this repository (see README "Docker compose").
# Stage 1 builds the shaded jar with Maven; stage 2 is a plain JRE with only that jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# the dependencies first, so that a source change does not download them again
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
RUN mvn -B -ntp -q -DskipTests package

FROM eclipse-temurin:17-jre
# compose's health probes run curl inside the container; the base image installs it (adoptium/containers#255):
# fail the build here rather than mark every container unhealthy if a base image ever drops it
RUN curl --version >/dev/null && useradd --system --home-dir /var/lib/riffle --create-home riffle
COPY --from=build /src/target/riffle.jar /opt/riffle/riffle.jar
USER riffle
WORKDIR /var/lib/riffle
# inside a container the bridge must listen on every interface to be reachable through published ports;
# RIFFLE_JAVA_OPTS: JVM options, as scripts/riffle reads them (the heap: 66 % of the container's memory limit)
ENV RIFFLE_BIND=0.0.0.0 \
    RIFFLE_DATA_DIR=/var/lib/riffle/data \
    RIFFLE_JAVA_OPTS=-XX:MaxRAMPercentage=66
EXPOSE 5555/tcp 5555/udp 8125/udp 5556/tcp
# a shell, so that RIFFLE_JAVA_OPTS (set here, in compose or with docker run -e) reaches the JVM; exec, so that the
# JVM is PID 1's replacement and gets docker stop's SIGTERM
ENTRYPOINT ["/bin/sh", "-c", "exec java -XX:+ExitOnOutOfMemoryError $RIFFLE_JAVA_OPTS -jar /opt/riffle/riffle.jar \"$@\"", "riffle"]
CMD ["run"]
