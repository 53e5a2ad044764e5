#!/bin/bash
# load.sh MODE [--option value]... — runs the load tool (src/test/java/io/ftpgate/bench/LoadTool.java):
#   bench/load.sh idle --sessions 10000            10,000 idle sessions: RSS, NOOP on each, fd leaks
#   bench/load.sh transfers --count 1000           1,000 concurrent mixed transfers: sha256, pinhole/fd leaks
#   bench/load.sh setup --count 2000               setup latency PASV->first byte, direct vs through ftpgate
#   bench/load.sh small --target gw=HOST:PORT ...  small-file rate and setup latency against real servers
# idle/transfers/setup start a fake upstream FTP server and ftpgate (--jar, default target/ftpgate.jar, with
# --jvm "OPTIONS") on 127.0.0.1. BUILD_DIR (default: the project) is where Maven builds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "${BUILD_DIR:-$root}"
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ ! -f target/ftpgate.jar ]; then mvn -B -q -o -DskipTests package 2>&1 | sed 's/\x1b\[0m//g' >&2; fi
mvn -B -q -o test-compile 2>&1 | sed 's/\x1b\[0m//g' >&2
[ -s target/bench.classpath ] || mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath 2>&1 | sed 's/\x1b\[0m//g' >&2
exec java -Xss256k -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.ftpgate.bench.LoadTool "$@"
