# bench/run.sh cluster (sourced by run.sh, after it built the jars): rooms across two gateway nodes on a
# Redis backplane, beside the same load on one node.
#   chat: 200 sessions in one room, 20 of them sending 50 chats/s each (deliveries to all 200), driven by the
#         bench's Netty generator (LoadGenerator chat --ports)
#   move: 10 rooms x 100 sessions, each moving 10 times a second, driven by the dummy client
# Topologies: "one" (a single node, backplane none) and "two" (two nodes, backplane redis). The clients
# connect straight to the nodes (the generator: session i to node i mod 2; the dummy client: runs of
# `rooms` sessions to each node in turn), so every room has members on both.
# The nodes share the server core; Redis and the client share the other.
# Per run: deliveries/s, losses (chat: deliveries missing; move: sessions with an unseen move), delivery p99
# (chat) or move-to-seen p99 (move), delivery to other members on the same node and on the other node
# (p99), server CPU per delivery of each node and in all, the CPU of Redis and of the client (% of a core),
# and the JIT compiler threads' share of the nodes' CPU. The chat generator's measured window is the one in
# which CPU is read; the dummy client (move) runs a little longer than that window.

CLUSTER_SCENARIOS=${CLUSTER_SCENARIOS:-"chat move"}
# Warm-up. The loads are light, so what a JVM compiles after it starts weighs on them, and two nodes pay it twice.
# Code that runs once per room per tick (a publish, a flush, Lettuce's command path) is called 20 times a second
# with one room: C2 reaches it only after minutes (measured: the compiler threads of two nodes under the chat
# load alone still took up to a sixth of their CPU 4 minutes in; a single node's, 1-4% after one). So before each
# measured load, the nodes (one or two alike) first carry the move load, ten rooms, for CLUSTER_JIT_WARMUP; then
# the measured load runs CLUSTER_WARMUP before its window. The "JIT %" column is the compiler threads' share of the
# nodes' CPU in the window: what warm-up left.
CLUSTER_JIT_WARMUP=${CLUSTER_JIT_WARMUP:-60s}
CLUSTER_WARMUP=${CLUSTER_WARMUP:-30s}
# chat, whose per-tick paths are the slowest to compile: then on, in 10 s steps, until the JIT threads take at
# most 2% of the nodes' CPU, for at most CLUSTER_WARMUP_MAX in all ("warm s": how long it took)
CLUSTER_WARMUP_MAX=${CLUSTER_WARMUP_MAX:-240s}
command -v redis-server >/dev/null || { log "bench/run.sh cluster needs redis-server (apt-get install redis-server)"; exit 1; }
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

jit_ticks() { # the JIT compiler threads' CPU (user + system) of a process; their names hold a space, so the
  # fields are counted after the ") " that ends the name (a thread gone meanwhile is left out)
  awk '/\((C1|C2) Compiler/ { line = $0; sub(/^.*\) /, "", line); split(line, f, " "); sum += f[12] + f[13] }
    END { print sum + 0 }' /proc/"$1"/task/*/stat 2>/dev/null || true
}

nodes_members() { local m sum=0; for m in "$@"; do sum=$((sum + $(members "$m"))); done; echo "$sum"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

members() { # port -> room members on that node
  curl -s "localhost:$1/actuator/metrics/servercore.rooms.members" | grep -oE '"value":[0-9.]+' | cut -d: -f2 | cut -d. -f1
}

# Starts a node on the server core; sets NODE_PID, NODE_PORT, NODE_MGMT.
start_node() {
  local logfile=$1; shift
  $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" --servercore.listener.port=0 \
    --servercore.listener.bind-address=127.0.0.1 --management.server.port=0 --servercore.listener.idle-timeout=0 \
    --servercore.demo.chat-per-second=100000 --servercore.demo.chat-burst=100000 \
    --logging.level.dev.servercore.server=warn "$@" > "$logfile" 2>&1 &
  NODE_PID=$!
  SERVER_PID=$NODE_PID
  wait_for "$logfile" 'Tomcat started on port [0-9]+'
  wait_for "$logfile" 'Listening on 127.0.0.1:[0-9]+'
  NODE_PORT=$(grep -oE 'Listening on 127.0.0.1:[0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
  NODE_MGMT=$(grep -oE 'Tomcat started on port [0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
}

printf '%-5s %-4s %-3s %9s %12s %7s %10s %10s %10s %22s %8s %8s %6s %6s %s\n' scenario topo run sessions deliveries/s \
  losses "p99 (us)" "same p99" "cross p99" "CPU/delivery (us)" "redis %" "client %" "JIT %" "warm s" result \
  | tee "$OUT/cluster.txt"
for run in $(seq 1 "$RUNS"); do
  for scenario in $CLUSTER_SCENARIOS; do
    for topo in one two; do
      tag="$scenario-$topo-$run"
      redis_port=$(free_port)
      $GENERATOR_PIN redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
        --logfile "$OUT/$tag.redis.log" --daemonize no > /dev/null 2>&1 &
      redis_pid=$!
      sleep 0.5
      pids=(); ports=(); mgmts=()
      nodes=1; [ "$topo" = two ] && nodes=2
      for n in $(seq 1 "$nodes"); do
        if [ "$topo" = two ]; then
          start_node "$OUT/$tag.node$n.log" --servercore.cluster.backplane=redis --spring.data.redis.port="$redis_port"
        else
          start_node "$OUT/$tag.node$n.log"
        fi
        pids+=("$NODE_PID"); ports+=("$NODE_PORT"); mgmts+=("$NODE_MGMT")
      done
      sleep 2
      node_ports=$(IFS=,; echo "${ports[*]}")
      if [ "${CLUSTER_JIT_WARMUP%s}" -gt 0 ]; then
        $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient --management.server.port=0 \
          --servercore.dummyclient.ports="$node_ports" --servercore.dummyclient.sessions=1000 \
          --servercore.dummyclient.scenario=move --servercore.dummyclient.rooms=10 --servercore.dummyclient.move-rate=10 \
          --servercore.dummyclient.warmup=1s --servercore.dummyclient.duration="$((${CLUSTER_JIT_WARMUP%s} - 1))s" \
          > "$OUT/$tag.jit-warmup.log" 2>&1 || true
        for _ in $(seq 1 100); do [ "$(nodes_members "${mgmts[@]}")" -eq 0 ] && break; sleep 0.2; done
      fi
      if [ "$scenario" = chat ]; then
        # the bench's Netty generator (not the engine's code, and lighter than the dummy client): session i on
        # node i mod 2, the 20 senders the last 20 sessions, all in the lobby room. Its measured window is the
        # one in which this script reads CPU (the start and stop files; the times only bound them).
        sessions=200
        rm -f "$OUT/$tag.start" "$OUT/$tag.stop"
        $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -cp "$BENCH_JAR" dev.servercore.bench.LoadGenerator chat \
          --ports "$node_ports" --sessions 200 --senders 20 --rate 50 --threads 1 \
          --warmup 3600s --start-file "$OUT/$tag.start" \
          --duration "$((${DURATION%s} + 60))s" --stop-file "$OUT/$tag.stop" > "$OUT/$tag.client.log" 2>&1 &
      else
        sessions=1000
        $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient --management.server.port=0 \
          --servercore.dummyclient.ports="$node_ports" --servercore.dummyclient.sessions="$sessions" \
          --servercore.dummyclient.scenario=move --servercore.dummyclient.rooms=10 --servercore.dummyclient.move-rate=10 \
          --servercore.dummyclient.warmup="$CLUSTER_WARMUP" --servercore.dummyclient.duration="$((${DURATION%s} + 3))s" \
          > "$OUT/$tag.client.log" 2>&1 &
      fi
      client_pid=$!
      joined=0
      for _ in $(seq 1 300); do
        joined=0
        for m in "${mgmts[@]}"; do joined=$((joined + $(members "$m"))); done
        [ "$joined" -ge "$sessions" ] && break
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 0.2
      done
      split=""
      for m in "${mgmts[@]}"; do split="$split${split:+/}$(members "$m")"; done
      sleep "${CLUSTER_WARMUP%s}"
      warmed=${CLUSTER_WARMUP%s}
      if [ "$scenario" = chat ]; then
        # then until the JIT is quiet: its threads took at most 2% of the nodes' CPU over 10 s (the generator
        # waits for this script's start file)
        while [ "$warmed" -lt "${CLUSTER_WARMUP_MAX%s}" ]; do
          n0=0; w0=0; for p in "${pids[@]}"; do n0=$((n0 + $(cpu_ticks "$p"))); w0=$((w0 + $(jit_ticks "$p"))); done
          sleep 10; warmed=$((warmed + 10))
          n1=0; w1=0; for p in "${pids[@]}"; do n1=$((n1 + $(cpu_ticks "$p"))); w1=$((w1 + $(jit_ticks "$p"))); done
          [ $(((w1 - w0) * 100)) -le $((2 * (n1 - n0))) ] && break
        done
      fi
      # the window: the generator's start file, the CPU readings and the time together (the JIT's after)
      if [ "$scenario" = chat ]; then touch "$OUT/$tag.start"; fi
      c0=(); for p in "${pids[@]}" "$redis_pid" "$client_pid"; do c0+=("$(cpu_ticks "$p")"); done
      t0=$(date +%s.%N)
      j0=0; for p in "${pids[@]}"; do j0=$((j0 + $(jit_ticks "$p"))); done
      sleep "${DURATION%s}"
      c1=(); for p in "${pids[@]}" "$redis_pid" "$client_pid"; do c1+=("$(cpu_ticks "$p")"); done
      t1=$(date +%s.%N)
      if [ "$scenario" = chat ]; then touch "$OUT/$tag.stop"; fi
      j1=0; for p in "${pids[@]}"; do j1=$((j1 + $(jit_ticks "$p"))); done
      wait "$client_pid" || true
      if [ "$scenario" = chat ]; then
        summary=$(grep -h '^RESULT ' "$OUT/$tag.client.log" | sed 's/^RESULT //' || true)
      else
        summary=$(grep -h 'Dummy client summary' "$OUT/$tag.client.log" | sed 's/.*Dummy client summary: //' || true)
      fi
      for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
      for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
      kill "$redis_pid" 2>/dev/null || true
      wait "$redis_pid" 2>/dev/null || true
      value() { echo "$summary" | grep -oE "(^| )$1=[^ ]+" | head -1 | cut -d= -f2 || true; }
      if [ "$scenario" = chat ]; then
        rate=$(value deliveries_per_s); losses=$(value losses); p99=$(value delivery_p99_us)
        verdict=OK # the generator checks every delivery: sender, order, the sender's id
        for k in errors unexpected_closes protocol_errors malformed out_of_order bad_sender_ids unexpected_packets losses; do
          [ "$(value "$k")" = 0 ] || verdict="FAIL($k=$(value "$k"))"
        done
        [ "$(value connected)" = "$sessions" ] || verdict="FAIL(connected=$(value connected))"
      else
        rate=$(value entries_per_s); losses=$(value sessions_with_unseen_moves); p99=$(value move_to_seen_p99_us)
        verdict=$(value result)
      fi
      if [ -z "$summary" ]; then
        verdict="FAIL(no-summary:$tag.client.log)"
      fi
      # CPU per delivery: each node's, joined by "+", then their sum
      awk -v s="$scenario" -v topo="$topo" -v run="$run" -v spl="$split" -v rate="${rate:-0}" -v losses="${losses:-?}" \
        -v p99="${p99:-?}" -v same="$(value same_node_p99_us)" -v cross="$(value cross_node_p99_us)" -v r="$verdict" \
        -v c0="${c0[*]}" -v c1="${c1[*]}" -v jit="$((j1 - j0))" -v warmed="$warmed" -v nodes="$nodes" -v t0="$t0" -v t1="$t1" -v hz="$HZ" '
        BEGIN { secs = t1 - t0; split(c0, a, " "); split(c1, b, " "); per = ""; total = 0; ticks = 0
          for (i = 1; i <= nodes; i++) { u = (b[i] - a[i]) / hz * 1e6 / (rate * secs); total += u; ticks += b[i] - a[i]
            per = per (i > 1 ? "+" : "") sprintf("%.2f", u) }
          cpu = (nodes > 1 ? per "=" sprintf("%.2f", total) : per)
          printf "%-5s %-4s %-3s %9s %12.0f %7s %10s %10s %10s %22s %8.1f %8.1f %6.1f %6d %s\n", s, topo, run, spl, rate, losses, \
            p99, (cross == "" ? "-" : same), (cross == "" || nodes == 1 ? "-" : cross), cpu, \
            (b[nodes + 1] - a[nodes + 1]) / hz / secs * 100, (b[nodes + 2] - a[nodes + 2]) / hz / secs * 100, \
            (ticks > 0 ? jit / ticks * 100 : 0), warmed, r }' \
        | tee -a "$OUT/cluster.txt"
    done
  done
done
# Against the targets, per scenario, medians over the runs: CPU per delivery of two nodes (together) over
# one node's, within each run (<= 1.5x), as measured and without the JIT compiler threads' CPU (what is left
# of warm-up: the steady state's ratio); cross-node p99 minus same-node p99 in the two-node runs (<= 5 ms);
# losses in all runs (0).
awk 'NR > 1 && NF >= 15 { split($10, parts, "="); cpu = (parts[2] == "" ? parts[1] : parts[2]); warm = cpu * (1 - $13 / 100)
    if ($2 == "one") { one[$1, $3] = cpu; oneWarm[$1, $3] = warm }
    else { two[$1, $3] = cpu; twoWarm[$1, $3] = warm; gap[$1, $3] = ($9 - $8) / 1000 }
    losses[$1] += $6; runs[$1] = ($3 > runs[$1] ? $3 : runs[$1]) }
  function median(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END { printf "\n%-8s %28s %28s %26s %8s\n", "scenario", "CPU/delivery two/one (runs)", "the same without JIT (runs)",
      "cross-same p99 ms (runs)", "losses"
    for (s in runs) { n = runs[s]; rs = ""; ws = ""; gs = ""
      for (r = 1; r <= n; r++) { ratio[r] = (one[s, r] > 0 ? two[s, r] / one[s, r] : 0); g[r] = gap[s, r]
        steady[r] = (oneWarm[s, r] > 0 ? twoWarm[s, r] / oneWarm[s, r] : 0)
        rs = rs sprintf("%.2f ", ratio[r]); ws = ws sprintf("%.2f ", steady[r]); gs = gs sprintf("%.1f ", g[r]) }
      printf "%-8s %18s-> %.2fx %18s-> %.2fx %16s-> %.1f %8d\n", s, rs, median(ratio, n), ws, median(steady, n), gs,
        median(g, n), losses[s] } }' \
  "$OUT/cluster.txt" | tee -a "$OUT/cluster.txt"
log "results: $OUT/cluster.txt (losses: chat deliveries missing; move: sessions with an unseen move)"
