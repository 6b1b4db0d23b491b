#!/usr/bin/env bash
# 测试：把本项目连同测试依赖（.[test]）安装到 .venv，运行全部 pytest 测试。
# 数据库取 DATABASE_URL（默认 SQLite）；额外参数原样传给 pytest，例如 bash scripts/test.sh -k backup。
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_venv
echo "安装依赖（pip install -e .[test]）……"
pip_install -e ".[test]"

# Two workers (pytest-xdist) on the two cores; each runs its own test database, live server and chromium.
WORKERS="${TEST_WORKERS:-2}"
args=(-q)
if [ "$WORKERS" != "0" ] && [ "$WORKERS" != "1" ]; then
  args+=(-n "$WORKERS")
fi
case "${DATABASE_URL:-}" in
  postgres*) db="PostgreSQL ${DATABASE_URL##*/}" ;;  # the database name only: never the password
  *) db="SQLite" ;;
esac
echo "运行测试（数据库：${db}，并行进程：${WORKERS}）……"
exec "$VENV/bin/python" -m pytest "${args[@]}" "$@"
