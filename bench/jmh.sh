#!/bin/bash
# jmh.sh [JMH ARGS] — runs the JMH microbenchmarks of the control-line codecs (src/test/java/io/ftpgate/bench/
# CodecBenchmark.java). `mvn verify` compiles them but never runs them. Extra arguments go to JMH, e.g.
#   bench/jmh.sh -f 1 -wi 2 -i 3 'CodecBenchmark.scan.*'      bench/jmh.sh -rf json -rff /tmp/jmh.json
# BUILD_DIR (default: the project) is where Maven builds, so a private copy can be measured.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "${BUILD_DIR:-$root}"
mvn -B -q -o test-compile 2>&1 | sed 's/\x1b\[0m//g' >&2 || mvn -B -q test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath \
    2>&1 | sed 's/\x1b\[0m//g' >&2
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main "$@"
