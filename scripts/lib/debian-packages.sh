# Sourced by scripts that install Debian packages they miss (scripts/test, scripts/bench-e2e).
# install_debian_packages WHO PACKAGE...: apt-get as root, otherwise through sudo; says what it installs first.
install_debian_packages() {
  local who="$1"; shift
  [ $# -gt 0 ] || return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "$who: needs $* (apt-get as root, or sudo)" >&2; return 1; }
    sudo=(sudo)
  fi
  echo "$who: installing $* (Debian packages, apt-get)" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
