#!/usr/bin/env bash
# Build a ready-to-use Tryton 8.2 ERP (SQLite) for Causeway's tests and demo.
#
#   scripts/tryton/build.sh CACHE_DIR        (the Makefile passes .cache/tryton)
#
# Result, all under CACHE_DIR:
#   venv/                  a separate Python 3.11 venv with trytond + the sale modules
#   db/template.sqlite     an initialised database with the business setup done
#                          (company, chart, taxes, products with stock); TrytonServer
#                          copies it for every run, which is instant
#   versions.txt           pip freeze of the venv, for the record
#   .inputs                checksum of this script and setup_business.py: a build made
#                          from other scripts (an older business setup) is redone
#   .built                 written last: its presence means "complete"
#
# Why build in a temp dir and rename: an interrupted or failed build must never leave
# something that looks complete. The venv is not relocatable (console scripts carry
# an absolute shebang), so the shebangs are rewritten to the final path before the rename.
set -euo pipefail

die() { echo "tryton build: ERROR: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 CACHE_DIR   (e.g. $0 .cache/tryton)"
target=$1
scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
inputs=$(cat "$scripts/build.sh" "$scripts/setup_business.py" | sha256sum | cut -d' ' -f1)
if [ -f "$target/.built" ]; then
    if [ "$(cat "$target/.inputs" 2>/dev/null)" = "$inputs" ]; then
        echo "tryton build: already built in $target (delete it to rebuild)"
        exit 0
    fi
    echo "tryton build: $target was built by other versions of the build scripts; rebuilding"
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || die "$python not found: Tryton 8.2 needs Python 3.11 (set PYTHON=/path/to/python3.11)"
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null \
    || die "$python is not Python 3.11"

mkdir -p "$(dirname "$target")"
target=$(cd "$(dirname "$target")" && pwd)/$(basename "$target")
tmp=$(mktemp -d "$target.tmp.XXXXXX")
# On any failure the temp dir goes away; after a successful rename it no longer exists.
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'die "interrupted"' INT TERM

started=$(date +%s.%N)
step() {
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    "$@" || die "step '$label' failed (command: $*)"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v l="$label" 'BEGIN { printf "tryton build: [%5.1fs] %s\n", b - a, l }'
}

# Installing pip into the venv (ensurepip) costs ~5 s; the outer pip can install into it.
if "$python" -m pip --python "$("$python" -c 'import sys; print(sys.executable)')" --version \
        >/dev/null 2>&1; then
    step "create venv" "$python" -m venv --without-pip "$tmp/venv"
    pip=("$python" -m pip --python "$tmp/venv/bin/python")
else
    step "create venv" "$python" -m venv "$tmp/venv"
    pip=("$tmp/venv/bin/python" -m pip)
fi
step "pip install trytond 8.2 + modules" "${pip[@]}" install -q \
    "trytond==8.2.*" "proteus==8.2.*" "trytond_sale==8.2.*" \
    "trytond_sale_price_list==8.2.*" "trytond_account_invoice_stock==8.2.*" \
    "trytond_account_product==8.2.*" "trytond_carrier==8.2.*" \
    "trytond_stock_package_shipping==8.2.*" "trytond_product_measurements==8.2.*" \
    "trytond_sale_amendment==8.2.*" "trytond_account_credit_limit==8.2.*" \
    "trytond_sale_credit_limit==8.2.*" "trytond_product_image==8.2.*" \
    "trytond_sale_product_quantity==8.2.*" "trytond_sale_shipment_cost==8.2.*"
"${pip[@]}" freeze > "$tmp/versions.txt"

mkdir -p "$tmp/db" "$tmp/work"
cat > "$tmp/work/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $tmp/work
CONF
# trytond-admin reads the admin password from this file; tests and demo log in admin/admin.
echo admin > "$tmp/work/adminpass"
# The SQLite file must exist before trytond-admin will initialise it.
touch "$tmp/work/erp.sqlite"

step "trytond-admin: initialise database (sale, stock, accounting)" \
    env TRYTONPASSFILE="$tmp/work/adminpass" "$tmp/venv/bin/python" "$tmp/venv/bin/trytond-admin" \
    -c "$tmp/work/trytond.conf" -d erp \
    -u sale sale_price_list account_invoice_stock account_product \
       carrier stock_package_shipping product_measurements sale_amendment \
       account_credit_limit sale_credit_limit product_image sale_product_quantity \
       sale_shipment_cost \
    --activate-dependencies --email admin@example.com
step "business setup (proteus)" \
    env DB=erp CONF="$tmp/work/trytond.conf" "$tmp/venv/bin/python" "$scripts/setup_business.py"

# Every process using the file has exited, so the copy is consistent (no WAL left behind).
[ ! -e "$tmp/work/erp.sqlite-wal" ] || [ ! -s "$tmp/work/erp.sqlite-wal" ] \
    || die "erp.sqlite-wal is not empty after setup: a process still holds the database"
cp "$tmp/work/erp.sqlite" "$tmp/db/template.sqlite"
rm -rf "$tmp/work"

# Make the venv's console scripts point at the final location before moving it there.
grep -rlI --null "^#!$tmp/venv/bin/" "$tmp/venv/bin" | xargs -0 -r sed -i "1s|^#!$tmp/|#!$target/|"
sed -i "s|$tmp|$target|g" "$tmp/venv/bin/activate" "$tmp/venv/bin/activate.csh" "$tmp/venv/bin/activate.fish" 2>/dev/null || true

echo "$inputs" > "$tmp/.inputs"
date -u +%Y-%m-%dT%H:%M:%SZ > "$tmp/.built"
rm -rf "$target"
mv -T "$tmp" "$target"
trap - EXIT
awk -v a="$started" -v b="$(date +%s.%N)" -v t="$target" 'BEGIN { printf "tryton build: done in %.1fs -> %s\n", b - a, t }'
