#!/usr/bin/env bash
# JMH microbenchmarks of the engine's hot path (src/test/java/dev/servercore/core/*Benchmark.java).
#   bench/jmh.sh                      all of them
#   bench/jmh.sh EchoPathBenchmark    one; any further arguments go to JMH
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${BENCH_JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1 || true)}
JAVA=${JAVA:-java}
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh-classpath.txt -Dmdep.includeScope=test
"$JAVA" -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" org.openjdk.jmh.Main "${@:-Benchmark}"
