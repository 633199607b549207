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
RUN useradd --system --home-dir /var/lib/riffle --create-home riffle
COPY --from=build /src/target/riffle.jar /opt/riffle/riffle.jar
USER riffle
WORKDIR /var/lib/riffle
# inside a container the bridge must listen on every interface to be reachable through published ports
ENV RIFFLE_BIND=0.0.0.0 \
    RIFFLE_DATA_DIR=/var/lib/riffle/data
EXPOSE 5555/tcp 5555/udp 8125/udp 5556/tcp
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=50", "-jar", "/opt/riffle/riffle.jar"]
CMD ["run"]
