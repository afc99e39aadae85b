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
# Small footprint for a long-running, mostly idle process (docs/benchmarks.md, "Operator
# footprint"; the same flags as `./slotwise operator`, except the heap size):
#  serial collector (no GC threads, least overhead per MB of heap); heap at most 25% of the
#    container's memory limit: 64 MiB under the chart's 256Mi, which holds 20 RedisClusters with
#    half of it free;
#  C1 only, one compiler thread, code cache capped (the operator waits on the API server and
#    Redis, it runs no hot loops);
#  256 KiB thread stacks; metaspace capped; two malloc arenas instead of one per thread;
#  reflection without generated accessor classes (Jackson would make hundreds);
#  Lettuce's JFR events off; no hsperfdata file (the root filesystem is read-only);
#  the CDS archive when the build could record one (-Xshare:auto ignores a missing one).
# JAVA_TOOL_OPTIONS adds flags at run time (the flags below win over it where both set one).
ENV MALLOC_ARENA_MAX=2
# Class data sharing: record the classes that starting the operator loads (JDK 17 dynamic AppCDS)
# once at build time, by starting it against an API server that is not there (it loads the
# Kubernetes client, the informers and Jackson, then fails); every start maps them instead of
# parsing them again (less CPU at start, class metadata shared read-only). The same flags at
# record and at run time.
RUN printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: none\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: none\n  context:\n    cluster: none\ncurrent-context: none\n' >/tmp/kubeconfig \
 && KUBECONFIG=/tmp/kubeconfig timeout 300 java -XX:+UseSerialGC -XX:MaxRAMPercentage=25 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 \
      -Xss256k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m -XX:-UsePerfData \
      -Dsun.reflect.inflationThreshold=2147483647 -Dio.lettuce.core.jfr=false \
      -XX:ArchiveClassesAtExit=/opt/slotwise/slotwise.jsa \
      -jar /opt/slotwise/slotwise.jar operator --no-leader-election --http-port 0 >/dev/null 2>&1 || true; \
    rm -f /tmp/kubeconfig; \
    test -s /opt/slotwise/slotwise.jsa || rm -f /opt/slotwise/slotwise.jsa
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=25", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss256k", "-XX:ReservedCodeCacheSize=32m", "-XX:MaxMetaspaceSize=96m", "-XX:-UsePerfData", "-Dsun.reflect.inflationThreshold=2147483647", "-Dio.lettuce.core.jfr=false", "-XX:SharedArchiveFile=/opt/slotwise/slotwise.jsa", "-Xshare:auto", "-jar", "/opt/slotwise/slotwise.jar"]
CMD ["operator"]
