#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on this machine: start them where installed but stopped,
# install them with apt where missing and we are root, otherwise say exactly what to do.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
AMQP_PORT=${AMQP_PORT:-5672}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {  # name host port seconds
  for _ in $(seq 1 "$4"); do port_open "$2" "$3" && return 0; sleep 1; done
  echo "$1 did not come up on $2:$3 within $4 s" >&2; return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "$1 is not installed. Install it as root: apt-get install -y $1   (or point the URLs in README.md at a running server)" >&2
    exit 1
  fi
  echo "installing $1 with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

ensure_postgres() {
  port_open "$PGHOST" "$PGPORT" && return 0
  local fresh=0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fresh=1; fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  wait_for PostgreSQL "$PGHOST" "$PGPORT" 30
  if [ "$fresh" = 1 ]; then
    # A fresh Debian server asks for passwords on TCP; give the superuser the development one the README names.
    runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'"
  fi
}

ensure_rabbitmq() {
  port_open "$PGHOST" "$AMQP_PORT" && return 0
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  echo "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for RabbitMQ "$PGHOST" "$AMQP_PORT" 90
  # The port opens before the node is fully booted.
  command -v rabbitmqctl >/dev/null 2>&1 && rabbitmqctl -q await_startup >/dev/null 2>&1 || true
}

ensure_postgres
ensure_rabbitmq
echo "PostgreSQL ($PGHOST:$PGPORT) and RabbitMQ ($PGHOST:$AMQP_PORT) are up"
