#!/usr/bin/env bash
# Does what the Docker image does, without Docker, with the `node` first on
# PATH: builds, installs the production dependencies alone in a temporary
# folder from what the Dockerfile copies (package.json, package-lock.json,
# patches/, dist/), starts the subgraph there with plain node and NODE_ENV=production
# against an emulator started from this checkout, waits for /ready (with the
# image's health check), asks one query with the demo key, and checks that
# production without WANDB_BASE_URL refuses to start. Leaves nothing behind.
#
#   bash scripts/production-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/production-check.XXXXXX")
emulator_pid=''
subgraph_pid=''
dist_existed=0
[ -e dist ] && dist_existed=1
cleanup() {
  local status=$?
  # Each was started with setsid: its process group holds it and its children.
  for pid in "$subgraph_pid" "$emulator_pid"; do
    [ -n "$pid" ] && { kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; }
  done
  for pid in "$subgraph_pid" "$emulator_pid"; do
    [ -z "$pid" ] && continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
  [ "$dist_existed" -eq 1 ] || rm -rf "$root/dist"
  if [ "$status" -ne 0 ]; then
    for log in emulator subgraph; do
      [ -f "$work.$log.log" ] && { echo "--- $log output"; tail -n 30 "$work.$log.log"; }
    done
    echo "production check: FAILED"
  fi
  rm -f "$work.emulator.log" "$work.subgraph.log"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "production check: $*" >&2; exit 1; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
# wait_for URL SECONDS PID: polls until URL answers 200, failing early when PID has exited.
wait_for() {
  local url=$1 deadline=$((SECONDS + $2)) pid=$3
  until node -e "fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))" "$url"; do
    kill -0 "$pid" 2>/dev/null || fail "the process for $url exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "$url did not answer 200 within $2 s"
    sleep 0.3
  done
}

started=$SECONDS
echo "node $(node --version), npm $(npm --version)"

echo "== build"
npm run build --silent
[ -f dist/src/main.js ] && [ -f dist/src/healthcheck.js ] && ls dist/schema/subgraph/*.graphql >/dev/null && [ -f dist/schema/upstream/wandb.graphql ] || fail "dist/ lacks the entry, the health check, the SDL or W&B's schema"
unexpected=$(cd dist && find . -type f ! -path './src/*' ! -path './resolvers/*' ! -path './schema/subgraph/*.graphql' ! -path './schema/upstream/wandb.graphql')
[ -z "$unexpected" ] || fail "dist/ holds more than the product: $unexpected"
echo "dist: $(find dist -type f | wc -l) files, $(du -sk dist | cut -f1) KB"

echo "== production install (npm ci --omit=dev --workspaces=false)"
cp package.json package-lock.json "$work/"
cp -r patches "$work/patches"
cp -r dist "$work/dist"
(cd "$work" && npm ci --omit=dev --workspaces=false --no-audit --no-fund --loglevel=error)
# The install applied patches/ (postinstall), as the image's does: it copies them before its install.
grep -q '^COPY patches patches$' Dockerfile || fail "the Dockerfile does not copy patches/ for its production install"
grep -q 'class GatewayResponseHTTP' "$work/node_modules/@apollo/server/dist/esm/utils/makeGatewayGraphQLRequestContext.js" || fail "the production install did not apply patches/@apollo+server+*.patch"
for dev_only in tsx typescript wandb-emulator better-sqlite3 jest; do
  [ ! -e "$work/node_modules/$dev_only" ] || fail "the production install holds $dev_only"
done
packages=$(node -e "console.log(Object.keys(require(process.argv[1]).packages).length)" "$work/node_modules/.package-lock.json")
echo "production install: $packages packages, $(du -sm "$work/node_modules" | cut -f1) MB (du -sm node_modules)"

echo "== NODE_ENV=production without WANDB_BASE_URL refuses to start"
set +e
refusal=$(cd "$work" && env -u WANDB_BASE_URL NODE_ENV=production PORT=0 timeout 20 node dist/src/main.js 2>&1)
code=$?
set -e
[ "$code" -ne 0 ] || fail "it started (exit 0)"
[ "$code" -ne 124 ] || fail "it did not exit"
grep -q 'WANDB_BASE_URL' <<<"$refusal" || fail "its message does not name WANDB_BASE_URL: $refusal"
echo "exit $code: $refusal"

echo "== emulator from this checkout"
# The emulator loads better-sqlite3, built by `npm ci` for one Node: use the
# first node on PATH that loads it (the node under test runs the product).
emulator_node=''
while IFS= read -r candidate; do
  if "$candidate" -e "new (require('better-sqlite3'))(':memory:')" >/dev/null 2>&1; then emulator_node=$candidate; break; fi
done < <(type -ap node | awk '!seen[$0]++')
[ -n "$emulator_node" ] || fail "no node on PATH loads better-sqlite3 (built by npm ci for another Node): put that Node on PATH too"
emulator_port=$(free_port)
setsid "$emulator_node" --import tsx emulator/src/main.ts --port "$emulator_port" --data "$work/emulator-data" --seed-scale 0.01 >"$work.emulator.log" 2>&1 &
emulator_pid=$!
wait_for "http://127.0.0.1:$emulator_port/" 60 "$emulator_pid"
demo_key=$(sed -n 's/^ *demo key: *\([0-9a-z]*\).*/\1/p' "$work.emulator.log")
[ -n "$demo_key" ] || fail "the emulator printed no demo key"
echo "emulator (node $("$emulator_node" --version)) on port $emulator_port"

# The node flags of `npm run start:prod`, which the image's CMD must give too.
node_flags=$(node -p "require('./package.json').scripts['start:prod'].split(/\\s+/).filter((a) => a.startsWith('--')).join(' ')")
for flag in $node_flags; do
  grep -q -- "\"$flag\"" Dockerfile || fail "the Dockerfile's CMD lacks $flag (npm run start:prod gives it)"
done
echo "== subgraph: node $node_flags dist/src/main.js, NODE_ENV=production"
port=$(free_port)
# shellcheck disable=SC2086 # the flags are words
(cd "$work" && NODE_ENV=production WANDB_BASE_URL="http://127.0.0.1:$emulator_port" HOST=127.0.0.1 PORT="$port" \
  exec setsid node $node_flags dist/src/main.js) >"$work.subgraph.log" 2>&1 &
subgraph_pid=$!
wait_for "http://127.0.0.1:$port/ready" 30 "$subgraph_pid"
(cd "$work" && HOST=127.0.0.1 PORT="$port" node dist/src/healthcheck.js) || fail "the image's health check (dist/src/healthcheck.js) failed"

answer=$(node -e "
const [port, key] = process.argv.slice(1);
fetch('http://127.0.0.1:' + port + '/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from('api:' + key).toString('base64') },
  body: JSON.stringify({ query: '{ runs(entity: \"acme-ml\", project: \"image-classification\", first: 2, order: \"+created_at\") { totalCount nodes { path state } } }' }),
}).then((r) => r.text()).then((t) => console.log(t), (e) => { console.error(e.message); process.exit(1); });
" "$port" "$demo_key")
echo "query answer: $answer"
node -e "
const a = JSON.parse(process.argv[1]);
const runs = a.data && a.data.runs;
if (a.errors || !runs || runs.totalCount !== 103 || runs.nodes.length !== 2 || !runs.nodes.every((n) => n.path.startsWith('acme-ml/image-classification/'))) process.exit(1);
" "$answer" || fail "unexpected answer to the query"

# No service key and no open CORS in production: a caller without a key is refused.
anonymous=$(node -e "
fetch('http://127.0.0.1:' + process.argv[1] + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ runs(entity: \"acme-ml\", project: \"image-classification\", first: 1) { totalCount } }' }) })
  .then(async (r) => console.log(r.headers.get('access-control-allow-origin') ?? '-', JSON.parse(await r.text()).errors?.[0]?.extensions?.code));
" "$port")
[ "$anonymous" = "- UNAUTHENTICATED" ] || fail "a caller without a key got: $anonymous"

kill -TERM "$subgraph_pid"
wait "$subgraph_pid" || fail "the subgraph did not stop cleanly on SIGTERM"
subgraph_pid=''
echo "stopped on SIGTERM with exit 0"
echo "production check: passed in $((SECONDS - started)) s"
