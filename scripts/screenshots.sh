#!/usr/bin/env bash
# Screenshots of the public pages into docs/screenshots/, desktop and phone.
#
# Serves the default database (db.sqlite3, or $DATABASE_URL when set) with
# runserver on 127.0.0.1:8765 and shoots it with headless Chromium.
#   bash scripts/screenshots.sh
#   DATABASE_URL=sqlite:////tmp/scratch.sqlite3 bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
HOST=127.0.0.1
PORT=8765
BASE="http://$HOST:$PORT"
OUT=docs/screenshots

if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if "$PY" - "$HOST" "$PORT" <<'EOF'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
EOF
then
    echo "Port $PORT is already in use; stop that server first." >&2
    exit 1
fi

echo "== starting runserver on $BASE"
LOG=$(mktemp)
"$PY" manage.py runserver "$HOST:$PORT" --noreload >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT

for _ in $(seq 60); do
    if curl -fs -o /dev/null "$BASE/"; then
        break
    fi
    if ! kill -0 "$SERVER" 2>/dev/null; then
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.5
done
curl -fs -o /dev/null "$BASE/" || { echo "The server did not answer." >&2; cat "$LOG" >&2; exit 1; }

# The product page shot shows the best-rated product that has a photo.
PRODUCT=$("$PY" manage.py shell -v 0 -c '
from catalogue.models import Product
products = Product.objects.for_listing().by_stars_then_name()
product = products.filter(images__isnull=False).first() or products.first()
print(product.get_absolute_url() if product else "")
' 2>/dev/null | tail -n 1 || true)

shoot() { # name path width height
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars \
        --run-all-compositor-stages-before-draw --virtual-time-budget=15000 \
        --window-size="$3,$4" --screenshot="$OUT/$1.png" "$BASE$2" >/dev/null 2>&1
    echo "$OUT/$1.png  $2  ${3}x$4"
}

mkdir -p "$OUT"
curl -fs -o /dev/null "$BASE/products/"  # warm up before the first shot
shoot product-list /products/ 1280 1000
shoot product-list-mobile /products/ 390 1400
shoot home / 1280 1000
shoot home-mobile / 390 1400
if [ -n "$PRODUCT" ]; then
    shoot product-detail "$PRODUCT" 1280 1000
    shoot product-detail-mobile "$PRODUCT" 390 1400
else
    echo "No published product: skipped the product page." >&2
fi
