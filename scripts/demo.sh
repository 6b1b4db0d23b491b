#!/usr/bin/env bash
# 演示：创建 .venv 并安装本项目，建库，生成演示数据（x商务局），在 http://127.0.0.1:8000 启动。
# 数据库默认为 var/dangjian.sqlite3（可用 DATABASE_URL 指定）；再次运行不会重复生成演示数据。
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_venv
echo "安装依赖（pip install -e .）……"
pip_install -e .

# The demo server runs with DEBUG on so that it serves its own static files over plain HTTP.
export DEBUG=1
ADDR="${DEMO_ADDR:-127.0.0.1:8000}"
"$VENV/bin/dangjian" migrate --no-input -v 0
"$VENV/bin/dangjian" seed_demo
echo
# The job worker (imports from the upload page, reports, 月提醒, warm-up) beside the server: the database queue
# needs no other service. It stops with the server.
"$VENV/bin/dangjian" worker -v 0 &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null || true' EXIT INT TERM
echo "后台任务进程已启动（PID ${WORKER_PID}）"
echo "演示地址：http://${ADDR}/   （按 Ctrl+C 停止）"
"$VENV/bin/dangjian" runserver "$ADDR" --noreload
