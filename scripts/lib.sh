# Shared by scripts/demo.sh, scripts/test.sh and .ci/run: a project-local virtual environment in .venv.
# shellcheck shell=bash

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

die() { echo "错误：$*" >&2; exit 1; }

# Debian/Ubuntu ship python3 without ensurepip; python3-venv brings it.
ensure_venv_module() {
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "安装 python3-venv（apt-get）……"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    minor=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt-get install -y -qq python3-venv "python${minor}-venv" >/dev/null 2>&1 \
      || apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null && return 0
  fi
  die "当前 Python 缺少 venv/ensurepip 模块。请先安装：sudo apt-get install python3-venv（然后重新运行本脚本）"
}

ensure_venv() {
  command -v "$PYTHON" >/dev/null 2>&1 || die "找不到 $PYTHON。请先安装 Python 3.11 或更新版本：sudo apt-get install python3"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "需要 Python 3.11 或更新版本，当前为 $("$PYTHON" --version 2>&1)"
  # A .venv left half-made (no pip) by an earlier failed attempt is made again.
  if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$VENV"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    ensure_venv_module
    echo "创建虚拟环境 $VENV ……"
    "$PYTHON" -m venv "$VENV"
  fi
  export PIP_DISABLE_PIP_VERSION_CHECK=1
}

# pip_install ARGS… — quiet unless it fails.
pip_install() {
  "$VENV/bin/python" -m pip install -q "$@"
}
