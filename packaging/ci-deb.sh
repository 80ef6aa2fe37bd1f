#!/usr/bin/env bash
# The Debian package, end to end, as .ci/run does after the tests (run it alone the same way):
# installs dpkg-dev and cargo-deb (a pinned version, reused when ~/.cargo/bin has it), builds
# the package with packaging/build-deb.sh, installs it with apt-get, runs the installed corelab
# outside the source tree, checks the desktop entry, icons, man pages and completions are in
# place, and removes the package. Needs root and apt-get; prints the time of each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v cargo >/dev/null 2>&1; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

stage() {
  local name=$1 started
  shift
  started=$(date +%s)
  echo "=== stage: $name"
  "$@"
  echo "=== stage: $name: $(( $(date +%s) - started )) s"
}

CARGO_DEB_VERSION=3.8.0

packaging_tools() {
  if command -v apt-get >/dev/null 2>&1; then
    # dpkg-dev: dpkg-shlibdeps for the package's depends = "$auto". man-db: `man -w` below.
    apt-get install -y -qq --no-install-recommends dpkg-dev man-db >/dev/null
  fi
  if [ "$(cargo-deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
  fi
  cargo deb --version
}

deb_file() {
  ls -t target/debian/corelab_*.deb | head -n 1
}

install_deb() {
  local deb
  deb=$(deb_file)
  echo "installing $deb"
  dpkg-deb --info "$deb"
  dpkg-deb --contents "$deb"
  apt-get install -y -qq "./$deb" >/dev/null
}

check_installed() {
  local work out
  work=$(mktemp -d)
  (
    # Outside the source tree: presets and the Python worker are inside the binary.
    cd "$work"
    test "$(command -v corelab)" = /usr/bin/corelab
    version=$(/usr/bin/corelab --version)
    echo "$version"
    grep -Eq '^corelab [0-9.]+ \(commit [0-9a-f]{7,}(-dirty)?, [0-9]{4}-[0-9]{2}-[0-9]{2}\)$' <<<"$version"
    presets=$(corelab presets)
    echo "$presets"
    grep -q start-here <<<"$presets"
    corelab run start-here --workers 1,2 --repetitions 1 --out "$work/r.json"
    test -s "$work/r.json"
  )
  rm -rf "$work"
  for f in \
    /usr/share/applications/corelab.desktop \
    /usr/share/icons/hicolor/scalable/apps/corelab.svg \
    /usr/share/icons/hicolor/16x16/apps/corelab.png \
    /usr/share/icons/hicolor/512x512/apps/corelab.png \
    /usr/share/bash-completion/completions/corelab \
    /usr/share/zsh/vendor-completions/_corelab \
    /usr/share/fish/vendor_completions.d/corelab.fish; do
    test -s "$f" || { echo "missing after install: $f" >&2; exit 1; }
  done
  grep -q 'complete .*corelab' /usr/share/bash-completion/completions/corelab
  # The man page. Some Debian images (the slim ones) tell dpkg not to install /usr/share/man
  # (path-exclude in /etc/dpkg/dpkg.cfg.d/): there it is checked inside the package instead.
  if grep -Eqs '^[[:space:]]*path-exclude[=[:space:]]+/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
    echo "this image excludes /usr/share/man: checking the man page inside the package"
    out=$(mktemp -d)
    dpkg-deb -x "$(deb_file)" "$out"
    grep -q '^\.TH corelab 1' <<<"$(zcat "$out/usr/share/man/man1/corelab.1.gz")"
    grep -q '^\.TH corelab-run 1' <<<"$(zcat "$out/usr/share/man/man1/corelab-run.1.gz")"
    rm -rf "$out"
  else
    test -s /usr/share/man/man1/corelab.1.gz
    grep -q '^\.TH corelab 1' <<<"$(zcat /usr/share/man/man1/corelab.1.gz)"
    test -s /usr/share/man/man1/corelab-run.1.gz
    man -w corelab
  fi
}

if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "packaging/ci-deb.sh needs root and apt-get (a Debian machine)" >&2
  exit 1
fi
stage "packaging tools (dpkg-dev, cargo-deb $CARGO_DEB_VERSION)" packaging_tools
stage "packaging/build-deb.sh (release build, man pages, completions, .deb)" packaging/build-deb.sh
stage "install the .deb" install_deb
stage "use the installed corelab" check_installed
stage "remove the package" apt-get remove -y -qq corelab
test ! -e /usr/bin/corelab
echo "packaging: all checks passed"
