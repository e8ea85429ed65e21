#!/usr/bin/env bash
# Lighthouse 12 (mobile) on /, /gifts/1 and /flash, as a visitor and as the demo member,
# against gunicorn on a fresh SQLite demo database. Prints performance / accessibility /
# best-practices per page and the failing audits of any page below target (95 / 100 / 95).
#
#   bench/lighthouse.sh            JSON reports land in bench/results/lighthouse/ (git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=bench/.node
LIGHTHOUSE=$NODE_DIR/node_modules/.bin/lighthouse
OUT=bench/results/lighthouse
PAGES=("home:/" "gift:/gifts/1" "flash:/flash")
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking \
--disable-component-update --disable-sync --no-first-run"
TARGET_PERF=95 TARGET_A11Y=100 TARGET_BP=95
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

if [ ! -x "$LIGHTHOUSE" ]; then
  echo "installing Lighthouse 12 into $NODE_DIR" >&2
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent lighthouse@12
fi
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 1; }

TMP=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER"
    for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

export DATABASE_URL="sqlite:///$TMP/lighthouse.db"
export SECRET_KEY=lighthouse-secret-key-not-for-production
unset FLASK_DEBUG
.venv/bin/flask --app wsgi db upgrade >/dev/null 2>&1
.venv/bin/flask --app wsgi demo load >/dev/null
PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
.venv/bin/gunicorn -w 2 -b "127.0.0.1:$PORT" wsgi:app >"$TMP/gunicorn.log" 2>&1 &
SERVER=$!
for _ in $(seq 150); do
  curl -fs "$BASE/healthz" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/gunicorn.log"; exit 1; }
  sleep 0.2
done
curl -fs "$BASE/healthz" >/dev/null || { echo "gunicorn did not answer" >&2; exit 1; }

# Log the demo member in with curl and hand its session cookie to Lighthouse as a header.
JAR=$TMP/cookies
TOKEN=$(curl -fs -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p')
curl -fs -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode identifier=13800000000 \
  --data-urlencode password=demo1234 --data-urlencode "csrf_token=$TOKEN" "$BASE/login"
SESSION=$(awk '$6 == "session" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "logging in failed" >&2; exit 1; }
jq -n --arg c "session=$SESSION" '{Cookie: $c}' >"$TMP/member-headers.json"
echo '{}' >"$TMP/visitor-headers.json"

mkdir -p "$OUT"
printf '%-16s %5s %5s %5s\n' page perf a11y bp
below=()
for who in visitor member; do
  for entry in "${PAGES[@]}"; do
    name=${entry%%:*} path=${entry#*:}
    report="$OUT/$who-$name.json"
    "$LIGHTHOUSE" "$BASE$path" --quiet --output=json --output-path="$report" \
      --only-categories=performance,accessibility,best-practices \
      --extra-headers="$TMP/$who-headers.json" --chrome-flags="$CHROME_FLAGS" >/dev/null 2>&1 \
      || { echo "lighthouse failed on $path" >&2; exit 1; }
    read -r perf a11y bp < <(jq -r '[.categories.performance.score, .categories.accessibility.score,
      .categories["best-practices"].score] | map(. * 100 | round) | @tsv' "$report")
    printf '%-16s %5s %5s %5s\n' "$who $name" "$perf" "$a11y" "$bp"
    if [ "$perf" -lt $TARGET_PERF ] || [ "$a11y" -lt $TARGET_A11Y ] || [ "$bp" -lt $TARGET_BP ]; then
      below+=("$report")
    fi
  done
done

status=0
for report in "${below[@]}"; do
  status=1
  echo
  echo "== below target: $(basename "$report" .json) — failing audits (weight > 0 or opportunity)"
  jq -r '. as $r | [.categories[] | .auditRefs[] | select(.weight > 0 or .group != null) | .id]
    | unique[] as $id | $r.audits[$id]
    | select(.score != null and .score < 0.9
             and (.scoreDisplayMode == "binary" or .scoreDisplayMode == "numeric"
                  or .scoreDisplayMode == "metricSavings"))
    | "  \(.score * 100 | round)\t\(.id)\t\(.displayValue // "")\t\(.title)"' "$report"
done
echo
echo "reports: $OUT/"
exit $status
