# The Slotwise operator image: `docker build -t REGISTRY/slotwise:0.1.0 .` from the repository root.
# The image runs the slotwise command; its default command is `operator` (the Helm chart passes
# `operator --namespaces ...` as the container's args).

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
# Module poms first, so the dependency download is a cached layer while only sources change.
COPY pom.xml ./
COPY slotwise-engine/pom.xml slotwise-engine/
COPY slotwise-api/pom.xml slotwise-api/
COPY slotwise-operator/pom.xml slotwise-operator/
COPY slotwise-cli/pom.xml slotwise-cli/
COPY slotwise-bench/pom.xml slotwise-bench/
COPY slotwise-engine/src slotwise-engine/src
COPY slotwise-api/src slotwise-api/src
COPY slotwise-operator/src slotwise-operator/src
COPY slotwise-cli/src slotwise-cli/src
RUN mvn -B -q -DskipTests -Dspotless.check.skip=true -pl slotwise-cli -am package \
 && cp slotwise-cli/target/slotwise.jar /slotwise.jar

FROM eclipse-temurin:17-jre
# A fixed numeric uid, so that runAsNonRoot can verify it (the chart runs as 10001).
RUN groupadd --system --gid 10001 slotwise \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin slotwise
COPY --from=build /slotwise.jar /opt/slotwise/slotwise.jar
# Class data sharing: record the classes that starting the operator loads (JDK 17 dynamic AppCDS)
# once at build time; every start maps them instead of parsing them again (less CPU at start,
# class metadata shared read-only). The same flags at record and at run time.
RUN java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:-UsePerfData \
      -XX:ArchiveClassesAtExit=/opt/slotwise/slotwise.jsa \
      -jar /opt/slotwise/slotwise.jar operator --help >/dev/null 2>&1 || true; \
    test -s /opt/slotwise/slotwise.jsa || rm -f /opt/slotwise/slotwise.jsa
USER 10001:10001
WORKDIR /tmp
# Small footprint for a mostly idle, I/O-bound process:
#  serial collector (no GC threads, least overhead per MB of heap);
#  C1 only (no C2 compiler threads and code cache; the operator waits on the API server and Redis,
#    it does not run hot loops);
#  256 KiB thread stacks; heap at most 70% of the container's memory limit;
#  no hsperfdata file (the root filesystem is read-only);
#  the CDS archive when the build could record one (-Xshare:auto ignores a missing one).
# JAVA_TOOL_OPTIONS adds or overrides flags at run time.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-XX:MaxRAMPercentage=70", "-XX:-UsePerfData", "-XX:SharedArchiveFile=/opt/slotwise/slotwise.jsa", "-Xshare:auto", "-jar", "/opt/slotwise/slotwise.jar"]
CMD ["operator"]
