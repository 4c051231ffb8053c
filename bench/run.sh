#!/usr/bin/env bash
# ServerCore beside a reference Netty 4.2 server and, in the echo scenarios, a minimal C epoll echo server (the
# floor: bench/cgen/echo_floor.c), under the same load generator, in one run, on this machine.
#
#   bench/run.sh                 3 runs of every scenario on both servers, then the table of ratios (medians)
#   RUNS=1 bench/run.sh          one run
#   bench/run.sh generator-check how hard each client drives the reference server (is the generator the limit?)
#   bench/run.sh move            rooms: 10 rooms x 100 sessions moving 10/s, the tick's batching on and off
#   bench/run.sh cluster         rooms across two gateway nodes on Redis, beside one node (bench/cluster.sh)
#   bench/run.sh move-floor      the same batched load's system calls alone, from a C program: the kernel's floor
#   bench/run.sh attack          one hostile client beside honest ones, against the gateway's defaults
#   bench/run.sh profile         the wakeup path at PROFILE_SHAPE (1000x1): per echo, each server's system calls and
#                                context switches (perf stat), CPU by thread, and the JVMs' hot methods (JFR)
#   BEFORE_JAR=old-exec.jar bench/run.sh ab   a change's before and after: the echo scenarios on both jars, in turn
#                                in each run, server CPU per echo and echoes/s side by side
#   bench/run.sh resume          resume (PROTOCOL.md v3): the cost of numbering with nothing dropped, then chat under
#                                a dummy client that resets connections and resumes them
#
# Settings (environment): RUNS (3), WARMUP (5s), DURATION (10s), BENCH_JAVA (a JDK 25 if there is one),
# SERVER_JAVA_OPTS (JVM options of both servers, default none), SCENARIOS ("echo100 echo1000 chat idle max"),
# PIN (1: the server on the last core, the generator on the others, with taskset; 0: both share every core),
# ECHO_GENERATOR (c: bench/cgen/echo_gen.c, built with gcc, for the echo scenarios; java: the Netty one).
# Needs a JDK 17+ (the Maven wrapper fetches Maven) and, for the C generator, gcc; both servers and the Java
# generator run on BENCH_JAVA.
#
# Why pinned, and why a C generator: the generator must take less CPU per operation than the server it drives,
# or every ratio is squeezed toward 1 (both saturate, and the slower of the two sets the pace for both
# servers). The Netty generator takes about as much CPU per echo as the servers do; the C one takes less, and
# on a core of its own it keeps the server's core saturated. Server CPU per operation, read over the measured
# window only, leads the table: noise moves it least.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-5s}
DURATION=${DURATION:-10s}
SCENARIOS=${SCENARIOS:-"echo100 echo1000 chat idle max"}
if [ -z "${BENCH_JAVA:-}" ]; then
  BENCH_JAVA=$(ls -d /usr/lib/jvm/temurin-25*/bin/java /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1 || true)
  BENCH_JAVA=${BENCH_JAVA:-java}
fi
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
PIN=${PIN:-1}
ECHO_GENERATOR=${ECHO_GENERATOR:-c}
SERVER_PIN=""
GENERATOR_PIN=""
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  last=$(($(nproc) - 1))
  SERVER_PIN="taskset -c $last"
  GENERATOR_PIN="taskset -c 0-$((last - 1))"
fi
GENERATOR_OPTS="-Xms1g -Xmx2g"
OUT=${OUT:-$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

log() { echo "[bench] $*" >&2; }

log "java: $("$BENCH_JAVA" -version 2>&1 | head -1); cores: $(nproc); open files: $(ulimit -n)"
log "building the server jar and the bench jar"
./mvnw -B -q -DskipTests package
./mvnw -B -q -f bench/pom.xml package
SERVER_JAR=$(ls target/servercore-*-exec.jar | head -1)
BENCH_JAR=bench/target/servercore-bench.jar
ECHO_GEN=bench/target/echo_gen
ECHO_FLOOR=""
if command -v gcc >/dev/null; then
  ECHO_FLOOR=bench/target/echo_floor
  gcc -O2 -Wall -o "$ECHO_FLOOR" bench/cgen/echo_floor.c
else
  log "no gcc: the echo tables have no C floor"
fi
if [ "$ECHO_GENERATOR" = c ]; then
  if command -v gcc >/dev/null; then
    gcc -O2 -Wall -o "$ECHO_GEN" bench/cgen/echo_gen.c
  else
    log "no gcc: the echo scenarios use the Java generator"; ECHO_GENERATOR=java
  fi
fi
log "pinning: server '${SERVER_PIN:-none}', generator '${GENERATOR_PIN:-none}'; echo generator: $ECHO_GENERATOR"

SERVER_PID=""
SERVER_PORT=""

# Starts one server ("servercore" or "reference") and sets SERVER_PID and SERVER_PORT.
start_server() {
  local target=$1 logfile=$2
  case $target in
    servercore|before)
      local jar=$SERVER_JAR
      [ "$target" = before ] && jar=$BEFORE_JAR
      # The engine measured without an idle timeout (the reference has none; idle sessions are held for a while),
      # and with the demo's chat budget raised: the chat load's 50 chats a second per sender are a machine's, not
      # the person's the demo allows by default (5 a second), and the reference has no budget.
      $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -jar "$jar" --servercore.listener.port=0 \
        --servercore.listener.bind-address=127.0.0.1 --management.server.port=0 --servercore.listener.idle-timeout=0 \
        --servercore.demo.chat-per-second=100000 --servercore.demo.chat-burst=100000 \
        --logging.level.dev.servercore.server=warn > "$logfile" 2>&1 &
      SERVER_PID=$!
      wait_for "$logfile" 'Listening on 127.0.0.1:[0-9]+'
      SERVER_PORT=$(grep -oE 'Listening on 127.0.0.1:[0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
      ;;
    reference)
      $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -cp "$BENCH_JAR" dev.servercore.bench.ReferenceServer --port 0 \
        > "$logfile" 2>&1 &
      SERVER_PID=$!
      wait_for "$logfile" '^LISTENING [0-9]+'
      SERVER_PORT=$(grep -oE '^LISTENING [0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
      ;;
    floor)
      # bench/cgen/echo_floor.c: the least a correct echo server must do on this kernel (echo scenarios only)
      $SERVER_PIN "$ECHO_FLOOR" --port 0 > "$logfile" 2>&1 &
      SERVER_PID=$!
      wait_for "$logfile" '^LISTENING [0-9]+'
      SERVER_PORT=$(grep -oE '^LISTENING [0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
      ;;
  esac
  sleep 2 # let the JVM settle (JIT of startup code, lazy class loading) before anything is measured
}

wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 1 600); do
    if grep -qE "$pattern" "$file" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then log "server died:"; cat "$file" >&2; exit 1; fi
    sleep 0.1
  done
  log "timed out waiting for /$pattern/ in $file"; exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# A full GC on a server JVM (both are JVMs), so that RSS shows what is live rather than garbage.
full_gc() { "$(dirname "$BENCH_JAVA")/jcmd" "$1" GC.run > /dev/null 2>&1 || true; sleep 2; }

generator() {
  $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -cp "$BENCH_JAR" dev.servercore.bench.LoadGenerator "$@" --port "$SERVER_PORT" \
    --server-pid "$SERVER_PID"
}

echo_generator() {
  if [ "$ECHO_GENERATOR" = c ]; then
    $GENERATOR_PIN "$ECHO_GEN" "$@" --warmup "${WARMUP%s}" --duration "${DURATION%s}" --port "$SERVER_PORT" \
      --server-pid "$SERVER_PID"
  else
    generator echo "$@" --warmup "$WARMUP" --duration "$DURATION"
  fi
}

# One scenario against a fresh server; the RESULT line (and, for idle, the RSS figures) into $3.
run_scenario() {
  local target=$1 scenario=$2 result=$3
  start_server "$target" "${result%.txt}.server.log"
  case $scenario in
    echo100)  echo_generator --sessions 100 --inflight 8 --body 32 > "$result" ;;
    echo1000) echo_generator --sessions 1000 --inflight 1 --body 32 > "$result" ;;
    chat)     generator chat --sessions 200 --senders 20 --rate 50 --warmup "$WARMUP" --duration "$DURATION" > "$result" ;;
    idle)
      local before held before_gc held_gc
      before=$(rss_kib "$SERVER_PID")
      full_gc "$SERVER_PID"
      before_gc=$(rss_kib "$SERVER_PID")
      generator hold --sessions 10000 --hold 20s > "$result" &
      local gen=$!
      while ! grep -q '^HELD' "$result" 2>/dev/null; do sleep 0.2; done
      sleep 8 # the sessions sit idle; the server's memory settles
      held=$(rss_kib "$SERVER_PID")
      full_gc "$SERVER_PID"
      held_gc=$(rss_kib "$SERVER_PID")
      wait $gen
      echo "RSS before_kib=$before held_kib=$held per_session_kib=$(awk -v b="$before" -v h="$held" 'BEGIN{printf "%.2f", (h-b)/10000}')" \
        "before_gc_kib=$before_gc held_gc_kib=$held_gc per_session_after_gc_kib=$(awk -v b="$before_gc" -v h="$held_gc" 'BEGIN{printf "%.2f", (h-b)/10000}')" >> "$result"
      ;;
    max)      generator hold --sessions 19000 --hold 5s --connect-pending 512 > "$result" ;;
  esac
  stop_server
  log "$target $scenario: $(grep -h '^RESULT\|^RSS' "$result" | tr '\n' ' ' | cut -c1-300)"
}

if [ "${1:-}" = generator-check ]; then
  # The same echo load on the reference server from: the C generator, the Netty generator with 2 and 1 event
  # loops, and ServerCore's own dummy client (which runs on the engine under test). Each line gives the
  # server's and the generator's CPU over the window.
  start_server reference "$OUT/check.server.log"
  if [ "$ECHO_GENERATOR" = c ]; then
    echo_generator --sessions 100 --inflight 8 --body 32 | tee "$OUT/check-c-generator.txt"
  fi
  for threads in 2 1; do
    generator echo --sessions 100 --inflight 8 --body 32 --threads $threads --warmup "$WARMUP" --duration "$DURATION" \
      | tee "$OUT/check-generator-$threads.txt"
  done
  "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient --management.server.port=0 \
    --servercore.connector.port="$SERVER_PORT" --servercore.dummyclient.sessions=100 --servercore.dummyclient.window=8 \
    --servercore.dummyclient.warmup="$WARMUP" --servercore.dummyclient.duration="$DURATION" 2>&1 \
    | grep 'Dummy client summary' | tee "$OUT/check-dummyclient.txt"
  stop_server
  exit 0
fi

if [ "${1:-}" = move-floor ]; then
  # What the kernel alone charges the server for the batched move load (loopback TCP runs the receiver's side of
  # each segment in the sender's system call): bench/cgen/move_floor.c, pinned like the servers, 1000 sessions,
  # 20 ticks/s, one 603 B write per member per tick (an S_Moves of 50 entries), 10 moves/s of 12 B per session.
  # CPU/entry = its CPU / the 1M entries/s the batched run delivers; with WRITES_ONLY=1 no moves are sent.
  gcc -O2 -Wall -o bench/target/move_floor bench/cgen/move_floor.c
  rate=$([ "${WRITES_ONLY:-0}" = 1 ] && echo 0 || echo 10)
  for run in $(seq 1 "$RUNS"); do
    port=$((20000 + RANDOM % 20000))
    $SERVER_PIN bench/target/move_floor server $port 1000 20 603 "${WARMUP%s}" "${DURATION%s}" > "$OUT/move-floor-$run.txt" &
    floor=$!
    sleep 0.5
    $GENERATOR_PIN bench/target/move_floor client $port 1000 "$rate" 12 $(( ${WARMUP%s} + ${DURATION%s} + 2 )) &
    gen=$!
    wait $floor; kill $gen 2>/dev/null || true; wait $gen 2>/dev/null || true
    awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "floor run %s: writes/s %s reads/s %s epoll_waits/s %s CPU %.3f core (sys %.3f) = %.3f us per entry\n", \
        run, v["writes_per_s"], v["reads_per_s"], v["epoll_waits_per_s"], v["cpu_core"], v["cpu_sys"], v["cpu_core"] }' \
      run="$run" "$OUT/move-floor-$run.txt" | tee -a "$OUT/move-floor.txt"
  done
  exit 0
fi

if [ "${1:-}" = move ]; then
  # Rooms (issue 9): 10 rooms x 100 sessions of the dummy client, each moving 10 times a second, against the
  # demo server with the tick's batching on, then off (each move broadcast at once). Per run and mode: entries
  # delivered per second (the dummy client's count), frames and bytes the server wrote per second and its CPU
  # per delivered entry (both read over the measured window), move-to-seen p50/p99, and the run's verdict.
  SESSIONS=${SESSIONS:-1000}
  ROOMS=${ROOMS:-10}
  MOVE_RATE=${MOVE_RATE:-10}
  metric() { # name -> value of the listener's meter, from the server's actuator
    curl -s "localhost:$MGMT_PORT/actuator/metrics/$1?tag=endpoint:listener" | grep -oE '"value":[0-9.E+-]+' | head -1 | cut -d: -f2
  }
  printf '%-9s %-4s %12s %12s %12s %8s %16s %10s %10s %s\n' mode run entries/s frames/s writes/s MB/s "CPU/entry (us)" "p50 (us)" "p99 (us)" result \
    | tee "$OUT/move.txt"
  for run in $(seq 1 "$RUNS"); do
    for batching in true false; do
      log="$OUT/move-$batching-$run.server.log"
      $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" --servercore.listener.port=0 \
        --servercore.listener.bind-address=127.0.0.1 --management.server.port=0 --servercore.listener.idle-timeout=0 \
        --servercore.rooms.batching=$batching --logging.level.dev.servercore.server=warn > "$log" 2>&1 &
      SERVER_PID=$!
      wait_for "$log" 'Listening on 127.0.0.1:[0-9]+'
      SERVER_PORT=$(grep -oE 'Listening on 127.0.0.1:[0-9]+' "$log" | head -1 | grep -oE '[0-9]+$')
      MGMT_PORT=$(grep -oE 'Tomcat started on port [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
      sleep 2
      $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient --management.server.port=0 \
        --servercore.connector.port="$SERVER_PORT" --servercore.dummyclient.scenario=move \
        --servercore.dummyclient.sessions="$SESSIONS" --servercore.dummyclient.rooms="$ROOMS" \
        --servercore.dummyclient.move-rate="$MOVE_RATE" --servercore.dummyclient.warmup="$WARMUP" \
        --servercore.dummyclient.duration="$DURATION" > "$OUT/move-$batching-$run.client.log" 2>&1 &
      client=$!
      while ! grep -q 'joined a room\|Dummy client summary' "$OUT/move-$batching-$run.client.log" 2>/dev/null \
          && [ "$(curl -s "localhost:$MGMT_PORT/actuator/metrics/servercore.rooms.members" | grep -oE '"value":[0-9.]+' | cut -d: -f2)" != "$SESSIONS.0" ]; do
        sleep 0.2
      done
      sleep "${WARMUP%s}"
      cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"); frames0=$(metric servercore.packets.sent); bytes0=$(metric servercore.bytes.sent); writes0=$(metric servercore.writes)
      t0=$(date +%s.%N)
      sleep "${DURATION%s}"
      cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"); frames1=$(metric servercore.packets.sent); bytes1=$(metric servercore.bytes.sent); writes1=$(metric servercore.writes)
      t1=$(date +%s.%N)
      wait $client || true
      summary=$(grep -h 'Dummy client summary' "$OUT/move-$batching-$run.client.log" | sed 's/.*Dummy client summary: //')
      stop_server
      value() { echo "$summary" | grep -oE "(^| )$1=[^ ]+" | cut -d= -f2; }
      awk -v mode="$([ $batching = true ] && echo batched || echo unbatched)" -v run="$run" -v e="$(value entries_per_s)" \
        -v w0="$writes0" -v w1="$writes1" -v f0="$frames0" -v f1="$frames1" -v b0="$bytes0" -v b1="$bytes1" -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" \
        -v hz="$(getconf CLK_TCK)" -v p50="$(value move_to_seen_p50_us)" -v p99="$(value move_to_seen_p99_us)" -v r="$(value result)" \
        'BEGIN { s = t1 - t0; printf "%-9s %-4s %12.0f %12.0f %12.0f %8.2f %16.3f %10s %10s %s\n", mode, run, e, (f1 - f0) / s, (w1 - w0) / s, (b1 - b0) / s / 1e6, \
          ((c1 - c0) / hz) * 1e6 / (e * s), p50, p99, r }' | tee -a "$OUT/move.txt"
    done
  done
  exit 0
fi

if [ "${1:-}" = attack ]; then
  # One hostile client beside honest ones (issue 15), against a gateway with its DEFAULT settings (only its ports
  # are set): 200 honest members in the lobby chatting every 2 s, an echo prober and a join prober, beside one
  # attacker from 127.0.0.2 (another address to the gateway's per-address rules). Per attack: server CPU, the
  # honest echo p99 and join p99, honest sessions closed, honest chats lost, rooms, heap and RSS, what the attacker
  # got. ATTACKS ("none chat-flood join-flood churn tls-none tls-flood": tls-none is the TLS baseline, the honest side
  # on TLS as in tls-flood), ATTACK_DURATION (20s).
  ATTACKS=${ATTACKS:-"none chat-flood join-flood churn tls-none tls-flood"}
  ATTACK_DURATION=${ATTACK_DURATION:-20s}
  keystore=bench/target/attack.p12
  rm -f "$keystore"
  keytool -genkeypair -alias gateway -keyalg EC -groupname secp256r1 -dname CN=localhost -validity 2 \
    -storetype PKCS12 -keystore "$keystore" -storepass benchpass -keypass benchpass > /dev/null 2>&1
  printf '%-11s %-4s %9s %8s %10s %10s %10s %9s %10s %8s %9s %9s %8s %s\n' attack run "CPU (core)" closed "echo p99" \
    "echo max" "join p99" "join max" "chats lost" rooms "heap MB" "heap+ MB" "RSS MB" "attacker" | tee "$OUT/attack.txt"
  for run in $(seq 1 "$RUNS"); do
    for attack in $ATTACKS; do
      log="$OUT/attack-$attack-$run.server.log"
      tls_args=() gen_tls=()
      if [ "$attack" = tls-flood ] || [ "$attack" = tls-none ]; then
        tls_args=(--servercore.listener.tls.enabled=true --servercore.listener.tls.key-store="file:$ROOT/$keystore"
          --servercore.listener.tls.key-store-password=benchpass)
        gen_tls=(--tls)
      fi
      $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" --servercore.listener.port=0 \
        --servercore.listener.bind-address=127.0.0.1 --management.server.port=0 "${tls_args[@]}" > "$log" 2>&1 &
      SERVER_PID=$!
      wait_for "$log" 'Listening on 127.0.0.1:[0-9]+'
      SERVER_PORT=$(grep -oE 'Listening on 127.0.0.1:[0-9]+' "$log" | head -1 | grep -oE '[0-9]+$')
      MGMT_PORT=$(grep -oE 'Tomcat started on port [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
      sleep 2
      generator attack --attack "$attack" --members 200 --attackers 8 --mgmt-port "$MGMT_PORT" "${gen_tls[@]}" \
        --warmup "$WARMUP" --duration "$ATTACK_DURATION" > "$OUT/attack-$attack-$run.txt" 2> "$OUT/attack-$attack-$run.gen.log"
      stop_server
      awk -v run="$run" '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%-11s %-4s %9.3f %8s %10s %10s %10s %9s %10d %8s %9.0f %9.0f %8.0f connects=%s refused=%s kicks=%s MB=%s\n", \
          v["attack"], run, v["server_cpu_s"] / v["window_s"], v["honest_closed"], v["echo_p99_us"] " us", \
          v["echo_max_us"] " us", v["join_p99_ms"] " ms", v["join_max_ms"] " ms", \
          v["honest_chats_expected"] - v["honest_chats_received"], v["rooms_max"], v["heap_mb_max"], \
          v["heap_mb_max"] - v["heap_mb_start"], v["rss_mb"], v["attacker_connects"], v["attacker_refused"], \
          v["attacker_kicks"], v["attacker_mb"] }' "$OUT/attack-$attack-$run.txt" | tee -a "$OUT/attack.txt"
    done
  done
  log "targets (defaults): chat-flood closes 0 honest members with echo p99 < 50 ms; join-flood keeps rooms under the"
  log "cap, heap+ < 100 MB and join p99 < 250 ms; churn keeps echo p99 within 2x none (tls-flood: of tls-none);"
  log "see $OUT/attack.txt"
  exit 0
fi

if [ "${1:-}" = ab ]; then
  # A change measured against the jar before it (BEFORE_JAR), the two alternating in each run on the same load.
  [ -f "${BEFORE_JAR:-}" ] || { log "BEFORE_JAR must name the exec jar from before the change"; exit 1; }
  printf '%-9s %-4s %16s %16s %8s %14s %14s\n' shape run "before CPU/echo" "after CPU/echo" after/b "before echo/s" \
    "after echo/s" | tee "$OUT/ab.txt"
  for run in $(seq 1 "$RUNS"); do
    for shape in ${AB_SHAPES:-echo1000 echo100}; do
      for target in before servercore; do
        mkdir -p "$OUT/run$run/$target"
        run_scenario "$target" "$shape" "$OUT/run$run/$target/$shape.txt"
      done
      fig() { awk -v k="$2" '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (k == "cpu") printf "%.4f", v["server_cpu_s"] * 1e6 / v["echoes"]; else print v["echoes_per_s"] }' "$1"; }
      b="$OUT/run$run/before/$shape.txt" a="$OUT/run$run/servercore/$shape.txt"
      awk -v s="$shape" -v r="$run" -v bc="$(fig "$b" cpu)" -v ac="$(fig "$a" cpu)" -v be="$(fig "$b" rate)" \
        -v ae="$(fig "$a" rate)" 'BEGIN { printf "%-9s %-4s %16.3f %16.3f %8.3f %14.0f %14.0f\n", s, r, bc, ac, ac / bc, be, ae }' \
        | tee -a "$OUT/ab.txt"
    done
  done
  exit 0
fi

if [ "${1:-}" = profile ]; then
  # Issue 19: where each server's CPU per echo goes at 1000 sessions x 1 in flight (PROFILE_SHAPE "1000 1").
  # Over the generator's measured window (DURATION, from its "measuring" line): perf stat counts the server's system
  # calls and context switches, /proc gives each thread's CPU, and a JFR recording (JVMs) samples every thread; all
  # of it per echo, over the echoes of that window.
  read -r p_sessions p_inflight <<< "${PROFILE_SHAPE:-1000 1}"
  d=${DURATION%s}
  events=context-switches,cpu-migrations
  for call in epoll_wait epoll_pwait epoll_pwait2 read write recvfrom sendto readv writev epoll_ctl futex clock_gettime sched_yield; do
    [ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$call" ] && events="$events,syscalls:sys_enter_$call"
  done
  thread_cpu() { # pid -> "name ticks" per thread
    for t in /proc/"$1"/task/*; do
      echo "$(tr ' ' '_' < "$t/comm") $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
    done | awk '{ticks[$1] += $2} END {for (n in ticks) print n, ticks[n]}' | sort
  }
  for run in $(seq 1 "$RUNS"); do
    for target in servercore reference floor; do
      [ "$target" = floor ] && [ -z "$ECHO_FLOOR" ] && continue
      base="$OUT/profile-$target-$run"
      start_server "$target" "$base.server.log"
      $GENERATOR_PIN "$ECHO_GEN" --sessions "$p_sessions" --inflight "$p_inflight" --body 32 --warmup "${WARMUP%s}" \
        --duration "$d" --port "$SERVER_PORT" --server-pid "$SERVER_PID" > "$base.gen.txt" 2> "$base.gen.log" &
      gen=$!
      while ! grep -q 'measuring' "$base.gen.log" 2>/dev/null; do sleep 0.02; done
      perf stat -x, -e "$events" -p "$SERVER_PID" -- sleep "$d" 2> "$base.perf.csv" &
      perf=$!
      thread_cpu "$SERVER_PID" > "$base.threads0"
      if [ "$target" != floor ] && [ "${JFR:-1}" = 1 ]; then
        "$(dirname "$BENCH_JAVA")/jcmd" "$SERVER_PID" JFR.start name=profile settings=profile duration="${d}s" \
          filename="$base.jfr" > /dev/null 2>&1 || true
      fi
      wait $perf || true
      thread_cpu "$SERVER_PID" > "$base.threads1"
      wait $gen || true
      sleep 1
      stop_server
      rate=$(grep -oE 'echoes_per_s=[0-9.]+' "$base.gen.txt" | cut -d= -f2)
      echoes=$(grep -oE ' echoes=[0-9]+' "$base.gen.txt" | cut -d= -f2)
      {
        echo "== $target run $run: $rate echoes/s ($(grep -oE 'rtt_p99_us=[0-9]+|mismatches=[0-9]+' "$base.gen.txt" | tr '\n' ' '))"
        awk -F, -v n="$echoes" '$1 ~ /^[0-9]+$/ { printf "  %-36s %12d  %8.3f per echo\n", $3, $1, $1 / n }' "$base.perf.csv"
        join "$base.threads0" "$base.threads1" | awk -v n="$echoes" -v hz="$(getconf CLK_TCK)" \
          '{ us = ($3 - $2) / hz * 1e6 / n; if ($3 > $2) printf "  thread %-28s %8.3f us per echo\n", $1, us }' | sort -k3 -rn
        if [ -f "$base.jfr" ]; then
          "$(dirname "$BENCH_JAVA")/jfr" view --width 160 hot-methods "$base.jfr" 2>/dev/null | head -30 | sed 's/^/  /'
        fi
      } | tee -a "$OUT/profile.txt"
    done
  done
  exit 0
fi

if [ "${1:-}" = resume ]; then
  # Issue 17. (1) What numbering costs when nothing drops: one server, its clients resumable or not, side by side in
  # each run: echo 100x8 and 1000x1 (the C generator, --resume 1: C_ResumeEnable, C_Ack every 256 replies) and the
  # chat load (the Java generator, --resume 1); server CPU per operation over the measured window, on over off.
  # (2) Drops: CHAOS_SESSIONS (200) dummy-client sessions chatting, resumable, CHAOS_DROP_RATE (20) connections reset
  # a second across the fleet for CHAOS_DURATION (60s): lost, duplicated, out of order, interruption p50/p99/max.
  parts=" ${RESUME_PARTS:-cost chaos} "
  if [[ $parts == *" cost "* ]]; then
  printf '%-8s %-4s %14s %14s %8s %s\n' shape run "off CPU/op us" "on CPU/op us" "on/off" "checks (on)" | tee "$OUT/resume-cost.txt"
  for run in $(seq 1 "$RUNS"); do
    for shape in echo100 echo1000 chat; do
      declare -A cost=()
      checks=""
      for resume in 0 1; do
        result="$OUT/resume-$shape-$resume-$run.txt"
        start_server servercore "${result%.txt}.server.log"
        case $shape in
          echo100)  echo_generator --sessions 100 --inflight 8 --body 32 --resume $resume > "$result" ;;
          echo1000) echo_generator --sessions 1000 --inflight 1 --body 32 --resume $resume > "$result" ;;
          chat)     generator chat --sessions 200 --senders 20 --rate 50 --resume $resume --warmup "$WARMUP" \
                      --duration "$DURATION" > "$result" ;;
        esac
        stop_server
        cost[$resume]=$(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          ops = v["echoes"] != "" ? v["echoes"] : v["deliveries"]; printf "%.4f", v["server_cpu_s"] * 1e6 / ops }' "$result")
        checks=$(grep -oE '(mismatches|losses|out_of_order|unexpected_closes|protocol_errors)=[0-9]+' "$result" | tr '\n' ' ')
      done
      awk -v shape="$shape" -v run="$run" -v off="${cost[0]}" -v on="${cost[1]}" -v checks="$checks" \
        'BEGIN { printf "%-8s %-4s %14.3f %14.3f %8.3f %s\n", shape, run, off, on, on / off, checks }' | tee -a "$OUT/resume-cost.txt"
    done
  done
  log "target: on/off <= 1.03 (median of the runs); see $OUT/resume-cost.txt"
  fi
  [[ $parts == *" chaos "* ]] || exit 0
  CHAOS_SESSIONS=${CHAOS_SESSIONS:-200}
  CHAOS_DROP_RATE=${CHAOS_DROP_RATE:-20}
  CHAOS_DURATION=${CHAOS_DURATION:-60s}
  printf '%-4s %-5s %7s %8s %9s %6s %10s %6s %11s %11s %11s %10s %s\n' run drops resets resumed failed lost duplicated \
    "out/order" "intr p50 us" "intr p99 us" "intr max us" "CPU/dlv us" result | tee "$OUT/resume-chaos.txt"
  for run in $(seq 1 "$RUNS"); do
    for rate in 0 "$CHAOS_DROP_RATE"; do
      base="$OUT/resume-chaos-$rate-$run"
      start_server servercore "$base.server.log"
      cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
      t0=$(date +%s.%N)
      $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient \
        --management.server.port=0 --servercore.connector.port="$SERVER_PORT" --servercore.dummyclient.scenario=chat \
        --servercore.dummyclient.sessions="$CHAOS_SESSIONS" --servercore.dummyclient.rooms=1 \
        --servercore.dummyclient.senders=20 --servercore.dummyclient.chat-rate=50 \
        --servercore.dummyclient.warmup=0s --servercore.dummyclient.duration="$CHAOS_DURATION" \
        --servercore.dummyclient.resume=true --servercore.dummyclient.chaos.drop-rate="$rate" > "$base.client.log" 2>&1 || true
      cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
      t1=$(date +%s.%N)
      stop_server
      summary=$(grep -h 'Dummy client summary' "$base.client.log" | tail -1 | sed 's/.*Dummy client summary: //')
      value() { echo "$summary" | grep -oE "(^| )$1=[^ ]+" | head -1 | cut -d= -f2; }
      awk -v run="$run" -v rate="$rate" -v resets="$(value resets)" -v ok="$(value resumes_ok)" \
        -v failed="$(value resumes_failed)" -v lost="$(value lost)" -v dup="$(value duplicated)" \
        -v ooo="$(value out_of_order)" -v p50="$(value interruption_p50_us)" -v p99="$(value interruption_p99_us)" \
        -v max="$(value interruption_max_us)" -v dl="$(value deliveries)" -v c0="$cpu0" -v c1="$cpu1" \
        -v hz="$(getconf CLK_TCK)" -v result="$(value result)" \
        'BEGIN { printf "%-4s %-5s %7s %8s %9s %6s %10s %6s %11s %11s %11s %10.3f %s\n", run, rate, resets, ok, failed, \
          lost, dup, ooo, p50, p99, max, dl > 0 ? (c1 - c0) / hz * 1e6 / dl : 0, result }' | tee -a "$OUT/resume-chaos.txt"
    done
  done
  log "targets: 0 lost, 0 duplicated, 0 out of order, interruption p99 < 200 ms; see $OUT/resume-chaos.txt"
  exit 0
fi

if [ "${1:-}" = cluster ]; then
  # shellcheck source=bench/cluster.sh
  source "$ROOT/bench/cluster.sh"
  exit 0
fi

for run in $(seq 1 "$RUNS"); do
  for scenario in $SCENARIOS; do
    targets="servercore reference"
    case $scenario in echo*) [ -n "$ECHO_FLOOR" ] && targets="$targets floor" ;; esac
    for target in $targets; do
      mkdir -p "$OUT/run$run/$target"
      run_scenario "$target" "$scenario" "$OUT/run$run/$target/$scenario.txt"
    done
  done
done

"$BENCH_JAVA" -cp "$BENCH_JAR" dev.servercore.bench.Report "$OUT" | tee "$OUT/table.txt"
