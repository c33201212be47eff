#!/usr/bin/env bash
# Debian packages the tests need: espeak-ng and pocketsphinx for the agent's local speech,
# chromium for the web client's browser tests, redis-server for rate limits shared by replicas,
# postgresql and nginx for the multi-replica set-up (PostgreSQL, a proxy in front of replicas).
# The tests start their own servers on loopback ports; whether apt-get also starts the packages'
# own services (Docker images' policy-rc.d says no) does not matter.
# Installs the missing ones with apt-get when it can (root on Debian/Ubuntu); otherwise says
# which command to run. Used by `pnpm test` and by .ci/run. Written for Debian 12 (bookworm),
# whose pocketsphinx 0.8 still ships pocketsphinx_continuous (pocketsphinx 5 dropped it).
set -euo pipefail

# command that must exist -> package that provides it
declare -A NEEDED=(
  [espeak-ng]=espeak-ng
  [pocketsphinx_continuous]=pocketsphinx
  [chromium]=chromium
  # The multi-host test: network namespaces (iproute2), and unshare/setpriv (util-linux).
  [ip]=iproute2
  [setpriv]=util-linux
  # Shared rate limits: the tests start throwaway servers (auth-service/src/testing/redis-server.ts).
  [redis-server]=redis-server
  # The proxy in front of several replicas.
  [nginx]=nginx
)
EXTRA_PACKAGES=(pocketsphinx-en-us)

find_missing() {
  missing=()
  for command in "${!NEEDED[@]}"; do
    # nginx lives in /usr/sbin, which is not on every user's PATH.
    command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] ||
      missing+=("${NEEDED[$command]}")
  done
  [ -d /usr/share/pocketsphinx/model/en-us ] || missing+=("${EXTRA_PACKAGES[@]}")
  # PostgreSQL's server programs (initdb, pg_ctl) live outside PATH, under its version's folder;
  # pg_ctlcluster alone (postgresql-common) is not enough to start a throwaway cluster.
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
}

find_missing
[ ${#missing[@]} -eq 0 ] && exit 0

# The English model always comes with pocketsphinx.
read -r -a packages <<<"$(printf '%s\n' "${missing[@]}" "${EXTRA_PACKAGES[@]}" | sort -u | tr '\n' ' ')"
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian packages the tests need: ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  find_missing
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installed ${packages[*]}, but still missing: ${missing[*]} (pocketsphinx_continuous and the en-us model;" >&2
    echo "Debian 12's pocketsphinx 0.8 has them, pocketsphinx 5 does not)." >&2
    exit 1
  fi
else
  echo "The tests need these Debian packages: ${packages[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
