# bench/run.sh cluster (sourced by run.sh, after it built the jars): rooms across two gateway nodes on a
# Redis backplane, beside the same load on one node.
#   chat: 200 sessions in one room, 20 of them sending 50 chats/s each (deliveries to all 200)
#   move: 10 rooms x 100 sessions, each moving 10 times a second
# Topologies: "one" (a single node, backplane none) and "two" (two nodes, backplane redis). The dummy
# client connects straight to the nodes (servercore.dummyclient.ports: every room has members on both).
# The nodes share the server core; Redis and the dummy client share the other.
# Per run: deliveries/s, losses (chat: deliveries missing; move: sessions with an unseen move), delivery p99
# (chat) or move-to-seen p99 (move), delivery to other members on the same node and on the other node
# (p99), server CPU per delivery of each node and in all, and the CPU of Redis and of the dummy client
# (% of a core). The dummy client runs a little longer than the window in which CPU is read.

CLUSTER_SCENARIOS=${CLUSTER_SCENARIOS:-"chat move"}
# A JVM compiles its hot code for 20 s or so after it starts (it burns a fifth of a core meanwhile): the
# loads here are light, so the window waits that out, or two nodes would pay it twice (CLUSTER_WARMUP).
CLUSTER_WARMUP=${CLUSTER_WARMUP:-20s}
command -v redis-server >/dev/null || { log "bench/run.sh cluster needs redis-server (apt-get install redis-server)"; exit 1; }
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

members() { # port -> room members on that node
  curl -s "localhost:$1/actuator/metrics/servercore.rooms.members" | grep -oE '"value":[0-9.]+' | cut -d: -f2 | cut -d. -f1
}

# Starts a node on the server core; sets NODE_PID, NODE_PORT, NODE_MGMT.
start_node() {
  local logfile=$1; shift
  $SERVER_PIN "$BENCH_JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" --servercore.listener.port=0 \
    --servercore.listener.bind-address=127.0.0.1 --server.port=0 --servercore.listener.idle-timeout=0 \
    --logging.level.dev.servercore.server=warn "$@" > "$logfile" 2>&1 &
  NODE_PID=$!
  SERVER_PID=$NODE_PID
  wait_for "$logfile" 'Tomcat started on port [0-9]+'
  wait_for "$logfile" 'Listening on 127.0.0.1:[0-9]+'
  NODE_PORT=$(grep -oE 'Listening on 127.0.0.1:[0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
  NODE_MGMT=$(grep -oE 'Tomcat started on port [0-9]+' "$logfile" | head -1 | grep -oE '[0-9]+$')
}

printf '%-5s %-4s %-3s %9s %12s %7s %10s %10s %10s %22s %8s %8s %s\n' scenario topo run sessions deliveries/s losses \
  "p99 (us)" "same p99" "cross p99" "CPU/delivery (us)" "redis %" "client %" result | tee "$OUT/cluster.txt"
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
      if [ "$scenario" = chat ]; then
        sessions=200; load=(--servercore.dummyclient.scenario=chat --servercore.dummyclient.rooms=1
          --servercore.dummyclient.senders=20 --servercore.dummyclient.chat-rate=50)
      else
        sessions=1000; load=(--servercore.dummyclient.scenario=move --servercore.dummyclient.rooms=10
          --servercore.dummyclient.move-rate=10)
      fi
      $GENERATOR_PIN "$BENCH_JAVA" $GENERATOR_OPTS -jar "$SERVER_JAR" --spring.profiles.active=dummyclient --server.port=0 \
        --servercore.dummyclient.ports="$(IFS=,; echo "${ports[*]}")" --servercore.dummyclient.sessions="$sessions" \
        "${load[@]}" --servercore.dummyclient.warmup="$CLUSTER_WARMUP" \
        --servercore.dummyclient.duration="$((${DURATION%s} + 3))s" \
        > "$OUT/$tag.client.log" 2>&1 &
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
      c0=(); for p in "${pids[@]}" "$redis_pid" "$client_pid"; do c0+=("$(cpu_ticks "$p")"); done
      t0=$(date +%s.%N)
      sleep "${DURATION%s}"
      c1=(); for p in "${pids[@]}" "$redis_pid" "$client_pid"; do c1+=("$(cpu_ticks "$p")"); done
      t1=$(date +%s.%N)
      wait "$client_pid" || true
      summary=$(grep -h 'Dummy client summary' "$OUT/$tag.client.log" | sed 's/.*Dummy client summary: //')
      for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
      for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
      kill "$redis_pid" 2>/dev/null || true
      wait "$redis_pid" 2>/dev/null || true
      value() { echo "$summary" | grep -oE "(^| )$1=[^ ]+" | head -1 | cut -d= -f2; }
      if [ "$scenario" = chat ]; then
        rate=$(value deliveries_per_s); losses=$(value losses); p99=$(value delivery_p99_us)
      else
        rate=$(value entries_per_s); losses=$(value sessions_with_unseen_moves); p99=$(value move_to_seen_p99_us)
      fi
      # CPU per delivery: each node's, joined by "+", then their sum
      awk -v s="$scenario" -v topo="$topo" -v run="$run" -v spl="$split" -v rate="${rate:-0}" -v losses="${losses:-?}" \
        -v p99="${p99:-?}" -v same="$(value same_node_p99_us)" -v cross="$(value cross_node_p99_us)" -v r="$(value result)" \
        -v c0="${c0[*]}" -v c1="${c1[*]}" -v nodes="$nodes" -v t0="$t0" -v t1="$t1" -v hz="$HZ" '
        BEGIN { secs = t1 - t0; split(c0, a, " "); split(c1, b, " "); per = ""; total = 0
          for (i = 1; i <= nodes; i++) { u = (b[i] - a[i]) / hz * 1e6 / (rate * secs); total += u
            per = per (i > 1 ? "+" : "") sprintf("%.2f", u) }
          cpu = (nodes > 1 ? per "=" sprintf("%.2f", total) : per)
          printf "%-5s %-4s %-3s %9s %12.0f %7s %10s %10s %10s %22s %8.1f %8.1f %s\n", s, topo, run, spl, rate, losses, \
            p99, (cross == "" ? "-" : same), (cross == "" || nodes == 1 ? "-" : cross), cpu, \
            (b[nodes + 1] - a[nodes + 1]) / hz / secs * 100, (b[nodes + 2] - a[nodes + 2]) / hz / secs * 100, r }' \
        | tee -a "$OUT/cluster.txt"
    done
  done
done
# Against the targets, per scenario, medians over the runs: CPU per delivery of two nodes (together) over
# one node's, within each run (<= 1.5x); cross-node p99 minus same-node p99 in the two-node runs
# (<= 5 ms); losses in all runs (0).
awk 'NR > 1 { split($10, parts, "="); cpu = (parts[2] == "" ? parts[1] : parts[2])
    if ($2 == "one") one[$1, $3] = cpu; else { two[$1, $3] = cpu; gap[$1, $3] = ($9 - $8) / 1000 }
    losses[$1] += $6; runs[$1] = ($3 > runs[$1] ? $3 : runs[$1]) }
  function median(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END { printf "\n%-8s %28s %30s %8s\n", "scenario", "CPU/delivery two/one (runs)", "cross-same p99 ms (runs)", "losses"
    for (s in runs) { n = runs[s]; rs = ""; gs = ""
      for (r = 1; r <= n; r++) { ratio[r] = two[s, r] / one[s, r]; g[r] = gap[s, r]
        rs = rs sprintf("%.2f ", ratio[r]); gs = gs sprintf("%.1f ", g[r]) }
      printf "%-8s %18s-> %.2fx %20s-> %.1f %8d\n", s, rs, median(ratio, n), gs, median(g, n), losses[s] } }' \
  "$OUT/cluster.txt" | tee -a "$OUT/cluster.txt"
log "results: $OUT/cluster.txt (losses: chat deliveries missing; move: sessions with an unseen move)"
