# Sourced by ./slotwise and .ci/run: makes sure redis-server (and redis-cli) are installed, or that
# SLOTWISE_REDIS_SERVER names a server binary (valkey-server, say; its client is found next to it).
# Installs them with apt-get where that is possible (Debian/Ubuntu as root), saying so;
# elsewhere prints one line saying how to get them and returns non-zero.
ensure_redis_server() {
  # A named server (Valkey, say) is used as it is; one that is not there is an error, never a
  # reason to run on whichever redis-server the PATH holds.
  if [ -n "${SLOTWISE_REDIS_SERVER:-}" ]; then
    if [ -x "${SLOTWISE_REDIS_SERVER}" ]; then
      return 0
    fi
    echo "slotwise: SLOTWISE_REDIS_SERVER names ${SLOTWISE_REDIS_SERVER}, which is not an executable file" >&2
    return 1
  fi
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "slotwise: redis-server is missing; installing it with apt-get (redis-server, redis-tools)" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools; } >/tmp/slotwise-apt.log 2>&1; then
      echo "slotwise: apt-get install redis-server failed; see /tmp/slotwise-apt.log" >&2
      return 1
    fi
    # The package may start a system service on 6379; Slotwise never needs it.
    if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "slotwise: redis-server not found; install it with: sudo apt-get install redis-server redis-tools" >&2
  elif command -v brew >/dev/null 2>&1; then
    echo "slotwise: redis-server not found; install it with: brew install redis" >&2
  else
    echo "slotwise: redis-server not found; install Redis 7 (https://redis.io/docs/latest/operate/oss_and_stack/install/) or pass --redis-server PATH" >&2
  fi
  return 1
}
